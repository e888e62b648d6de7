"""The session engine and the caches, for the settings (which import it: no models here)."""

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

# Their own alias: clearing the general cache never signs anybody out.
SESSION_CACHE_ALIAS = "sessions"

REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"
# Django's Memcached backends: shared between processes, as Redis is.
MEMCACHED_BACKENDS = (
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)


def is_redis_backend(backend):
    """Whether ``backend`` is Django's ``RedisCache`` or a subclass (importing loads no model)."""
    try:
        backend_class = import_string(backend)
    except ImportError:
        return False
    return isinstance(backend_class, type) and issubclass(backend_class, RedisCache)


def is_shared_cache(backend):
    """Whether a cache ``BACKEND`` is shared between processes: Redis or Memcached."""
    return backend in MEMCACHED_BACKENDS or is_redis_backend(backend)


# URL schemes other libraries use for Redis Cluster: refused, not half-served.
CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster", "rediscluster", "redis-cluster")
CLUSTER_ADVICE = "point it at one Redis primary (redis://host:6379/0)"


def cache_url_config(url, *, cluster_advice=CLUSTER_ADVICE):
    """``CACHE_URL`` in django-environ's forms; Redis Cluster is refused (a ``ValueError``)."""
    import environ

    scheme = url.split("://", 1)[0].lower()
    if scheme in CLUSTER_SCHEMES:
        raise ValueError(
            f"{scheme}:// is Redis Cluster, which this project does not support; {cluster_advice}"
        )
    return environ.Env.cache_url_config(url)


def caches(cache_config):
    """``CACHES`` from the parsed ``CACHE_URL``; without one, per-process memory caches."""
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
    """The first server of a multi-server URL: sessions are never read from a replica."""
    servers = location if isinstance(location, list | tuple) else re.split("[;,]", location)
    return servers[0]


def fail_fast_options():
    """Session cache client options: fail in milliseconds, not redis-py's five seconds."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {"retry": Retry(NoBackoff(), 1), "socket_connect_timeout": 1, "socket_timeout": 2}


def engine_path(name, caches, *, debug):
    """The ``SESSION_ENGINE`` path for ``name``; ``cache`` needs a shared cache outside debug."""
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
