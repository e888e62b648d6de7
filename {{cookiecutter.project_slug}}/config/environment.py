"""Strict readers for environment variables: a wrong value stops start-up, naming the variable."""

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


SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
# django-environ's names for what the URL says -> Django 6.1's MAILERS OPTIONS.
SMTP_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
}
# Query-string options (``?timeout=10``) each backend takes.
QUERY_OPTIONS = {
    SMTP_BACKEND: {
        "TIMEOUT": "timeout",
        "SSL_CERTFILE": "ssl_certfile",
        "SSL_KEYFILE": "ssl_keyfile",
    },
}


def _scheme(url):
    return (url or "").split(":", 1)[0].lower()


def _url_flag(name, option, value):
    """``?email_use_tls=false`` arrives as the string 'false', which is true."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ImproperlyConfigured(f"{name}: {option}={value!r} is not a yes/no value")


def mailer(name, default):
    """A ``MAILERS`` entry from the mail URL in ``name``; what no backend can use stops start-up.

    A backend would refuse an unknown or missing option only at the first mail.
    """
    url = _raw(name) or default
    email_config = url_setting(name, environ.Env.email_url_config, default)
    scheme = _scheme(url)
    if scheme == "smtps":
        raise ImproperlyConfigured(
            f"{name}: 'smtps://' is ambiguous; use smtp+tls:// (STARTTLS, port 587) "
            "or smtp+ssl:// (implicit TLS, port 465)"
        )
    backend = email_config["EMAIL_BACKEND"]
    options = {}
    if backend == SMTP_BACKEND:
        options = {
            option: email_config[setting]
            for setting, option in SMTP_OPTIONS.items()
            if email_config.get(setting) not in (None, "")
        }
        for option in ("use_tls", "use_ssl"):
            if option in options:
                options[option] = _url_flag(name, option, options[option])
        if not options.get("host"):
            raise ImproperlyConfigured(f"{name} needs a mail server host, e.g. smtp://host:25")
        if options.get("use_tls") and options.get("use_ssl"):
            raise ImproperlyConfigured(f"{name}: use_tls and use_ssl exclude each other")
    elif backend == FILE_BACKEND:
        path = email_config.get("EMAIL_FILE_PATH", "").strip("/")
        if not path:
            raise ImproperlyConfigured(
                f"{name} needs a directory for the mail files, e.g. filemail:///var/mail/out"
            )
        options["file_path"] = "/" + path
    known = QUERY_OPTIONS.get(backend, {})
    for key, value in email_config.get("OPTIONS", {}).items():
        if key not in known:
            allowed = ", ".join(option.lower() for option in known) or "none"
            raise ImproperlyConfigured(
                f"{name}: unknown option {key.lower()!r} for {scheme or backend}:// "
                f"(options here: {allowed})"
            )
        options[known[key]] = value
    return {"BACKEND": backend, "OPTIONS": options}


def database(name, default):
    """``DATABASES['default']`` from a database URL; an unknown scheme stops start-up."""
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


POOL_MODES = ("on", "off", "auto")


def database_pool(database_config, *, mode, min_size, max_size, timeout, max_age):
    """``OPTIONS["pool"]`` (psycopg's pool) from the ``DJANGO_DB_POOL*`` values, or ``None``.

    ``on`` needs PostgreSQL and no persistent connections (``DJANGO_CONN_MAX_AGE``
    unset or 0), and is refused otherwise; ``auto`` is on exactly when both hold.
    """
    if max_size < min_size:
        raise ImproperlyConfigured(
            f"DJANGO_DB_POOL_MAX_SIZE={max_size} is below DJANGO_DB_POOL_MIN_SIZE={min_size}; "
            "the pool cannot keep more connections than it may open"
        )
    postgresql = "postgresql" in database_config["ENGINE"]
    if mode == "on" and not postgresql:
        raise ImproperlyConfigured(
            "DJANGO_DB_POOL=on needs a PostgreSQL DATABASE_URL (psycopg's pool); "
            f"this one is {database_config['ENGINE']!r}: set DJANGO_DB_POOL=off"
        )
    if mode == "on" and max_age:
        raise ImproperlyConfigured(
            f"DJANGO_DB_POOL=on and DJANGO_CONN_MAX_AGE={max_age} exclude each other: pooled "
            "connections go back to the pool after each request; unset DJANGO_CONN_MAX_AGE "
            "(or set it to 0)"
        )
    if mode == "off" or not postgresql or max_age:
        return None
    from psycopg_pool import ConnectionPool

    return {
        "min_size": min_size,
        "max_size": max_size,
        "timeout": timeout,
        # CONN_HEALTH_CHECKS for pooled connections: a dead one is replaced, not handed out.
        "check": ConnectionPool.check_connection,
    }
