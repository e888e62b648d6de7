"""Each optional capability is baked whole when chosen and not at all when not.

Every combination of the capability questions bakes, and a bake without a
capability holds no line naming it (no import, URL, setting, template,
document or README line), outside the migrations, which are the database's
history: a file scan, cheap, so it runs on all 2**n combinations. The words
are each capability's own names, chosen so that nothing else uses them.

The Django checks (ruff, ``check --deploy --fail-level WARNING`` in
production settings, no missing migration) cost seconds per bake, so they run
on ``CHECKED``, a covering set computed from ``CAPABILITIES`` that grows by
two per capability instead of doubling: every capability alone, every
capability left out of all the others, all and none. Together these hold
every pair of capabilities in each of its four yes/no states (a capability's
wiring meets another's only in pairs: a setting, a URL, a template block), as
``test_the_checked_combinations_cover_every_pair`` asserts.
"""

import importlib.util
import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import activated, baked_path, clean_environment, production_env, run_checked

pytestmark = pytest.mark.baked


@dataclass(frozen=True)
class Capability:
    question: str
    folders: tuple  # what a bake with it holds, and one without it does not
    words: tuple  # names no line of a bake without it may contain (any case)


CAPABILITIES = [
    Capability(
        "session_device_bound",
        ("session_security/device_binding", "tests/session_security/device_binding"),
        (
            "dbsc",
            "device_binding",
            "device-bound",
            "device bound",
            "secure-session",
            "bound cookie",
        ),
    ),
    Capability(
        "sign_in_alerts",
        ("session_security/sign_in_alerts", "tests/session_security/sign_in_alerts"),
        ("sign_in_alert", "sign-in alert", "known_browser", "new_browser", "new browser"),
    ),
    Capability(
        "allauth",
        ("accounts/allauth_bridge", "tests/accounts/allauth_bridge"),
        ("allauth", "passkey", "webauthn", "totp", "mfa_"),
    ),
    Capability(
        "scale_out",
        ("scale_out", "notices", "tests/scale_out"),
        ("sentinel", "scale_out", "replica_url", "read replica", "notices", "replicarouter"),
    ),
    Capability(
        "benchmark",
        ("scripts", "tests/benchmark"),
        ("benchmark", "wrk"),
    ),
]
# Files that record the answers themselves (their keys are the questions).
ANSWER_FILES = {".cruft.json"}

QUESTIONS = [capability.question for capability in CAPABILITIES]
COMBINATIONS = [
    dict(zip(QUESTIONS, values, strict=True))
    for values in itertools.product(("yes", "no"), repeat=len(QUESTIONS))
]


def covering_set(questions):
    """All, none, each question alone and each left out alone: 2n + 2 combinations
    (fewer when some coincide) holding every pair of questions in all four states."""
    every = [dict.fromkeys(questions, answer) for answer in ("yes", "no")]
    alone = [{q: "yes" if q == one else "no" for q in questions} for one in questions]
    left_out = [{q: "no" if q == one else "yes" for q in questions} for one in questions]
    unique = []
    for answers in every + alone + left_out:
        if answers not in unique:
            unique.append(answers)
    return unique


def uncovered_pairs(combinations, questions):
    """``(question, answer, question, answer)`` of every pair state no combination holds."""
    return [
        (first, a, second, b)
        for first, second in itertools.combinations(questions, 2)
        for a, b in itertools.product(("yes", "no"), repeat=2)
        if not any(c[first] == a and c[second] == b for c in combinations)
    ]


# The combinations the Django checks run on (the trace check runs on all).
CHECKED = covering_set(QUESTIONS)


def combination_id(answers):
    return "+".join(q for q, a in answers.items() if a == "yes") or "none"


def mentions(project, words):
    """``path:line: text`` of every line outside migrations naming one of ``words``."""
    pattern = re.compile("|".join(map(re.escape, words)), re.IGNORECASE)
    found = []
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if not path.is_file() or "migrations" in relative.parts or str(relative) in ANSWER_FILES:
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        found += [
            f"{relative}:{number}: {line.strip()[:120]}"
            for number, line in enumerate(lines, 1)
            if pattern.search(line)
        ]
    return found


@pytest.fixture(scope="session")
def combination_bakes(cookies_session):
    """``bake(answers)``: the project baked with ``answers``, once per session."""
    cache = {}

    def bake(answers):
        key = combination_id(answers)
        if key not in cache:
            cache[key] = baked_path(cookies_session.bake(extra_context=answers))
        return cache[key]

    return bake


@pytest.fixture(params=COMBINATIONS, ids=combination_id)
def combination(request, combination_bakes):
    return request.param, combination_bakes(request.param)


@pytest.fixture(params=CHECKED, ids=combination_id)
def checked_combination(request, combination_bakes):
    return request.param, combination_bakes(request.param)


def test_a_capability_not_chosen_leaves_no_trace(combination):
    answers, project = combination
    for capability in CAPABILITIES:
        chosen = answers[capability.question] == "yes"
        present = [folder for folder in capability.folders if (project / folder).exists()]
        assert present == (list(capability.folders) if chosen else []), capability.question
        if not chosen:
            assert mentions(project, capability.words) == [], capability.question


def test_the_checked_combinations_lint(checked_combination):
    _, project = checked_combination
    env = clean_environment()
    run_checked([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=project, env=env)
    run_checked(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."], cwd=project, env=env
    )


def test_the_checked_combinations_deploy_and_need_no_migration(checked_combination, baked_python):
    _, project = checked_combination
    env = activated(production_env(project), baked_python)
    checked = run_checked(
        [baked_python, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=project,
        env=env,
        timeout=120,
    )
    assert "System check identified no issues" in checked.stdout
    migrations = run_checked(
        [baked_python, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=project,
        env=env,
        timeout=120,
    )
    assert "No changes detected" in migrations.stdout


def test_the_checked_combinations_cover_every_pair():
    """Every pair of capabilities in all four yes/no states, each capability alone and
    left out alone, all and none: in 2n + 2 combinations, not 2**n."""
    assert uncovered_pairs(CHECKED, QUESTIONS) == []
    assert dict.fromkeys(QUESTIONS, "yes") in CHECKED
    assert dict.fromkeys(QUESTIONS, "no") in CHECKED
    for one in QUESTIONS:
        assert {q: "yes" if q == one else "no" for q in QUESTIONS} in CHECKED
        assert {q: "no" if q == one else "yes" for q in QUESTIONS} in CHECKED
    assert len(CHECKED) <= 2 * len(QUESTIONS) + 2
    assert all(answers in COMBINATIONS for answers in CHECKED)


def test_the_pair_check_can_fail():
    """A set missing a pair's state is caught; the covering set grows by two per question."""
    questions = ["a", "b", "c", "d", "e"]
    assert (
        len(covering_set(questions)) == 12
        and uncovered_pairs(covering_set(questions), questions) == []
    )
    alone = [{q: "yes" if q == one else "no" for q in questions} for one in questions]
    assert ("a", "yes", "b", "yes") in uncovered_pairs(alone, questions)
    ends = [dict.fromkeys(questions, "yes"), dict.fromkeys(questions, "no")]
    assert ("a", "yes", "b", "no") in uncovered_pairs(ends, questions)


def test_the_figures_bake_every_capability():
    """``.ci/figures.py``'s minimal and full bakes answer every capability question."""
    path = Path(__file__).resolve().parent.parent / ".ci" / "figures.py"
    spec = importlib.util.spec_from_file_location("figures", path)
    figures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(figures)
    assert set(figures.CAPABILITIES) == {capability.question for capability in CAPABILITIES}
