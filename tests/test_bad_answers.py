"""Bad answers stop the bake with one clear line, and leave nothing behind.

The pre-gen hook is the only guard for answers that bypass the menus
(``--no-input key=value``, ``extra_context``, a replay file). A failed check
must print ``ERROR: <key>=<value> ...`` on stderr, exit non-zero, and leave
the output folder empty: a half-baked project would be mistaken for a good one.
"""

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE_DIR, clean_environment
from cookiecutter.exceptions import FailedHookException

TEMPLATE_CONTEXT = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
CHOICE_KEYS = [
    key
    for key, value in TEMPLATE_CONTEXT.items()
    if isinstance(value, list) and not key.startswith("_")
]

# A value outside the list, for every choice key (a test below checks that
# no choice key is left out).
BAD_CHOICES = {
    "session_engine": "file",
    "session_expire_at_browser_close": "maybe",
    "session_cookie_samesite": "None",
    "session_bind_ip": "strict",
    "session_bind_user_agent": "on",
    "session_device_bound": "true",
    "sign_in_alerts": "yes please",
    "allauth": "Yes",
    "scale_out": "y",
    "benchmark": "on",
    "database": "mysql",
}


def case(answers, *named, id):
    """A bad bake: its answers, and the ``(key, value)`` pairs its error must name.

    The first pair must open the line (``ERROR: key=value``); any others must
    appear in it (a rule between two answers names both).
    """
    named = named or tuple(answers.items())[:1]
    return pytest.param(answers, named, id=id)


SLUG_CASES = [
    case({"project_slug": slug}, id=f"slug-not-identifier-{slug}")
    for slug in ("my-service", "1abc", "class")
] + [
    case({"project_slug": slug}, id=f"slug-clashes-{slug}")
    for slug in ("django", "config", "test", "tests", "accounts", "session_security", "json")
]
QUOTE_CASES = [
    case({"project_slug": 'a"b'}, id="slug-double-quote"),
    case({"project_slug": "a'b"}, id="slug-single-quote"),
    case({"project_slug": "a\\b"}, id="slug-backslash"),
]
LIFETIME_CASES = [
    case({key: value}, id=f"{key}={value}")
    for key in ("session_cookie_age", "session_idle_timeout")
    for value in ("abc", "0", "-5", "1.5")
] + [
    case({"session_rotation_interval": value}, id=f"session_rotation_interval={value}")
    for value in ("-1", "abc", "1.5")
]
RELATION_CASES = [
    case(
        {"session_cookie_age": "1000", "session_idle_timeout": "2000"},
        ("session_idle_timeout", "2000"),
        ("session_cookie_age", "1000"),
        id="idle-longer-than-age",
    ),
    case(
        {"session_idle_timeout": "1800", "session_rotation_interval": "1800"},
        ("session_rotation_interval", "1800"),
        ("session_idle_timeout", "1800"),
        id="rotation-equal-to-idle",
    ),
    case(
        {"session_idle_timeout": "1800", "session_rotation_interval": "2000"},
        ("session_rotation_interval", "2000"),
        ("session_idle_timeout", "1800"),
        id="rotation-longer-than-idle",
    ),
    case(
        {"allauth": "yes", "session_engine": "signed_cookies"},
        ("allauth", "yes"),
        ("session_engine", "signed_cookies"),
        id="allauth-on-signed-cookies",
    ),
]
# Free text ends up in Python, TOML and templates: quotes and friends would
# bake a project that does not parse.
TEXT_CASES = [
    case({"description": 'The "secure" one'}, id="description-double-quote"),
    case({"author_name": "a\\b"}, id="author-backslash"),
    case({"project_name": "My <b>Service</b>"}, id="name-angle-brackets"),
    case({"description": "costs $5"}, id="description-dollar"),
    case({"domain_name": "Exa mple.com"}, id="domain-space"),
    case({"domain_name": "example.com/path"}, id="domain-path"),
]
HOOK_CASES = SLUG_CASES + QUOTE_CASES + TEXT_CASES + LIFETIME_CASES + RELATION_CASES


def names_answer(line, key, value):
    """Whether ``line`` holds ``key=value``, the value quoted (repr) or bare.

    A bare value must end there (``age=1000`` does not name ``age=100``).
    """
    quoted = re.escape(f"{key}={value!r}")
    bare = re.escape(f"{key}={value}") + r"(?![\w.])"
    return re.search(rf"(?<!\w)(?:{quoted}|{bare})", line) is not None


def error_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("ERROR: ")]


def assert_empty(output_dir):
    leftovers = sorted(str(path.relative_to(output_dir)) for path in output_dir.rglob("*"))
    assert leftovers == [], f"the failed bake left files behind: {leftovers}"


def assert_fails_naming(result, output_dir, named):
    """The bake failed, stderr has one ERROR line naming ``named``, and nothing is left."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    # The hook reads the answers as data: a quote must not turn into broken Python.
    assert "SyntaxError" not in output
    errors = error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    first_key = named[0][0]
    assert errors[0].startswith(f"ERROR: {first_key}="), errors[0]
    for key, value in named:
        assert names_answer(errors[0], key, value), (key, value, errors[0])
    assert_empty(output_dir)


@pytest.fixture
def output_dir(tmp_path):
    """An existing, empty output folder, so "nothing left behind" is checkable."""
    directory = tmp_path / "output"
    directory.mkdir()
    return directory


@pytest.mark.parametrize(("answers", "named"), HOOK_CASES)
def test_bad_answer_fails_with_a_message_naming_it(run_cookiecutter, output_dir, answers, named):
    result = run_cookiecutter(output_dir, answers)
    assert_fails_naming(result, output_dir, named)


def test_every_choice_key_has_a_bad_value_case():
    assert sorted(BAD_CHOICES) == sorted(CHOICE_KEYS)
    for key, value in BAD_CHOICES.items():
        assert value not in TEMPLATE_CONTEXT[key]


@pytest.mark.parametrize(("key", "value"), BAD_CHOICES.items())
def test_choice_outside_its_list_fails_on_the_command_line(
    run_cookiecutter, output_dir, key, value
):
    """``--no-input key=value`` with a value outside the list.

    cookiecutter itself rejects it while reading the answers, before any hook
    runs, with its own message (a ``ValueError``) naming the value and the key.
    """
    result = run_cookiecutter(output_dir, {key: value})
    assert result.returncode != 0
    assert f"{value} provided for choice variable {key}," in result.stderr
    assert_empty(output_dir)


def replay_dir_of(cookiecutter_config):
    return Path(yaml.safe_load(cookiecutter_config.read_text())["replay_dir"])


@pytest.fixture(scope="module")
def recorded_answers(tmp_path_factory, run_cookiecutter, cookiecutter_config):
    """The replay record of a good default bake, as the cookiecutter command writes it."""
    result = run_cookiecutter(tmp_path_factory.mktemp("good-bake"))
    assert result.returncode == 0, result.stderr
    replay_file = replay_dir_of(cookiecutter_config) / f"{TEMPLATE_DIR.name}.json"
    return json.loads(replay_file.read_text())


@pytest.mark.parametrize(("key", "value"), BAD_CHOICES.items())
def test_choice_outside_its_list_fails_in_a_replay(
    run_cookiecutter, recorded_answers, tmp_path, output_dir, key, value
):
    """A replay file is not checked by cookiecutter: the pre-gen hook must catch it."""
    record = json.loads(json.dumps(recorded_answers))
    record["cookiecutter"][key] = value
    replay_file = tmp_path / "edited.json"
    replay_file.write_text(json.dumps(record))
    result = run_cookiecutter(output_dir, replay_file=replay_file)
    assert_fails_naming(result, output_dir, [(key, value)])


@pytest.mark.parametrize(
    "answers",
    [
        {"project_slug": "my-service"},
        {"project_slug": "json"},
        {"project_slug": 'a"b'},
        {"session_cookie_age": "0"},
        {"session_cookie_age": "1000", "session_idle_timeout": "2000"},
        {"session_rotation_interval": "1800"},
    ],
    ids=str,
)
def test_bad_answer_fails_through_pytest_cookies(cookies, tmp_path, answers):
    """Through the API (as pytest-cookies calls it): a failed hook, and no project left."""
    result = cookies.bake(extra_context=answers)
    assert result.exit_code == -1
    assert isinstance(result.exception, FailedHookException)
    assert result.project_path is None
    # pytest-cookies bakes into <tmp_path>/cookies/bakeNN: only the empty folder remains.
    assert [p.name for p in (tmp_path / "cookies").rglob("*")] == ["bake00"]


def test_choice_outside_its_list_fails_through_pytest_cookies(cookies):
    result = cookies.bake(extra_context={"database": "mysql"})
    assert result.exit_code == -1
    assert isinstance(result.exception, ValueError)
    assert "mysql provided for choice variable database" in str(result.exception)


# The fifteen questions as a person answers them at the prompts: Enter takes
# the default, a number picks a menu entry. The lifetime (question 7) is typed wrong.
TYPED = {"session_cookie_age": "abc", "session_engine": "2", "session_bind_ip": "3"}


def typed_answers(overrides):
    """stdin for an interactive bake: one line per question, in cookiecutter.json's order."""
    questions = [key for key in TEMPLATE_CONTEXT if not key.startswith("_")]
    return "".join(f"{overrides.get(key, '')}\n" for key in questions)


def rerun_command(error_line):
    """The command an ERROR line ends with (``... --replay-file FILE -o OUTPUT TEMPLATE``), split."""
    match = re.search(r"then run: (?P<command>.+?)\)$", error_line)
    assert match, f"the error line names no command to rerun: {error_line}"
    return shlex.split(match["command"])


def test_interactive_wrong_answer_names_the_replay_file_and_the_rerun(
    run_cookiecutter, cookiecutter_config, tmp_path, output_dir
):
    """``abc`` typed for the lifetime: after all the questions, one line says what is
    wrong, which file holds every answer, and the one command that bakes with them.

    The CLI is the thing tested (its prompts and the line on stderr), so this
    runs the real command. The command is printed as it must be typed: the
    launcher (here ``cookiecutter``, on the PATH of these tests; under ``uvx``
    it is ``uvx --from cookiecutter==X cookiecutter``, tested in
    test_first_commands.py), the replay file, the same output folder and the
    template. Fixing that one answer in the named file and running the command
    exactly as printed, from another folder, bakes the project with the answers
    typed into that output folder, without asking again.
    """
    result = run_cookiecutter(output_dir, stdin=typed_answers(TYPED))
    assert_fails_naming(result, output_dir, [("session_cookie_age", "abc")])
    count = len([key for key in TEMPLATE_CONTEXT if not key.startswith("_")])
    assert f"[{count}/{count}]" in result.stdout, "not every question was asked"
    (error,) = error_lines(result.stderr)
    command = rerun_command(error)
    launcher = command[: command.index("--replay-file")]
    assert launcher in (["cookiecutter"], [sys.executable, "-m", "cookiecutter"]), command
    replay_file = Path(command[len(launcher) + 1])
    assert replay_file.parent == replay_dir_of(cookiecutter_config)
    assert str(replay_file) in error.split("then run:")[0], "the file holding the answers"
    assert command[len(launcher) + 2 :] == ["-o", str(output_dir), str(TEMPLATE_DIR)], command

    saved = json.loads(replay_file.read_text())
    assert saved["cookiecutter"]["session_cookie_age"] == "abc"
    saved["cookiecutter"]["session_cookie_age"] = "7200"
    replay_file.write_text(json.dumps(saved))

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    rerun = subprocess.run(
        command,
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_environment(COOKIECUTTER_CONFIG=str(cookiecutter_config)),
        check=False,
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "[1/15]" not in rerun.stdout, "the rerun asked the questions again"
    assert list(elsewhere.iterdir()) == [], "the rerun baked into the current folder"
    settings = (output_dir / "my_service" / "config" / "settings.py").read_text()
    assert "BAKED_SESSION_COOKIE_AGE = 7200" in settings
    assert 'BAKED_SESSION_ENGINE = "cache"' in settings  # typed answers kept
    assert 'BAKED_SESSION_BIND_IP = "enforce"' in settings


def test_no_input_wrong_answer_also_names_the_replay_file(run_cookiecutter, output_dir):
    """The hint is there for every way answers arrive, ``key=value`` included."""
    result = run_cookiecutter(output_dir, {"session_idle_timeout": "0"})
    (error,) = error_lines(result.stderr)
    command = rerun_command(error)
    saved = json.loads(Path(command[command.index("--replay-file") + 1]).read_text())
    assert saved["cookiecutter"]["session_idle_timeout"] == "0"


def test_the_hook_allows_what_cookiecutter_json_allows(
    run_cookiecutter, recorded_answers, tmp_path, output_dir
):
    """One source for the choices: a value added to ``cookiecutter.json`` passes the hook.

    A copy of the template gets one more ``database`` choice; a replay (which
    cookiecutter does not check) with that value then bakes, and the same
    replay against the real template is refused.
    """
    template = tmp_path / TEMPLATE_DIR.name
    shutil.copytree(
        TEMPLATE_DIR, template, ignore=shutil.ignore_patterns(".venv", ".git", "*_cache")
    )
    context = json.loads((template / "cookiecutter.json").read_text())
    context["database"].append("mariadb")
    (template / "cookiecutter.json").write_text(json.dumps(context))
    record = json.loads(json.dumps(recorded_answers))
    record["cookiecutter"]["database"] = "mariadb"
    replay_file = tmp_path / "mariadb.json"
    replay_file.write_text(json.dumps(record))

    accepted = run_cookiecutter(output_dir, replay_file=replay_file, template=template)
    assert accepted.returncode == 0, accepted.stderr
    refused = run_cookiecutter(tmp_path / "real", replay_file=replay_file)
    assert refused.returncode != 0
    assert "database='mariadb' is not allowed" in refused.stderr
