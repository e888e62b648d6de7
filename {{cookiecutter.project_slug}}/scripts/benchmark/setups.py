"""The three setups compared, and the environment each app server gets.

1. ``project``: this project exactly as baked (``config.settings``).
2. ``stock``: the same project, pages and settings, with Django's own
   session middleware, session backends and authentication middleware: what
   the session layer would cost without this project (no idle timeout, no
   registry). See ``stock_settings.py``.
3. ``save_every``: stock plus ``SESSION_SAVE_EVERY_REQUEST = True``, the
   usual advice for an idle timeout in Django (``save_every_settings.py``).
4. ``orm_read``, with ``--orm-read`` only: this project with its per-request
   reads through the ORM's ``select_related`` instead of its compiled join
   (``orm_read_settings.py``): what the compiled join buys.

Every server runs the production configuration: debug off, HTTPS enforced
(reached as plain HTTP behind a proxy that sends ``X-Forwarded-Proto``, hence
``DJANGO_SECURE_PROXY_SSL_HEADER``), secure cookies, persistent database
connections.{% if cookiecutter.session_device_bound == "yes" %} Device binding (DBSC) is off: the load generator is no browser.{% endif %}

Under ASGI (uvicorn) persistent connections are off (``DJANGO_CONN_MAX_AGE=0``),
as Django's documentation asks: with the default of 60 s they were not reused
across requests and piled up until PostgreSQL refused more clients. Psycopg's
connection pool (``DJANGO_DB_POOL``, ``--pool``) is on under uvicorn and off
under gunicorn unless asked otherwise, the same for every setup.
"""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setup:
    key: str
    label: str
    settings: str


SETUPS = (
    Setup("project", "this project", "config.settings"),
    Setup("stock", "stock Django", "scripts.benchmark.stock_settings"),
    Setup("save_every", "stock + save every request", "scripts.benchmark.save_every_settings"),
)
ORM_READ = Setup("orm_read", "this project, ORM read", "scripts.benchmark.orm_read_settings")
STOCK = "stock"
# The database is migrated with the stock settings: the project's apps plus
# Django's own sessions, so every table any setup uses.
MIGRATED_BY = next(setup for setup in SETUPS if setup.key == STOCK)


def chosen(plan):
    """The setups ``plan`` runs: the three, and the ORM read if asked."""
    return SETUPS + ((ORM_READ,) if plan.orm_read else ())


ENGINES = ("db", "cache", "cached_db", "signed_cookies")
REDIS_ENGINES = ("cache", "cached_db")

# What a process needs from the parent environment to run; nothing else leaks in.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "PYENV_VERSION", "VIRTUAL_ENV", "TMPDIR")
SECRET_KEY = "benchmark-only-not-a-secret-" + "b" * 40  # noqa: S105


def environment(setup, engine, *, database_url, redis_url=None, server="gunicorn", pool="off"):
    """The environment of one app server (or ``manage.py``) for ``setup`` and ``engine``."""
    env = {name: os.environ[name] for name in INHERITED if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE=setup.settings,
        DJANGO_ENV_FILE="",  # the bake's .env (a development setup) is not read
        DJANGO_DEBUG="off",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_PROXY_SSL_HEADER="on",
{%- if cookiecutter.session_device_bound == "yes" %}
        DJANGO_SESSION_DEVICE_BOUND="off",
{%- endif %}
        DJANGO_SESSION_ENGINE=engine,
        DATABASE_URL=database_url,
        DJANGO_DB_POOL=pool,
        PYTHONUNBUFFERED="1",
    )
    if engine in REDIS_ENGINES:
        env["CACHE_URL"] = redis_url
    if server == "uvicorn":
        env["DJANGO_CONN_MAX_AGE"] = "0"
    return env
