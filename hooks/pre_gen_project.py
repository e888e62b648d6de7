"""Validate every answer before anything is written.

Answers can arrive through ``--no-input``, ``extra_context`` or ``--replay``,
which bypass cookiecutter's menus, so every choice is checked here again.
A failed check prints one line naming the answer and what is allowed, and
exits non-zero: cookiecutter then removes the half-made project folder.
"""

import json
import keyword
import re
import sys

# The whole context, serialised twice so that any answer (quotes included)
# arrives as data, never as Python source.
ANSWERS = {
    key: str(value)
    for key, value in json.loads({{ cookiecutter | jsonify | jsonify }}).items()
    if not key.startswith("_")
}

CHOICES = {
    "session_engine": ("db", "cache", "cached_db", "signed_cookies"),
    "session_expire_at_browser_close": ("no", "yes"),
    "session_cookie_samesite": ("Lax", "Strict"),
    "session_bind_ip": ("off", "log", "enforce"),
    "session_bind_user_agent": ("off", "log", "enforce"),
    "session_device_bound": ("yes", "no"),
    "database": ("sqlite", "postgresql"),
}

# Top-level names the baked project imports: a slug equal to one of them
# would shadow it on sys.path.
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


def check_choices(answers):
    for key, allowed in CHOICES.items():
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


def main():
    try:
        check_text(ANSWERS)  # first: the slug is derived from the name
        check_slug(ANSWERS["project_slug"])
        check_choices(ANSWERS)
        check_timeouts(ANSWERS)
    except BadAnswer as error:
        print(f"ERROR: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
