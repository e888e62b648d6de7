"""A capability switched on (or off) later in a committed project: one cruft command.

``cruft update --variables-to-update '{"<question>": "yes"}'`` renders the
template again with the new answer and applies the difference as a patch.
On a project baked without the capability, committed and edited by its
"user": the capability's files arrive, the edit stays, nothing is left
as ``.rej``, the answer is recorded, and the project checks, migrates and
passes the capability's tests and the core's sign-in tests. Switching a
capability with tables of its own off works the same way; what stays behind
(its table) is what the baked README tells the team to drop.
"""

import json
import re
import sqlite3

import pytest
from conftest import (
    activated,
    baked_path,
    clean_environment,
    commit_all,
    new_repository,
    production_env,
    run_checked,
)
from test_capabilities import CAPABILITIES
from test_cruft import changed_files, run_cruft

pytestmark = pytest.mark.baked

USER_EDIT = "\n## Our notes\n\nDeployed behind two proxies.\n"
OWN_FILE = "accounts/our_rules.py"
OWN_CODE = '"""A module of the team\'s own."""\n\nLIMIT = 3\n'
# The core tests run after every switch, beside the capability's own.
CORE_TESTS = ["tests/accounts/test_login_logout.py", "tests/session_security/test_timeouts.py"]
BY_QUESTION = {capability.question: capability for capability in CAPABILITIES}
# Where the wiring of a capability lives (Jinja conditions on its answer).
WIRING = {
    "README.md",
    "pyproject.toml",
    "config/settings.py",
    "config/urls.py",
    ".github/workflows/ci.yml",
    ".github/workflows/next-django.yml",
    "accounts/templates/accounts/sessions.html",
    "templates/base.html",
    "tests/accounts/test_throttling.py",
    "accounts/views.py",
    "session_security/management/commands/clear_expired_sessions.py",
}


@pytest.fixture
def cruft(cookiecutter_config):
    return lambda project, *args: run_cruft(cookiecutter_config, project, args, True)


def committed_project(cookies, repo, answers):
    """A bake of ``repo`` with ``answers``, committed, then edited and committed again."""
    project = baked_path(cookies.bake(template=str(repo), extra_context=answers))
    new_repository(project, "Baked from secure-django")
    (project / "README.md").write_text((project / "README.md").read_text() + USER_EDIT)
    (project / OWN_FILE).write_text(OWN_CODE)
    commit_all(project, "Our notes and rules")
    return project


def switch(cruft, project, question, answer):
    cruft(project, "update", "-y", "--variables-to-update", json.dumps({question: answer}))
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*.rej")) == []
    assert (project / "README.md").read_text().endswith(USER_EDIT)
    assert (project / OWN_FILE).read_text() == OWN_CODE
    state = json.loads((project / ".cruft.json").read_text())
    assert state["context"]["cookiecutter"][question] == answer


def manage(python, project, *args):
    env = activated(production_env(project), python)
    return run_checked([python, "manage.py", *args], cwd=project, env=env, timeout=300)


def migrate(python, project, database):
    """``manage.py migrate`` on a SQLite file: the database a deployed project already has."""
    env = activated(production_env(project) | {"DATABASE_URL": f"sqlite:///{database}"}, python)
    run_checked([python, "manage.py", "migrate"], cwd=project, env=env, timeout=300)


@pytest.mark.parametrize("question", list(BY_QUESTION))
def test_a_capability_switched_on_later_arrives_whole(
    question, cookies, template_repo, baked_python, cruft, tmp_path
):
    repo, _ = template_repo
    answers = {capability: "no" for capability in BY_QUESTION}
    answers["database"] = "postgresql"  # the drills and the benchmark need PostgreSQL's tools
    project = committed_project(cookies, repo, answers)
    capability = BY_QUESTION[question]
    assert not any((project / folder).exists() for folder in capability.folders)
    migrate(baked_python, project, tmp_path / "db.sqlite3")  # in use already

    switch(cruft, project, question, "yes")
    migrate(baked_python, project, tmp_path / "db.sqlite3")

    assert all((project / folder).exists() for folder in capability.folders)
    changed = [path for path in changed_files(project) if path != ".cruft.json"]
    stray = [
        path
        for path in changed
        if path not in WIRING
        and not path.startswith("docs/")
        and not any(path.startswith(f"{folder}/") for folder in capability.folders)
    ]
    assert changed and stray == [], changed
    check = manage(baked_python, project, "check", "--deploy", "--fail-level", "WARNING")
    assert "System check identified no issues" in check.stdout
    assert (
        "No changes detected"
        in manage(baked_python, project, "makemigrations", "--check", "--dry-run").stdout
    )
    tests = [folder for folder in capability.folders if folder.startswith("tests/")]
    run_checked(
        [baked_python, "-m", "pytest", "-p", "no:cacheprovider", "-q", *tests, *CORE_TESTS],
        cwd=project,
        env=activated(clean_environment(), baked_python),
        timeout=1200,
        report_lines=80,
    )


# Switched off later, a capability leaves its tables; the document named says how to drop them.
SWITCHED_OFF = {
    "session_device_bound": ("README.md", {"device_binding_devicekey"}),
    "sign_in_alerts": (
        "docs/sign-in-alerts.md",
        {"sign_in_alerts_knownbrowser", "sign_in_alerts_newbrowsersignin"},
    ),
    "allauth": (
        "docs/allauth.md",
        {"account_emailaddress", "account_emailconfirmation", "mfa_authenticator"},
    ),
}


@pytest.mark.parametrize("question", list(SWITCHED_OFF))
def test_a_capability_switched_off_later_leaves_only_its_tables(
    question, cookies, template_repo, baked_python, cruft, tmp_path
):
    """Its document says what stays behind (its tables) and how to drop them: both hold."""
    where, left = SWITCHED_OFF[question]
    repo, _ = template_repo
    project = committed_project(cookies, repo, {question: "yes"})
    database = tmp_path / "db.sqlite3"
    env = activated(
        production_env(project) | {"DATABASE_URL": f"sqlite:///{database}"}, baked_python
    )
    migrate(baked_python, project, database)
    document = (project / where).read_text()
    drop = re.search(r"```sql\n(?P<sql>.*?)```", document, re.DOTALL)["sql"]
    assert all(f"DROP TABLE {table};" in drop for table in left)

    switch(cruft, project, question, "no")

    folders = BY_QUESTION[question].folders
    assert not any((project / folder).exists() for folder in folders)
    if where != "README.md":  # the capability's own document goes with it
        assert not (project / where).exists()
    for command in (["check"], ["migrate"], ["makemigrations", "--check", "--dry-run"]):
        run_checked([baked_python, "manage.py", *command], cwd=project, env=env, timeout=300)
    with sqlite3.connect(database) as connection:
        assert tables(connection) >= left  # what the document said stays
        connection.executescript(drop)
        assert not tables(connection) & left
    stale = ["remove_stale_contenttypes", "--include-stale-apps", "--no-input"]
    for command in (stale, ["migrate"], ["check"]):
        run_checked([baked_python, "manage.py", *command], cwd=project, env=env, timeout=300)


def tables(connection):
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {name for (name,) in rows}
