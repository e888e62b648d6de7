"""A baked project holds exactly what the template means to ship, and the habits around it.

Nothing stale: every baked file comes from a file the template tracks in git
(its name rendered), or is one the hooks write on purpose; no backup, merge
or compiled file. The commit hooks (pre-commit, local ruff) pass on a fresh
bake and catch a badly formatted file; dependabot watches uv and the actions.
"""

import fnmatch
import json
import os
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
import yaml
from conftest import (
    SLUG_DIR,
    TEMPLATE_DIR,
    baked_path,
    clean_environment,
    git,
    new_repository,
    run_checked,
)
from cookiecutter.environment import StrictEnvironment

# Files the hooks write into the project, on purpose (see hooks/post_gen_project.py).
HOOK_WRITTEN = {".env", ".cruft.json"}
# Leftovers of editors, merges and Python itself.
STALE_PATTERNS = ["*.orig", "*.rej", "*~", "*.bak", ".DS_Store", "*.pyc", "*.pyo", "*.so"]
STALE_DIRECTORIES = {"__pycache__"}


def tracked_project_files(template_dir, answers):
    """The template's git-tracked files under the project folder, names rendered."""
    listed = run_checked(["git", "ls-files", "-z", "--", SLUG_DIR], cwd=template_dir).stdout
    env = StrictEnvironment(context={"cookiecutter": answers})
    rendered = set()
    for path in filter(None, listed.split("\0")):
        parts = PurePosixPath(path).parts[1:]
        rendered.add("/".join(env.from_string(part).render(cookiecutter=answers) for part in parts))
    return rendered


def problems(project, template_dir):
    """What the baked ``project`` holds that the template does not mean to ship."""
    answers = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    allowed = tracked_project_files(template_dir, answers) | HOOK_WRITTEN
    found = []
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project).as_posix()
        if path.is_dir():
            if path.name in STALE_DIRECTORIES:
                found.append(f"{relative}/ (compiled files)")
            continue
        if any(fnmatch.fnmatch(path.name, pattern) for pattern in STALE_PATTERNS):
            found.append(f"{relative} (a backup, merge or compiled file)")
        elif relative not in allowed:
            found.append(f"{relative} (not tracked in the template's git)")
    return found


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_bake_ships_only_what_the_template_tracks(baked_projects, database):
    project = baked_projects(f"hygiene-{database}", {"database": database})
    assert problems(project, TEMPLATE_DIR) == []


def test_the_check_finds_leftovers(cookies, template_repo):
    """The check above, against a template copy with leftovers planted in it."""
    template, _ = template_repo
    project_dir = template / SLUG_DIR
    planted = {
        "config/settings.py.orig": "old",
        "README.md.rej": "hunk",
        "notes.txt~": "backup",
        "accounts/views.py.bak": "copy",
        ".DS_Store": "finder",
        "session_security/__pycache__/audit.cpython-312.pyc": "",
        "untracked.txt": "never added to git",
    }
    for relative, text in planted.items():
        (project_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (project_dir / relative).write_text(text)
    project = baked_path(cookies.bake(template=str(template)))
    found = problems(project, template)
    reported = {line.split(" (")[0].rstrip("/") for line in found}
    assert reported == set(planted) | {"session_security/__pycache__"}, found


def test_dependabot_watches_uv_and_the_actions(baked_projects):
    project = baked_projects("hygiene-sqlite", {"database": "sqlite"})
    config = yaml.safe_load((project / ".github" / "dependabot.yml").read_text())
    assert config["version"] == 2
    watched = {(update["package-ecosystem"], update["directory"]) for update in config["updates"]}
    assert watched == {("uv", "/"), ("github-actions", "/")}
    assert all(update["schedule"]["interval"] for update in config["updates"])


def pre_commit(project, home):
    """``pre-commit run --all-files`` in ``project`` (the template's pinned pre-commit)."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "pre-commit"), "run", "--all-files", "--color", "never"],
        cwd=project,
        env=clean_environment(PRE_COMMIT_HOME=str(home), UV_PYTHON_DOWNLOADS="never"),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.baked  # `uv run` creates the bake's own venv (from uv's cache after the first)
def test_pre_commit_hooks_pass_on_a_fresh_bake_and_catch_bad_formatting(cookies, tmp_path):
    project = baked_path(cookies.bake())
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"], "hooks must need no download"
    entries = [hook["entry"] for hook in config["repos"][0]["hooks"]]
    assert any(e.startswith("uv run ruff check") for e in entries), entries
    assert any(e.startswith("uv run ruff format") for e in entries), entries

    new_repository(project, "Baked")
    home = tmp_path / "pre-commit-home"
    result = pre_commit(project, home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("Passed") == 2, result.stdout
    # pre-commit downloaded nothing: no hook environment was cloned or built.
    assert not [p for p in home.glob("repo*") if p.is_dir()], os.listdir(home)

    (project / "accounts" / "sloppy.py").write_text("import os,sys\nx = {  'a':1 }\n")
    git(project, "add", "accounts/sloppy.py")
    result = pre_commit(project, home)
    assert result.returncode != 0, result.stdout
    assert "Failed" in result.stdout, result.stdout
