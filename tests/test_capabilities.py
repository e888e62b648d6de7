"""Each optional capability is baked whole when chosen and not at all when not.

Every combination of the capability questions bakes, lints, passes
``check --deploy --fail-level WARNING`` in production settings and needs no
migration; and a bake without a capability holds no line naming it (no
import, URL, setting, template, document or README line), outside the
migrations, which are the database's history. The words are each
capability's own names, chosen so that nothing else uses them.
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

COMBINATIONS = [
    dict(zip([c.question for c in CAPABILITIES], values, strict=True))
    for values in itertools.product(("yes", "no"), repeat=len(CAPABILITIES))
]


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


@pytest.fixture(scope="module", params=COMBINATIONS, ids=combination_id)
def combination(request, cookies_session):
    return request.param, baked_path(cookies_session.bake(extra_context=request.param))


def test_a_capability_not_chosen_leaves_no_trace(combination):
    answers, project = combination
    for capability in CAPABILITIES:
        chosen = answers[capability.question] == "yes"
        present = [folder for folder in capability.folders if (project / folder).exists()]
        assert present == (list(capability.folders) if chosen else []), capability.question
        if not chosen:
            assert mentions(project, capability.words) == [], capability.question


def test_every_combination_lints(combination):
    _, project = combination
    env = clean_environment()
    run_checked([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=project, env=env)
    run_checked(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."], cwd=project, env=env
    )


def test_every_combination_deploys_and_needs_no_migration(combination, baked_python):
    _, project = combination
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


def test_the_figures_bake_every_capability():
    """``.ci/figures.py``'s minimal and full bakes answer every capability question."""
    path = Path(__file__).resolve().parent.parent / ".ci" / "figures.py"
    spec = importlib.util.spec_from_file_location("figures", path)
    figures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(figures)
    assert set(figures.CAPABILITIES) == {capability.question for capability in CAPABILITIES}
