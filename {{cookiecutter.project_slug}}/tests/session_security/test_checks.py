"""The project's own system checks catch what Django's check --deploy misses."""

import pytest
from django.core import checks
from django.core.cache.backends.redis import RedisCache

from session_security.checks import is_session_security_middleware
from session_security.storage.engines import ENGINES, SESSION_CACHE_ALIAS

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
REDIS = "django.core.cache.backends.redis.RedisCache"

# Model checks ask the database whether it supports JSON fields.
pytestmark = pytest.mark.django_db


def ids(deploy=True):
    return {message.id for message in checks.run_checks(include_deployment_checks=deploy)}


def test_the_baked_settings_pass_every_check():
    assert not {i for i in ids() if i.startswith("session_security")}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"SESSION_ENGINE": ENGINES["cache"]}, "session_security.E001"),
        ({"SESSION_ENGINE": ENGINES["cached_db"]}, "session_security.W001"),
        (
            {"SESSION_SERIALIZER": "django.contrib.sessions.serializers.PickleSerializer"},
            "session_security.W002",
        ),
        ({"SESSION_COOKIE_SAMESITE": "None"}, "session_security.W003"),
        ({"CSRF_COOKIE_SAMESITE": False}, "session_security.W003"),
        ({"SESSION_COOKIE_DOMAIN": "example.com"}, "session_security.E002"),
        ({"CSRF_COOKIE_DOMAIN": "example.com"}, "session_security.E002"),
        ({"SESSION_IDLE_TIMEOUT": 90000}, "session_security.W004"),
        ({"SESSION_ROTATION_INTERVAL": 1800}, "session_security.W005"),
        ({"SECURE_HSTS_PRELOAD": True, "SECURE_HSTS_SECONDS": 86400}, "session_security.E003"),
        ({"SECURE_HSTS_SECONDS": 86400}, "session_security.W006"),
        ({"SECURE_CSP": {}}, "session_security.W007"),
    ],
)
def test_each_check_fires(settings, changes, expected):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        SESSION_CACHE_ALIAS: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    for name, value in changes.items():
        setattr(settings, name, value)
    assert expected in ids()


def test_counters_on_a_sqlite_too_old_for_them_are_an_error(settings, monkeypatch):
    """An old SQLite cannot be installed here: its version number is what changes."""
    import sqlite3

    from django.db import connection

    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": LOCMEM}}
    assert "session_security.E005" not in ids(deploy=False)
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 34, 1))
    on_sqlite = connection.vendor == "sqlite"
    assert ("session_security.E005" in ids(deploy=False)) is on_sqlite
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": REDIS}}
    assert "session_security.E005" not in ids(deploy=False)  # the counters are in Redis


def test_django_session_middleware_instead_of_ours_is_an_error(settings):
    settings.MIDDLEWARE = [
        "django.contrib.sessions.middleware.SessionMiddleware"
        if is_session_security_middleware(m)
        else m
        for m in settings.MIDDLEWARE
    ]
    assert "session_security.E004" in ids(deploy=False)


class OtherRedisCache(RedisCache):
    """Another client under Django's Redis cache: shared as much as Django's own."""


@pytest.mark.parametrize(
    "backend", ["django.core.cache.backends.redis.RedisCache", f"{__name__}.OtherRedisCache"]
)
def test_redis_session_cache_passes(settings, backend):
    settings.SESSION_ENGINE = ENGINES["cache"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        SESSION_CACHE_ALIAS: {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:6379/0"},
    }
    assert "session_security.E001" not in ids()
