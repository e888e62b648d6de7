"""Strict readers for environment variables.

django-environ parses the values; these helpers add what it leaves out: a
wrong value stops start-up with an ``ImproperlyConfigured`` error that names
the variable and what it accepts, instead of a bare ``ValueError`` or a
silent fallback (django-environ reads any unknown word as ``False``).
"""

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def _raw(name):
    value = env.str(name, default=None)
    return None if value is None else value.strip()


def flag(name, default):
    """A yes/no variable: one of on/off, true/false, yes/no, 1/0."""
    value = _raw(name)
    if value is None or value == "":
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value; use one of: "
        f"{', '.join(TRUE_WORDS)} or {', '.join(FALSE_WORDS)}"
    )


def integer(name, default, *, minimum=0):
    """A whole number, at least ``minimum``."""
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not allowed; it must be a whole number, {minimum} or more"
        )
    return number


def choice(name, allowed, default):
    """One word out of ``allowed`` (matched exactly)."""
    value = _raw(name)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not allowed; choose one of: {', '.join(allowed)}"
        )
    return value


def words(name, default=()):
    """A comma-separated list; blanks are dropped."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def url_setting(name, parse, default):
    """A URL parsed by one of django-environ's ``*_url_config`` readers."""
    value = _raw(name) or default
    if not value:
        return None
    try:
        return parse(value)
    except Exception as error:  # django-environ raises several kinds
        raise ImproperlyConfigured(f"{name} is not a valid URL: {error}") from error


def required(name, *, when, fallback):
    """A value that must be set when ``when`` is true; else ``fallback()``."""
    value = _raw(name)
    if value:
        return value
    if when:
        raise ImproperlyConfigured(f"{name} must be set (it is required when DJANGO_DEBUG is off)")
    return fallback()


def text(name, default):
    """A plain string."""
    return _raw(name) or default


SMTP_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_TIMEOUT": "timeout",
}


def mailer(email_config):
    """Turn django-environ's ``EMAIL_URL`` settings into a ``MAILERS`` entry."""
    options = {
        option: email_config[setting]
        for setting, option in SMTP_OPTIONS.items()
        if email_config.get(setting) not in (None, "")
    }
    return {"BACKEND": email_config["EMAIL_BACKEND"], "OPTIONS": options}


def database(name, default):
    """``DATABASES['default']`` from a database URL, refusing unknown schemes.

    django-environ passes an unknown scheme through as the engine name, which
    would fail later with an import error that does not name the variable.
    """
    config = url_setting(name, environ.Env.db_url_config, default)
    if config is None:  # unset, and no default: an optional database
        return None
    if config["ENGINE"] not in set(environ.Env.DB_SCHEMES.values()):
        schemes = ", ".join(sorted({"postgres", "postgresql", "sqlite", "mysql"}))
        raise ImproperlyConfigured(
            f"{name} is not a valid URL: unknown database scheme in {config['ENGINE']!r} "
            f"(use one of: {schemes})"
        )
    return config
