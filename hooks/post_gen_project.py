"""Finish the bake: write the local ``.env`` and the cruft record, drop what was not chosen.

Each optional capability lives in files of its own; a ``remove_*()`` below
deletes them whole when its answer is no, and nothing else in the project
names them (settings, URLs, the README and the other documents name them only
inside the template's Jinja conditions on that answer).

The cruft record (``.cruft.json``) is what lets a project baked with plain
``cookiecutter`` take the template's later fixes with ``cruft update``: the
template's address, the commit it was baked from and the answers. cruft
writes the same file itself when it bakes (``cruft create``), so the hook
leaves it to cruft then.
"""

import json
import os
import secrets
import shlex
import shutil
import string
import subprocess
from pathlib import Path

PROJECT = Path.cwd()
DATABASE = "{{ cookiecutter.database }}"
SLUG = "{{ cookiecutter.project_slug }}"
DEVICE_BOUND = "{{ cookiecutter.session_device_bound }}"
SIGN_IN_ALERTS = "{{ cookiecutter.sign_in_alerts }}"
ALLAUTH = "{{ cookiecutter.allauth }}"
SCALE_OUT = "{{ cookiecutter.scale_out }}"
BENCHMARK = "{{ cookiecutter.benchmark }}"

# Letters, digits and symbols that need no quoting in an env file or a shell.
KEY_ALPHABET = string.ascii_letters + string.digits + "%+-.:@_~"


def new_secret_key(length=64):
    """A fresh key from ``secrets``; never Django's ``django-insecure-`` kind."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(length))


def database_url():
    if DATABASE == "postgresql":
        return f"postgres://localhost:5432/{SLUG}"
    return f"sqlite:///{PROJECT / 'db.sqlite3'}"


def write_env_file():
    lines = [
        "# Local development only: never commit this file, never use it in production.",
        "DJANGO_DEBUG=on",
        f"DJANGO_SECRET_KEY={new_secret_key()}",
        "DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost",
        "# runserver speaks plain HTTP: no redirect to HTTPS, no HSTS on this machine.",
        "DJANGO_SECURE_SSL_REDIRECT=off",
        "DJANGO_SECURE_HSTS_SECONDS=0",
        f"DATABASE_URL={database_url()}",
        "EMAIL_URL=consolemail://",
    ]
    env_file = PROJECT / ".env"
    env_file.write_text("\n".join(lines) + "\n")
    env_file.chmod(0o600)


# The context, serialised twice so that any answer arrives as data.
CONTEXT = json.loads({{ cookiecutter | jsonify | jsonify }})
# Keys cookiecutter adds for the run itself (where it read and wrote, the
# prompts' labels): meaningless to a later render, so not recorded.
RUN_KEYS = {"_output_dir", "_repo_dir", "_checkout", "__prompts__"}


def template_folder():
    """The folder cookiecutter read the template from, as an absolute path (or None).

    ``_repo_dir`` when absolute (a clone of a git URL, or an absolute path);
    otherwise the folder cookiecutter runs the hook from, which is the
    template's (Linux's ``/proc``; elsewhere a relative path gives None).
    """
    repo_dir = CONTEXT.get("_repo_dir") or ""
    if repo_dir and Path(repo_dir).is_absolute():
        return Path(repo_dir)
    parent_cwd = Path(f"/proc/{os.getppid()}/cwd")
    return parent_cwd.resolve() if parent_cwd.exists() else None


def git(folder, *args):
    """``git -C folder args...``'s output, or None when it fails (no git, not a repository)."""
    try:
        result = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def template_address(folder):
    """What cruft clones: the URL the template was cloned from, or the local repository."""
    template = CONTEXT.get("_template") or ""
    try:
        from cookiecutter.config import get_user_config
        from cookiecutter.repository import expand_abbreviations, is_repo_url

        expanded = expand_abbreviations(template, get_user_config()["abbreviations"])
    except Exception:  # noqa: BLE001 -- no cookiecutter config: treat it as a local folder
        expanded, is_repo_url = template, lambda value: False
    if is_repo_url(expanded):
        return expanded  # gh:org/secure-django -> https://github.com/org/secure-django.git
    return git(folder, "rev-parse", "--show-toplevel")


def write_cruft_record():
    """Write ``.cruft.json`` as ``cruft create`` would; return why not, if it cannot."""
    if "_commit" in CONTEXT:
        return None  # cruft is baking (create, update, diff): it records the state itself
    folder = template_folder()
    commit = git(folder, "rev-parse", "HEAD") if folder else None
    address = template_address(folder) if commit else None
    if not commit or not address:
        return "the template was not read from a git repository"
    top = Path(git(folder, "rev-parse", "--show-toplevel") or folder)
    directory = os.path.relpath(folder.resolve(), top.resolve())
    context = {key: value for key, value in CONTEXT.items() if key not in RUN_KEYS}
    context.update(_template=address, _commit=commit)
    state = {
        "template": address,
        "commit": commit,
        "checkout": CONTEXT.get("_checkout"),
        "context": {"cookiecutter": context},
        "directory": None if directory == "." else directory,
    }
    text = json.dumps(state, ensure_ascii=False, indent=2, separators=(",", ": ")) + "\n"
    (PROJECT / ".cruft.json").write_text(text, encoding="utf-8")
    if git(folder, "status", "--porcelain", "--untracked-files=no"):
        print(f"Note: the template has uncommitted changes; .cruft.json records {commit[:12]}.")
    return None


def remove(*relatives):
    """Delete these files and folders of the project (those that are there).

    A folder left empty by it goes too (``docs/`` once its last document is gone).
    """
    for relative in relatives:
        path = PROJECT / relative
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        for folder in path.parents:
            if folder == PROJECT or not folder.is_dir() or any(folder.iterdir()):
                break
            folder.rmdir()


def remove_postgresql_tests():
    """The tests that run on PostgreSQL, which a SQLite project has not."""
    remove("tests/config/test_postgresql.py")


def remove_device_binding():
    """Device-bound sessions (DBSC): the protocol, its endpoints, tests and documents."""
    remove(
        "session_security/device_binding",
        "tests/session_security/device_binding",
        "docs/device-bound-sessions.md",
    )


def remove_sign_in_alerts():
    """Sign-in alerts: the recognition, the mail, the link's page, their tests and document."""
    remove(
        "session_security/sign_in_alerts",
        "tests/session_security/sign_in_alerts",
        "docs/sign-in-alerts.md",
    )


def remove_allauth():
    """django-allauth: its bridge to the session layer, pages, tests and document."""
    remove("accounts/allauth_bridge", "tests/accounts/allauth_bridge", "docs/allauth.md")


def remove_scale_out():
    """Sentinel, the read replica and its router, the drills, their servers and documents."""
    remove("scale_out", "notices", "tests/scale_out", "docs/scaling-out.md")


def remove_benchmark():
    """The benchmark tool, its test and its documents."""
    remove("scripts", "tests/benchmark", "docs/benchmark.png", "docs/benchmark.md")


# The project's first commit: `cruft update` (the template's later fixes)
# needs a clean git tree. Printed for the person to run, never run here: the
# hook also runs in pytest-cookies' bakes and in cruft's own renders, a git
# identity may be missing, and a bake inside an existing repository belongs
# to that repository.
COMMIT_MESSAGE = "Baked from secure-django"


def commit_command():
    """The command that commits the bake: a new repository, or the one it was baked into."""
    commit = f'git commit -m "{COMMIT_MESSAGE}"'
    top = git(PROJECT, "rev-parse", "--show-toplevel")
    if top:  # `git add .`: this folder only, not the rest of that repository
        return f"git add . && {commit}", top
    return f"git init -b main && git add -A && {commit}", None


def print_next_steps(cruft_problem):
    if cruft_problem:
        print(
            f"No .cruft.json: {cruft_problem}. To take the template's updates later, "
            "run `cruft link TEMPLATE_URL` in the project."
        )
    commit, repository = commit_command()
    inside = f" (it is inside the git repository {repository})" if repository else ""
    print(
        f"""
{SLUG} is ready in {PROJECT}{inside}. Next:

    cd {shlex.quote(str(PROJECT))}
    {commit}
    uv run python manage.py migrate
    uv run python manage.py create_demo_user
    uv run python manage.py runserver

then sign in at http://127.0.0.1:8000 . Tests: uv run pytest
Commit first: `uv run cruft update`, which brings in the template's later fixes,
needs a clean git tree (.env stays out of git: .gitignore lists it).
"""
    )


def main():
    write_env_file()
    cruft_problem = write_cruft_record()
    if DATABASE != "postgresql":
        remove_postgresql_tests()
    if DEVICE_BOUND == "no":
        remove_device_binding()
    if SIGN_IN_ALERTS == "no":
        remove_sign_in_alerts()
    if ALLAUTH == "no":
        remove_allauth()
    if SCALE_OUT == "no":
        remove_scale_out()
    if BENCHMARK == "no":
        remove_benchmark()
    print_next_steps(cruft_problem)


if __name__ == "__main__":
    main()
