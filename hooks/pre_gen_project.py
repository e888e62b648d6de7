"""Refuse to bake over an existing folder, and validate every answer, before anything is written.

cookiecutter runs this hook inside the project folder, before it writes any
file there. Without ``-f`` it refuses an existing folder itself, before this
hook; with ``-f`` (``overwrite_if_exists``) it would write the template over
whatever the folder holds, so a folder that holds anything stops the bake
here, with one line saying where the project is, how to run it, bake a fresh
one or take the template's updates. cookiecutter deletes the project folder
after a failed hook only when it created that folder in this run, so an
existing project is never removed.

Answers can arrive through ``--no-input``, ``extra_context`` or ``--replay``,
which bypass cookiecutter's menus, so every choice is checked here again.
A failed check prints one line naming the answer and what is allowed, and
where cookiecutter saved all the answers with the command that reruns with
them once that one is fixed (an interactive user need not answer the other
questions again), typed as it was started (``uvx`` or ``cookiecutter``) and
into the same output folder; it exits non-zero: cookiecutter then removes the
half-made (new, empty) project folder.
"""

import json
import keyword
import os
import re
import shlex
import shutil
import sys
from pathlib import Path

# The whole context, serialised twice so that any answer (quotes included)
# arrives as data, never as Python source.
CONTEXT = json.loads({{ cookiecutter | jsonify | jsonify }})
ANSWERS = {key: str(value) for key, value in CONTEXT.items() if not key.startswith("_")}

# Cookiecutter's own copy of cookiecutter.json, choice lists included; empty
# with --replay (cookiecutter then copies the replayed answers here instead)
# and under cruft, which calls cookiecutter's generator directly.
ORIGINAL = json.loads({{ _cookiecutter | default({}) | jsonify | jsonify }})

# The folder cookiecutter read the template from, the template argument as
# the user typed it, and the output folder (absolute): the rerun command
# repeats them.
REPO_DIR = CONTEXT.get("_repo_dir") or ""
TEMPLATE_ARGUMENT = CONTEXT.get("_template") or ""
OUTPUT_DIR = CONTEXT.get("_output_dir") or ""
CHECKOUT = CONTEXT.get("_checkout") or ""

# The project folder: cookiecutter runs this hook inside it. It is new and
# empty, or, with -f, a folder that was already there.
PROJECT_DIR = Path.cwd()

# Top-level names the baked project imports: a slug equal to one of them
# would shadow it on sys.path. Those of optional capabilities (notices,
# scale_out) too: whether a slug is refused does not depend on other answers.
RESERVED_SLUGS = {
    "accounts",
    "asgiref",
    "axes",
    "config",
    "django",
    "environ",
    "manage",
    "notices",
    "psycopg",
    "pytest",
    "redis",
    "scale_out",
    "session_security",
    "site",
    "static",
    "templates",
    "test",
    "tests",
}


class BadAnswer(Exception):
    """An answer the template cannot bake."""


class FolderInUse(Exception):
    """The project folder already holds files: baking would overwrite them."""


def check_folder(folder):
    """Refuse a project folder that holds anything (cookiecutter's ``-f`` would overwrite it)."""
    try:
        if not any(folder.iterdir()):
            return
    except OSError:  # not a folder we can read: cookiecutter fails on it by itself
        return
    where = shlex.quote(str(folder))
    if not ((folder / "manage.py").is_file() or (folder / ".cruft.json").is_file()):
        raise FolderInUse(
            f"{folder} already exists and holds files; nothing was written or changed. "
            "To bake here, move that folder away, or bake with another project_slug "
            "(add project_slug=NEW_NAME to the command)."
        )
    raise FolderInUse(
        f"{folder} already holds a project; nothing was written or changed. "
        f"Run it: cd {where} && uv run python manage.py runserver. "
        "Bake a fresh one: move that folder away, or bake with another project_slug "
        "(add project_slug=NEW_NAME to the command). "
        f"Take the template's later fixes into it instead: cd {where} && uv run cruft update"
    )


def check_slug(slug):
    if not slug.isidentifier() or keyword.iskeyword(slug) or not slug.isascii():
        raise BadAnswer(
            f"project_slug={slug!r} is not a valid Python identifier "
            "(use lowercase letters, digits and underscores, not starting with a digit)"
        )
    if slug in RESERVED_SLUGS or slug in sys.stdlib_module_names:
        raise BadAnswer(
            f"project_slug={slug!r} clashes with a module the project uses; "
            f"choose another name (reserved: {', '.join(sorted(RESERVED_SLUGS))}, "
            "and the standard library's modules)"
        )


# Free text lands in Python, TOML, HTML and Django templates: keep it to
# characters that mean nothing special in any of them.
UNSAFE_TEXT = set('"\\{}<>`$')
LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME = re.compile("(?=.{1,253}$)" + LABEL + r"(\." + LABEL + ")*")


def check_text(answers):
    for key in ("project_name", "description", "author_name"):
        value = answers[key]
        bad = sorted(UNSAFE_TEXT.intersection(value))
        if bad or not value.isprintable():
            shown = " ".join(bad) if bad else "control characters"
            raise BadAnswer(
                f"{key}={value!r} is not allowed; plain text without {shown} "
                "(quotes, backslashes, braces, angle brackets, backticks and $ are refused)"
            )
    domain = answers["domain_name"]
    if not HOSTNAME.fullmatch(domain):
        raise BadAnswer(
            f"domain_name={domain!r} is not allowed; use a lowercase host name like example.com"
        )


def template_folders():
    """Where the template's own ``cookiecutter.json`` may be, most certain first.

    ``_repo_dir`` when absolute (a template cloned from git, or given by an
    absolute path); then the folder cookiecutter runs this hook from, which is
    the template's (cookiecutter and cruft both change into it first).
    """
    if REPO_DIR and Path(REPO_DIR).is_absolute():
        yield Path(REPO_DIR)
    parent_cwd = Path(f"/proc/{os.getppid()}/cwd")  # Linux; elsewhere the _repo_dir above
    if parent_cwd.exists():
        yield parent_cwd.resolve()


def template_context():
    """The template's ``cookiecutter.json`` as cookiecutter read it, or ``{}``."""
    if any(isinstance(value, list) for value in ORIGINAL.values()):
        return ORIGINAL
    for folder in template_folders():
        context_file = folder / "cookiecutter.json"
        if context_file.is_file():
            return json.loads(context_file.read_text(encoding="utf-8"))
    return {}


def allowed_choices():
    """Each choice question and its allowed values, read from the template's own answers.

    Never repeated here: a value added to ``cookiecutter.json`` is allowed
    at once. With no ``cookiecutter.json`` to read, only a bake through cruft
    proceeds: cruft passes the answers through cookiecutter, which refuses a
    value outside its list itself.
    """
    choices = {
        key: tuple(value)
        for key, value in template_context().items()
        if isinstance(value, list) and not key.startswith("_")
    }
    if not choices and "_commit" not in CONTEXT:
        raise BadAnswer(
            "cannot find the template's cookiecutter.json to check the answers; "
            "give cookiecutter the template's absolute path"
        )
    return choices


def check_choices(answers):
    for key, allowed in allowed_choices().items():
        if answers[key] not in allowed:
            raise BadAnswer(
                f"{key}={answers[key]!r} is not allowed; choose one of: {', '.join(allowed)}"
            )


def seconds(answers, key, *, allow_zero=False):
    value = answers[key].strip()
    lowest = 0 if allow_zero else 1
    if not value.isdigit() or int(value) < lowest:
        kind = f"a whole number of seconds, {lowest} or more"
        raise BadAnswer(f"{key}={answers[key]!r} is not allowed; it must be {kind}")
    return int(value)


def check_timeouts(answers):
    age = seconds(answers, "session_cookie_age")
    idle = seconds(answers, "session_idle_timeout")
    rotation = seconds(answers, "session_rotation_interval", allow_zero=True)
    if idle > age:
        raise BadAnswer(
            f"session_idle_timeout={idle} is longer than session_cookie_age={age}; "
            "the idle timeout must not exceed the absolute lifetime"
        )
    if rotation and rotation >= idle:
        raise BadAnswer(
            f"session_rotation_interval={rotation} is not shorter than "
            f"session_idle_timeout={idle}; choose a shorter interval, or 0 to turn rotation off"
        )


def check_combinations(answers):
    if answers["allauth"] == "yes" and answers["session_engine"] == "signed_cookies":
        raise BadAnswer(
            "allauth='yes' with session_engine='signed_cookies' is not allowed: django-allauth "
            "keeps secrets in the session (a TOTP secret being set up, a pending sign-in), "
            "which signed cookies would hand to the browser readable; choose db, cache or "
            "cached_db"
        )


def replay_file():
    """The replay file cookiecutter saved these answers in before running this hook.

    cookiecutter writes a JSON file of all answers into its ``replay_dir`` on
    every bake, before the hooks run (named after the template folder, or
    after the replay file it was given). ``replay_dir`` comes from the user's
    cookiecutter config (``COOKIECUTTER_CONFIG`` or ``~/.cookiecutterrc``;
    ``--config-file`` is invisible to a hook). Only a file holding exactly
    these answers is named (the newest, if several), so the hint never points
    at another bake's answers.
    """
    try:  # the interpreter running cookiecutter runs this hook
        from cookiecutter.config import get_user_config
        from cookiecutter.exceptions import CookiecutterException
    except ImportError:
        return None
    try:
        replay_dir = Path(get_user_config()["replay_dir"])
        candidates = sorted(replay_dir.glob("*.json"), key=lambda path: path.stat().st_mtime)
    except (CookiecutterException, OSError, KeyError, TypeError):  # no hint; the error stands
        return None
    for candidate in reversed(candidates):
        try:
            saved = json.loads(candidate.read_text(encoding="utf-8"))["cookiecutter"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(saved, dict) and all(
            str(saved.get(key)) == value for key, value in ANSWERS.items()
        ):
            return candidate
    return None


def ancestors_argv(levels=4):
    """The command lines of this hook's parent processes, nearest first (Linux's ``/proc``)."""
    pid = os.getpid()
    for _ in range(levels):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            pid = int(stat.rsplit(")", 1)[1].split()[1])  # the field after the name: ppid
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            return
        if pid <= 1:
            return
        yield [os.fsdecode(arg) for arg in argv if arg]


def is_uv_tool_run(argv):
    """Whether ``argv`` is ``uvx ...``, ``uv tool uvx ...`` or ``uv tool run ...``."""
    names = [Path(arg).name for arg in argv[:3]]
    if names[:1] == ["uvx"]:
        return True
    return names[:2] == ["uv", "tool"] and names[2:3] in (["uvx"], ["run"])


def started_by_uvx():
    """Whether cookiecutter runs from uv's cache, started by ``uvx`` (``uv tool run``).

    This hook runs on cookiecutter's own interpreter: under ``uvx`` that lives
    in a throwaway environment of uv's cache (``.../uv/archive-v0/ID``), and a
    parent process is ``uv tool uvx``. Such a ``cookiecutter`` is on no PATH
    once it exits, so the rerun command must go through ``uvx`` again.
    """
    if any(part.startswith(("archive-v", "environments-v")) for part in Path(sys.prefix).parts):
        return True
    return any(is_uv_tool_run(argv) for argv in ancestors_argv())


def launcher():
    """The words that start this cookiecutter again, as the person can type them."""
    if started_by_uvx():
        try:
            from importlib.metadata import version

            pinned = f"cookiecutter=={version('cookiecutter')}"
        except Exception:  # noqa: BLE001 -- no metadata: the newest cookiecutter then
            pinned = "cookiecutter"
        return ["uvx", "--from", pinned, "cookiecutter"]
    if shutil.which("cookiecutter"):
        return ["cookiecutter"]
    return [sys.executable, "-m", "cookiecutter"]  # e.g. run as python -m cookiecutter


def template_for_rerun():
    """The template as the rerun command names it: a URL as typed, a local folder absolute."""
    try:
        from cookiecutter.config import get_user_config
        from cookiecutter.repository import expand_abbreviations, is_repo_url, is_zip_file

        expanded = expand_abbreviations(TEMPLATE_ARGUMENT, get_user_config()["abbreviations"])
        remote = is_repo_url(expanded) or is_zip_file(expanded)
    except Exception:  # noqa: BLE001 -- no cookiecutter config: keep the argument as typed
        remote = True
    if remote or Path(TEMPLATE_ARGUMENT).is_absolute():
        return TEMPLATE_ARGUMENT
    folder = next(template_folders(), None)
    return str(folder) if folder else TEMPLATE_ARGUMENT


def rerun_command(saved):
    """The command that bakes again from the replay file ``saved``, into the same folder."""
    command = [*launcher(), "--replay-file", str(saved)]
    if OUTPUT_DIR:
        command += ["-o", OUTPUT_DIR]
    if CHECKOUT:
        command += ["--checkout", CHECKOUT]
    return shlex.join([*command, template_for_rerun()])


def rerun_hint():
    """Where the answers are saved and the one command that bakes again with them."""
    saved = replay_file()
    if saved is None or not TEMPLATE_ARGUMENT:
        return ""
    return (
        f" (all answers are saved in {saved}: fix this one there, "
        f"then run: {rerun_command(saved)})"
    )


def main():
    try:
        check_folder(PROJECT_DIR)  # first: nothing else matters if a project is there
    except FolderInUse as error:
        print(f"ERROR: {error}", file=sys.stderr)
        sys.exit(1)
    try:
        check_text(ANSWERS)  # first: the slug is derived from the name
        check_slug(ANSWERS["project_slug"])
        check_choices(ANSWERS)
        check_timeouts(ANSWERS)
        check_combinations(ANSWERS)
    except BadAnswer as error:
        print(f"ERROR: {error}{rerun_hint()}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
