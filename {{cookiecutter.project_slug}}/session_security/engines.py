"""Session engine selection, from one environment variable.

``DJANGO_SESSION_ENGINE`` names one of four engines; this module maps the
name to this app's hardened backends and builds the cache they need. It is
imported by the settings module, so it must not import models.
"""

from django.core.exceptions import ImproperlyConfigured

ENGINE_NAMES = ("db", "cache", "cached_db", "signed_cookies")

ENGINES = {
    "db": "session_security.backends.db",
    "cache": "session_security.backends.cache",
    "cached_db": "session_security.backends.cached_db",
    "signed_cookies": "session_security.backends.signed_cookies",
}

# Sessions live in a cache alias of their own, so that clearing or resizing
# the general-purpose cache never signs anybody out.
SESSION_CACHE_ALIAS = "sessions"

REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"

# Shared caches are the only ones that work with more than one process.
SHARED_CACHE_BACKENDS = (
    REDIS_BACKEND,
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)


def caches(cache_config):
    """``CACHES`` from the parsed ``CACHE_URL`` (``None`` when unset).

    Without a ``CACHE_URL`` both aliases are per-process memory caches: fine
    for the ``db`` and ``signed_cookies`` engines and for development.
    """
    if cache_config is None:
        local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        return {
            "default": local | {"LOCATION": "default"},
            SESSION_CACHE_ALIAS: local | {"LOCATION": "sessions"},
        }
    sessions = dict(cache_config)
    if sessions["BACKEND"] == REDIS_BACKEND:
        sessions["OPTIONS"] = fail_fast_options() | sessions.get("OPTIONS", {})
    return {"default": cache_config, SESSION_CACHE_ALIAS: sessions}


def fail_fast_options():
    """Redis client options for the session cache: fail in milliseconds.

    redis-py 8 retries a refused connection three times with exponential
    backoff, about five seconds per command: during an outage every request
    would hang that long before its 503 (``cache``) or database fallback
    (``cached_db``). One immediate retry covers a dropped idle connection.
    """
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {"retry": Retry(NoBackoff(), 1), "socket_connect_timeout": 1, "socket_timeout": 2}


def engine_path(name, caches, *, debug):
    """The ``SESSION_ENGINE`` path for ``name``.

    The ``cache`` engine keeps sessions nowhere else: a per-process memory
    cache would sign users out on every restart and split them between
    workers, so outside debug it needs a real ``CACHE_URL``.
    """
    if name not in ENGINES:
        raise ImproperlyConfigured(
            f"DJANGO_SESSION_ENGINE={name!r} is not allowed; "
            f"choose one of: {', '.join(ENGINE_NAMES)}"
        )
    backend = caches[SESSION_CACHE_ALIAS]["BACKEND"]
    if name == "cache" and not debug and backend not in SHARED_CACHE_BACKENDS:
        raise ImproperlyConfigured(
            "DJANGO_SESSION_ENGINE='cache' needs CACHE_URL (e.g. redis://host:6379/0): "
            "without it sessions would live in one process's memory"
        )
    return ENGINES[name]
