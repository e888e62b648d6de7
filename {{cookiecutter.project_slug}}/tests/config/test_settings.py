"""Settings from the environment: secure defaults, clear errors for bad values.

Each test evaluates ``config/settings.py`` afresh under a given environment
(the running Django keeps its own settings).
"""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"
PRODUCTION = {
    "DJANGO_DEBUG": "off",
    "DJANGO_SECRET_KEY": "p" * 60,
    "DJANGO_ALLOWED_HOSTS": "example.com",
    # Pinned: a project baked with the cache engine needs a CACHE_URL to start.
    "DJANGO_SESSION_ENGINE": "db",
}
PREFIXES = ("DJANGO_", "DATABASE_URL", "CACHE_URL", "EMAIL_URL")


def load(monkeypatch, **environment):
    """The settings module's values under exactly ``environment``."""
    import os

    for name in list(os.environ):
        if name.startswith(PREFIXES):
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_secure_defaults(monkeypatch):
    s = load(monkeypatch, **PRODUCTION)
    assert s["DEBUG"] is False
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_HSTS_PRELOAD"] is False
    assert "SECURE_PROXY_SSL_HEADER" not in s
    assert s["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert s["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_DOMAIN"] is None and s["CSRF_COOKIE_DOMAIN"] is None
    assert s["SESSION_SERIALIZER"].endswith("JSONSerializer")
    assert s["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    assert s["DATABASES"]["default"]["CONN_MAX_AGE"] == 60
    assert s["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True
    assert s["MAILERS"]["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["AUTH_USER_MODEL"] == "accounts.User"
    csp = s["SECURE_CSP"]
    assert csp["default-src"] == ["'none'"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert not any("unsafe-inline" in str(value) for value in csp.values())


@pytest.mark.parametrize("name", ["db", "cache", "cached_db", "signed_cookies"])
def test_the_engine_is_chosen_by_one_variable(monkeypatch, name):
    environment = PRODUCTION | {"DJANGO_SESSION_ENGINE": name, "CACHE_URL": "redis://r:6379/0"}
    s = load(monkeypatch, **environment)
    assert s["SESSION_ENGINE"] == f"session_security.storage.{name}"
    assert s["SESSION_CACHE_ALIAS"] == "sessions"
    assert s["CACHES"]["sessions"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_the_engine_defaults_to_the_bake_answer(monkeypatch):
    environment = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SESSION_ENGINE"}
    s = load(monkeypatch, **environment, CACHE_URL="redis://r:6379/0")
    assert s["SESSION_ENGINE_NAME"] == s["BAKED_SESSION_ENGINE"]


def test_environment_values_are_read(monkeypatch):
    s = load(
        monkeypatch,
        **PRODUCTION,
        DJANGO_SESSION_COOKIE_AGE="7200",
        DJANGO_SESSION_IDLE_TIMEOUT="300",
        DJANGO_SESSION_ROTATION_INTERVAL="0",
        DJANGO_SESSION_COOKIE_SAMESITE="Strict",
        DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE="yes",
        DJANGO_SESSION_BIND_IP="enforce",
        DJANGO_TRUSTED_PROXY_COUNT="1",
        DJANGO_SECURE_PROXY_SSL_HEADER="on",
        DJANGO_SECURE_SSL_REDIRECT="off",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://example.com",
        DJANGO_CONN_MAX_AGE="0",
        DATABASE_URL="postgres://u:p@db:5432/app",
    )
    assert (s["SESSION_COOKIE_AGE"], s["SESSION_IDLE_TIMEOUT"]) == (7200, 300)
    assert s["SESSION_ROTATION_INTERVAL"] == 0
    assert s["SESSION_COOKIE_SAMESITE"] == s["CSRF_COOKIE_SAMESITE"] == "Strict"
    assert s["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert s["SESSION_BIND_IP"] == "enforce"
    assert s["TRUSTED_PROXY_COUNT"] == 1
    assert s["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert s["SECURE_SSL_REDIRECT"] is False
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://example.com"]
    assert s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert s["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a yes/no value"),
        ({"DJANGO_SESSION_ENGINE": "file"}, "DJANGO_SESSION_ENGINE='file' is not allowed"),
        ({"DJANGO_SESSION_ENGINE": "cache"}, "DJANGO_SESSION_ENGINE='cache' needs CACHE_URL"),
        ({"DJANGO_SESSION_IDLE_TIMEOUT": "abc"}, "DJANGO_SESSION_IDLE_TIMEOUT='abc'"),
        ({"DJANGO_SESSION_COOKIE_AGE": "0"}, "DJANGO_SESSION_COOKIE_AGE='0' is not allowed"),
        ({"DJANGO_SESSION_ROTATION_INTERVAL": "-1"}, "DJANGO_SESSION_ROTATION_INTERVAL='-1'"),
        ({"DJANGO_SESSION_COOKIE_SAMESITE": "None"}, "DJANGO_SESSION_COOKIE_SAMESITE='None'"),
        ({"DJANGO_SESSION_BIND_IP": "strict"}, "DJANGO_SESSION_BIND_IP='strict'"),
        ({"DJANGO_SECURE_SSL_REDIRECT": "sometimes"}, "DJANGO_SECURE_SSL_REDIRECT="),
        ({"DATABASE_URL": "nosuchdb://x/y"}, "DATABASE_URL is not a valid URL"),
        ({"CACHE_URL": "nosuchcache://x"}, "CACHE_URL is not a valid URL"),
        ({"EMAIL_URL": "pigeon://x"}, "EMAIL_URL is not a valid URL"),
    ],
)
def test_a_wrong_variable_stops_start_up_naming_it(monkeypatch, environment, message):
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(")):
        load(monkeypatch, **(PRODUCTION | environment))


def test_debug_allows_a_missing_key_and_a_local_cache(monkeypatch):
    s = load(monkeypatch, DJANGO_DEBUG="on", DJANGO_SESSION_ENGINE="cache")
    assert len(s["SECRET_KEY"]) >= 50
    assert s["CACHES"]["sessions"]["BACKEND"].endswith("LocMemCache")
    assert s["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
