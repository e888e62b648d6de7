"""Validate every answer before anything is written.

Answers can arrive through ``--no-input``, ``extra_context`` or ``--replay``,
which bypass cookiecutter's menus, so every choice is checked here again.
A failed check prints one line naming the answer and what is allowed, and
where cookiecutter saved all the answers with the command that reruns with
them once that one is fixed (an interactive user need not answer the other
questions again); it exits non-zero: cookiecutter then removes the half-made
project folder.
"""

import json
import keyword
import os
import re
import shlex
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

# The folder cookiecutter read the template from, and the template argument
# as the user typed it (the rerun command repeats it).
REPO_DIR = CONTEXT.get("_repo_dir") or ""
TEMPLATE_ARGUMENT = CONTEXT.get("_template") or ""

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


def rerun_hint():
    """Where the answers are saved and the one command that bakes again with them."""
    saved = replay_file()
    if saved is None or not TEMPLATE_ARGUMENT:
        return ""
    command = shlex.join(["cookiecutter", "--replay-file", str(saved), TEMPLATE_ARGUMENT])
    return f" (all answers are saved in {saved}: fix this one there, then run: {command})"


def main():
    try:
        check_text(ANSWERS)  # first: the slug is derived from the name
        check_slug(ANSWERS["project_slug"])
        check_choices(ANSWERS)
        check_timeouts(ANSWERS)
    except BadAnswer as error:
        print(f"ERROR: {error}{rerun_hint()}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
