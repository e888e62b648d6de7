"""A baked project takes the template's later fixes with cruft, offline.

The template is copied into a throwaway git repository (commit A); a project
is baked from it with plain cookiecutter (pytest-cookies), committed, and edited
by its "user"; then the template gets a commit B that changes a
session-security file. ``cruft update -y`` must bring B in, keep the user's
edit, record B, leave no ``.rej`` and touch nothing else, and the updated
project must still pass its own tests. A conflicting change must show up in
that one file only. Nothing here reaches the network: cruft clones the local
repository.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import (
    SLUG_DIR,
    activated,
    baked_path,
    clean_environment,
    commit_all,
    new_repository,
    run_checked,
)

CHANGED = "session_security/clientip.py"  # the session-security file commit B changes
USER_EDIT = "\n## Our notes\n\nDeployed behind two proxies.\n"

# Commit B: a helper in clientip.py, and a test of it in the baked suite.
FIX_B = '''

def is_loopback(request):
    """Whether the client (read through the trusted proxies) is this machine."""
    address = client_ip(request)
    return address is not None and ipaddress.ip_address(address).is_loopback
'''
TEST_B = '''"""Template commit B: ``is_loopback`` answers for the client address."""

from django.test import RequestFactory

from session_security.clientip import is_loopback


def test_is_loopback():
    factory = RequestFactory()
    assert is_loopback(factory.get("/", REMOTE_ADDR="127.0.0.1"))
    assert not is_loopback(factory.get("/", REMOTE_ADDR="203.0.113.7"))
'''


@pytest.fixture
def cruft(cookiecutter_config):
    """Run the cruft next to this interpreter (the template's dev group pins it)."""
    return lambda project, *args, check=True: run_cruft(cookiecutter_config, project, args, check)


def run_cruft(cookiecutter_config, project, args, check):
    command = [str(Path(sys.executable).parent / "cruft"), *args]
    env = clean_environment(COOKIECUTTER_CONFIG=str(cookiecutter_config))
    if check:
        return run_checked(command, cwd=project, env=env, timeout=300)
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False, timeout=300
    )


@pytest.fixture
def project(cookies, template_repo):
    """A project baked with plain cookiecutter from commit A, committed as a user would."""
    repo, _ = template_repo
    project = baked_path(cookies.bake(template=str(repo)))
    new_repository(project, "Baked from secure-django")
    return project


def changed_files(project):
    """Paths ``git status`` reports (modified, added, untracked), relative to the project."""
    status = run_checked(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=project, timeout=60
    ).stdout
    return sorted(line[3:] for line in status.splitlines())


def test_plain_cookiecutter_bake_records_what_cruft_needs(project, template_repo, cruft):
    repo, commit_a = template_repo
    state = json.loads((project / ".cruft.json").read_text())
    assert state["template"] == str(repo)
    assert state["commit"] == commit_a
    answers = state["context"]["cookiecutter"]
    assert answers["project_slug"] == "my_service"
    assert answers["session_engine"] == "db"
    assert answers["_commit"] == commit_a
    # Up to date: cruft check agrees, and says so with exit code 0.
    assert cruft(project, "check", check=False).returncode == 0


@pytest.mark.baked  # runs part of the baked suite in the shared venv
def test_update_brings_in_a_template_fix_and_keeps_the_user_edit(
    project, template_repo, baked_python, cruft
):
    repo, _ = template_repo
    (project / "README.md").write_text((project / "README.md").read_text() + USER_EDIT)
    commit_all(project, "Our notes")
    env_before = (project / ".env").read_bytes()

    with (repo / SLUG_DIR / CHANGED).open("a") as changed:
        changed.write(FIX_B)
    (repo / SLUG_DIR / "tests" / "test_template_fix_b.py").write_text(TEST_B)
    commit_b = commit_all(repo, "B: is_loopback")

    behind = cruft(project, "check", check=False)
    assert behind.returncode == 1, behind.stdout + behind.stderr  # what CI reports
    cruft(project, "update", "-y")

    assert (project / CHANGED).read_text().endswith(FIX_B)
    assert (project / "tests" / "test_template_fix_b.py").read_text() == TEST_B
    assert (project / "README.md").read_text().endswith(USER_EDIT)
    assert json.loads((project / ".cruft.json").read_text())["commit"] == commit_b
    assert (project / ".env").read_bytes() == env_before, "the .env (own secret) was touched"
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*.rej")) == []
    assert changed_files(project) == [".cruft.json", CHANGED, "tests/test_template_fix_b.py"]
    assert cruft(project, "check", check=False).returncode == 0

    # The updated project's own tests: B's new test, and the ones that read client
    # addresses (session binding, throttling), in the shared venv of the baked suite.
    run_checked(
        [
            str(baked_python),
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "tests/test_template_fix_b.py",
            "tests/session_security/test_binding.py",
            "tests/accounts/test_throttling.py",
        ],
        cwd=project,
        env=activated(clean_environment(), baked_python),
        timeout=900,
        report_lines=80,
    )


def test_a_conflicting_change_shows_in_that_file_alone(project, template_repo, cruft):
    repo, _ = template_repo
    user_line = '"""Client addresses, as our proxies report them."""\n'
    template_line = '"""The client\'s IP address (B: reworded by the template)."""\n'

    def replace_first_line(path, line):
        text = path.read_text()
        path.write_text(line + text.split("\n", 1)[1])

    replace_first_line(project / CHANGED, user_line)
    commit_all(project, "Our docstring")
    replace_first_line(repo / SLUG_DIR / CHANGED, template_line)
    commit_all(repo, "B: reword")

    cruft(project, "update", "-y", check=False)

    text = (project / CHANGED).read_text()
    rejected = project / f"{CHANGED}.rej"
    assert ("<<<<<<<" in text and ">>>>>>>" in text) or rejected.is_file(), text[:400]
    others = [path for path in changed_files(project) if path not in (CHANGED, f"{CHANGED}.rej")]
    assert others in ([], [".cruft.json"]), others
    assert [str(p.relative_to(project)) for p in project.rglob("*.rej")] in ([], [rejected])


def test_update_leaves_the_lock_to_the_project(project, template_repo, cruft):
    """``uv.lock`` is the project's own once baked (``[tool.cruft] skip``).

    The project's lock moved on (as a Dependabot pull request moves it), the
    template's lock changed too (``.ci/lock.py --upgrade``), and the template
    fixed a file: the update brings the fix, keeps the project's lock, and
    leaves no conflict and no ``.rej``.
    """
    repo, _ = template_repo
    lock = project / "uv.lock"
    ours = lock.read_text().replace('version = "0.1.0"', 'version = "0.1.0"\n# ours', 1)
    lock.write_text(ours)
    commit_all(project, "Dependabot: bump")
    template_lock = repo / SLUG_DIR / "uv.lock"
    template_lock.write_text(template_lock.read_text().replace("revision = ", "revision =  ", 1))
    with (repo / SLUG_DIR / CHANGED).open("a") as changed:
        changed.write(FIX_B)
    commit_all(repo, "B: relock, is_loopback")

    cruft(project, "update", "-y")

    assert lock.read_text() == ours
    assert (project / CHANGED).read_text().endswith(FIX_B)
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*.rej")) == []
    assert changed_files(project) == [".cruft.json", CHANGED]


def test_cruft_create_bakes_too(tmp_path, template_repo, cruft):
    repo, commit_a = template_repo
    output = tmp_path / "created"
    output.mkdir()
    cruft(output, "create", "--no-input", str(repo))
    project = output / "my_service"
    state = json.loads((project / ".cruft.json").read_text())
    assert (state["template"], state["commit"]) == (str(repo), commit_a)
    assert (project / ".env").is_file()
    assert (project / "config" / "settings.py").is_file()


def test_a_bake_from_a_git_url_records_the_url(run_cookiecutter, tmp_path, template_repo, cruft):
    """``cookiecutter gh:org/...`` clones; the record must hold the URL cruft can clone again.

    The command line is what a user runs with a URL (pytest-cookies bakes
    local folders only), so this bake runs the real command.
    """
    repo, commit_a = template_repo
    url = repo.as_uri()  # file:///...: a repository URL like https://, no network needed
    result = run_cookiecutter(tmp_path / "from-url", template=url)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "from-url" / "my_service"
    state = json.loads((project / ".cruft.json").read_text())
    assert (state["template"], state["commit"]) == (url, commit_a)
    new_repository(project, "Baked")
    assert cruft(project, "check", check=False).returncode == 0
