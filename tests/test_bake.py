"""Baking the template: every answer bakes, and the answers end up in the project.

Answers reach the template by menus, ``--no-input`` with ``key=value``,
``extra_context`` and ``--replay``; each path is baked here. The cases are
derived from ``cookiecutter.json`` so that a new choice value is baked
without anyone remembering to add it to this file.
"""

import ast
import json
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE_DIR, read_env_file
from cookiecutter.replay import get_file_name

TEMPLATE_CONTEXT = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
CHOICES = {
    key: value
    for key, value in TEMPLATE_CONTEXT.items()
    if isinstance(value, list) and not key.startswith("_")
}
DEFAULTS = {
    key: value[0] if isinstance(value, list) else value
    for key, value in TEMPLATE_CONTEXT.items()
    if not key.startswith("_")
}

# Every choice value at least once, the default bake, and text answers that
# are easy to get wrong (non-ASCII, an apostrophe, an ampersand).
CASES = [pytest.param({}, id="default")]
CASES += [
    pytest.param({key: value}, id=f"{key}={value}")
    for key, values in CHOICES.items()
    for value in values
]
CASES += [
    pytest.param(
        {
            "project_name": "Billing API",
            "description": "Invoices, payments & refunds.",
            "author_name": "Zoë O'Neil",
            "domain_name": "billing.example.org",
        },
        id="text-answers",
    ),
    pytest.param(
        {
            "session_cookie_age": "3600",
            "session_idle_timeout": "600",
            "session_rotation_interval": "0",
        },
        id="rotation-off",
    ),
    # The boundaries the pre-gen hook allows: idle == age, rotation just under idle.
    pytest.param(
        {
            "session_cookie_age": "600",
            "session_idle_timeout": "600",
            "session_rotation_interval": "599",
        },
        id="lifetime-boundaries",
    ),
]

EXPECTED_FILES = [
    "manage.py",
    "config/settings.py",
    "config/urls.py",
    "config/wsgi.py",
    "config/asgi.py",
    "accounts/models.py",
    "session_security/middleware/sessions.py",
    "session_security/policy.py",
    ".env",
    ".python-version",
    "pyproject.toml",
    "uv.lock",
    "README.md",
    ".github/workflows/ci.yml",
    ".github/dependabot.yml",
    ".pre-commit-config.yaml",
    ".cruft.json",
]
EXPECTED_DIRS = ["tests"]

# Files that exist only for some answers: path -> predicate on the answers.
CONDITIONAL_FILES = {
    "tests/config/test_postgresql.py": lambda answers: answers["database"] == "postgresql",
}

# GitHub Actions' own ``${{ ... }}`` expressions are legitimate in workflows.
ACTIONS_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
# Characters that an env file or a shell would read as something else.
UNSAFE_IN_ENV_FILE = set("\"'`#$\\ \t")


def expected_answers(extra_context):
    """The full answers a bake with ``extra_context`` should use (slug derived as the template does)."""
    answers = {**DEFAULTS, **extra_context}
    if "project_slug" not in extra_context:
        name = answers["project_name"]
        answers["project_slug"] = name.lower().strip().replace(" ", "_").replace("-", "_")
    return answers


def baked_constants(settings_file):
    """The ``BAKED_*`` assignments of a baked settings.py: name -> AST value node."""
    tree = ast.parse(Path(settings_file).read_text())
    return {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.startswith("BAKED_")
    }


def text_files(root):
    """``(path, text)`` of every file under ``root`` that is text (no NUL byte, valid UTF-8)."""
    for path in sorted(Path(root).rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            yield path, data.decode("utf-8")
        except UnicodeDecodeError:
            continue


def secret_key_of(project):
    return read_env_file(project / ".env")["DJANGO_SECRET_KEY"]


@dataclass
class Baked:
    """A bake and the answers it should carry.

    Its own ``repr``: pytest prints fixture values in failure reports, and
    pytest-cookies' ``Result.__repr__`` raises a deprecation warning.
    """

    answers: dict
    result: object

    def __repr__(self):
        return f"<Baked {self.answers!r} exit_code={self.result.exit_code}>"


@pytest.fixture(scope="module", params=CASES)
def baked(request, cookies_session):
    """One bake per case, shared by the tests below (bakes only get read)."""
    result = cookies_session.bake(extra_context=request.param)
    return Baked(expected_answers(request.param), result)


def test_bake_succeeds(baked):
    answers, result = baked.answers, baked.result
    assert result.exception is None, result.exception
    assert result.exit_code == 0
    assert result.project_path.is_dir()
    assert result.project_path.name == answers["project_slug"]


def test_text_answers_derive_the_slug(cookies):
    """The slug is derived from the name: lower case, spaces and hyphens to underscores."""
    result = cookies.bake(extra_context={"project_name": "Billing-Service Two"})
    assert result.exit_code == 0, result.exception
    assert result.project_path.name == "billing_service_two"


def test_expected_files_are_present(baked):
    result = baked.result
    project = result.project_path
    missing = [name for name in EXPECTED_FILES if not (project / name).is_file()]
    missing += [name for name in EXPECTED_DIRS if not (project / name).is_dir()]
    assert missing == []


def test_files_follow_the_answers(baked):
    answers, result = baked.answers, baked.result
    wrong = []
    for relative, rule in CONDITIONAL_FILES.items():
        wanted = rule(answers)
        if (result.project_path / relative).is_file() != wanted:
            wrong.append(f"{relative} should be {'present' if wanted else 'absent'}")
    assert wrong == []


def test_no_template_syntax_left(baked):
    """No Jinja left unrendered in any text file of the output.

    Django templates (any file under a ``templates`` folder: pages, and
    emails as ``.txt``) legitimately use ``{{``/``{%`` (the template wraps
    them in ``{% raw %}``), so there the check is that no cookiecutter
    variable or raw marker survived; workflows may use GitHub's ``${{ ... }}``.
    """
    result = baked.result
    project = result.project_path
    leftovers = []
    for path, text in text_files(project):
        relative = path.relative_to(project)
        if "templates" in relative.parts[:-1]:
            if "cookiecutter" in text or re.search(r"\{%-?\s*(end)?raw", text):
                leftovers.append(str(relative))
            continue
        if relative.parts[:2] == (".github", "workflows"):
            text = ACTIONS_EXPRESSION.sub("", text)
        if "{{" in text or "{%" in text:
            leftovers.append(str(relative))
    assert leftovers == []


def test_settings_carry_the_answers(baked):
    answers, result = baked.answers, baked.result
    constants = baked_constants(result.project_path / "config" / "settings.py")
    values = {
        name: ast.literal_eval(node)
        for name, node in constants.items()
        if name != "BAKED_DATABASE_URL"
    }
    assert values == {
        "BAKED_SESSION_ENGINE": answers["session_engine"],
        "BAKED_SESSION_COOKIE_AGE": int(answers["session_cookie_age"]),
        "BAKED_SESSION_IDLE_TIMEOUT": int(answers["session_idle_timeout"]),
        "BAKED_SESSION_ROTATION_INTERVAL": int(answers["session_rotation_interval"]),
        "BAKED_SESSION_EXPIRE_AT_BROWSER_CLOSE": answers["session_expire_at_browser_close"]
        == "yes",
        "BAKED_SESSION_COOKIE_SAMESITE": answers["session_cookie_samesite"],
        "BAKED_SESSION_BIND_IP": answers["session_bind_ip"],
        "BAKED_SESSION_BIND_USER_AGENT": answers["session_bind_user_agent"],
        "BAKED_DEFAULT_FROM_EMAIL": f"webmaster@{answers['domain_name']}",
    }
    if answers["database"] == "postgresql":
        expected_url = repr(f"postgres://localhost:5432/{answers['project_slug']}")
    else:
        expected_url = """f"sqlite:///{BASE_DIR / 'db.sqlite3'}\""""
    # Compared as normalised source: the sqlite default is an f-string, not a constant.
    assert ast.unparse(constants["BAKED_DATABASE_URL"]) == ast.unparse(
        ast.parse(expected_url, mode="eval")
    )


def test_pyproject_carries_the_answers(baked):
    answers, result = baked.answers, baked.result
    pyproject = tomllib.loads((result.project_path / "pyproject.toml").read_text())
    project = pyproject["project"]
    assert project["name"] == answers["project_slug"]
    assert project["description"] == answers["description"]
    assert project["authors"] == [{"name": answers["author_name"]}]
    uses_psycopg = any(dep.startswith("psycopg") for dep in project["dependencies"])
    assert uses_psycopg == (answers["database"] == "postgresql")


def test_env_file_has_a_fresh_safe_secret_key(baked):
    """The key must be strong, not Django's insecure kind, and need no quoting."""
    answers, result = baked.answers, baked.result
    env_file = result.project_path / ".env"
    key = secret_key_of(result.project_path)
    assert len(key) >= 50
    assert not key.startswith("django-insecure-")
    assert set(key) & UNSAFE_IN_ENV_FILE == set()
    assert key.isascii() and key.isprintable()
    # The file holds a secret: readable by its owner only.
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    env = read_env_file(env_file)
    if answers["database"] == "postgresql":
        assert env["DATABASE_URL"] == f"postgres://localhost:5432/{answers['project_slug']}"
    else:
        assert env["DATABASE_URL"] == f"sqlite:///{result.project_path / 'db.sqlite3'}"


def test_two_bakes_get_different_secret_keys(cookies):
    first = cookies.bake()
    second = cookies.bake()
    assert first.exit_code == 0 and second.exit_code == 0
    assert secret_key_of(first.project_path) != secret_key_of(second.project_path)


def only_project(output_dir):
    projects = list(Path(output_dir).iterdir())
    assert len(projects) == 1, projects
    return projects[0]


def test_replay_bakes_the_same_answers(tmp_path, run_cookiecutter, cookiecutter_config):
    """``cookiecutter --replay`` reuses the recorded answers (the pre-gen hook checks them again).

    The command line is the thing tested (``--replay`` and the replay folder
    of the user's config), so both bakes run the real command.
    """
    answers = {
        "project_name": "Replayed Service",
        "session_engine": "cached_db",
        "session_cookie_age": "7200",
        "session_idle_timeout": "900",
        "session_rotation_interval": "300",
        "session_expire_at_browser_close": "yes",
        "session_cookie_samesite": "Strict",
        "session_bind_ip": "log",
        "session_bind_user_agent": "enforce",
        "database": "postgresql",
    }
    baked = run_cookiecutter(tmp_path / "first", answers)
    assert baked.returncode == 0, baked.stderr
    replay_dir = Path(yaml.safe_load(cookiecutter_config.read_text())["replay_dir"])
    replay_file = replay_dir / get_file_name(replay_dir, TEMPLATE_DIR.name)
    recorded = json.loads(replay_file.read_text())
    # The recorded answers are the ones given.
    for key, value in answers.items():
        assert recorded["cookiecutter"][key] == value

    replayed_run = run_cookiecutter(tmp_path / "replayed", replay_file=replay_file)
    assert replayed_run.returncode == 0, replayed_run.stderr
    first, replayed = only_project(tmp_path / "first"), only_project(tmp_path / "replayed")
    assert first.name == replayed.name == "replayed_service"

    # Both bakes hold the same files with the same content, except the fresh secret key
    # (and the output folder, which only the cruft record and the .env mention).
    first_files = {p.relative_to(first): p for p in first.rglob("*") if p.is_file()}
    replayed_files = {p.relative_to(replayed): p for p in replayed.rglob("*") if p.is_file()}
    assert first_files.keys() == replayed_files.keys()
    for relative, path in first_files.items():
        if relative in (Path(".env"), Path(".cruft.json")):
            continue
        assert path.read_bytes() == replayed_files[relative].read_bytes(), relative
    first_env = read_env_file(first / ".env")
    replayed_env = read_env_file(replayed / ".env")
    assert first_env.pop("DJANGO_SECRET_KEY") != replayed_env.pop("DJANGO_SECRET_KEY")
    assert first_env == replayed_env


def test_no_input_with_answers_on_the_command_line(tmp_path, run_cookiecutter):
    """``cookiecutter --no-input TEMPLATE session_engine=cache`` bakes that answer.

    The command line's ``key=value`` arguments are the thing tested.
    """
    result = run_cookiecutter(tmp_path, {"session_engine": "cache"})
    assert result.returncode == 0, result.stderr
    project = only_project(tmp_path)
    constants = baked_constants(project / "config" / "settings.py")
    assert ast.literal_eval(constants["BAKED_SESSION_ENGINE"]) == "cache"
    assert (project / ".env").is_file()
