"""Session engine selection, from one environment variable.

``DJANGO_SESSION_ENGINE`` names one of four engines; this module maps the
name to this app's hardened backends and builds the cache they need. It is
imported by the settings module, so it must not import models.
"""

import re

from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

ENGINE_NAMES = ("db", "cache", "cached_db", "signed_cookies")

ENGINES = {
    "db": "session_security.storage.db",
    "cache": "session_security.storage.cache",
    "cached_db": "session_security.storage.cached_db",
    "signed_cookies": "session_security.storage.signed_cookies",
}

# Sessions live in a cache alias of their own, so that clearing or resizing
# the general-purpose cache never signs anybody out.
SESSION_CACHE_ALIAS = "sessions"

REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"
# Django's Memcached backends: shared between processes, as Redis is.
MEMCACHED_BACKENDS = (
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)


def is_redis_backend(backend):
    """Whether the cache ``BACKEND`` path names Django's ``RedisCache`` or a subclass of it.

    A subclass (another client under Django's Redis cache) gets the same
    fail-fast options and counts as shared. Importing the class is safe while
    the settings load: Django's cache backends (and this project's) import
    no models.
    """
    try:
        backend_class = import_string(backend)
    except ImportError:
        return False
    return isinstance(backend_class, type) and issubclass(backend_class, RedisCache)


def is_shared_cache(backend):
    """Whether a cache ``BACKEND`` is shared between processes: Redis or Memcached.

    Shared caches are the only ones that work with more than one process.
    """
    return backend in MEMCACHED_BACKENDS or is_redis_backend(backend)


# URL schemes other libraries use for Redis Cluster: refused, not half-served.
CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster", "rediscluster", "redis-cluster")
# What the refusal of a Cluster URL suggests instead.
CLUSTER_ADVICE = "point it at one Redis primary (redis://host:6379/0)"


def cache_url_config(url, *, cluster_advice=CLUSTER_ADVICE):
    """Parse ``CACHE_URL`` in django-environ's forms.

    A Redis Cluster URL is refused: the layer does not speak the cluster
    protocol; ``cluster_advice`` ends the message. Errors are ``ValueError``s,
    which ``config.environment.url_setting`` reports naming the variable.
    """
    import environ

    scheme = url.split("://", 1)[0].lower()
    if scheme in CLUSTER_SCHEMES:
        raise ValueError(
            f"{scheme}:// is Redis Cluster, which this project does not support; {cluster_advice}"
        )
    return environ.Env.cache_url_config(url)


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
        sessions["LOCATION"] = primary_only(sessions["LOCATION"])
    if is_redis_backend(sessions["BACKEND"]):
        sessions["OPTIONS"] = fail_fast_options() | sessions.get("OPTIONS", {})
    return {"default": cache_config, SESSION_CACHE_ALIAS: sessions}


def primary_only(location):
    """The first server of a multi-server ``CACHE_URL``: the only one sessions use.

    With several servers Django's ``RedisCache`` writes to the first and
    reads from a random other one, a replica: a session written at sign-in
    and not yet replicated would be missing there (a silent sign-out), and
    a deleted one still readable. The general cache keeps all of them.
    """
    servers = location if isinstance(location, list | tuple) else re.split("[;,]", location)
    return servers[0]


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
    if name == "cache" and not debug and not is_shared_cache(backend):
        raise ImproperlyConfigured(
            "DJANGO_SESSION_ENGINE='cache' needs CACHE_URL (e.g. redis://host:6379/0): "
            "without it sessions would live in one process's memory"
        )
    return ENGINES[name]
