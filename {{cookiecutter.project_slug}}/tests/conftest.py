"""Shared fixtures: users, clients, engines and the real services.

The services (Redis, PostgreSQL) and the app servers are started by the
fixture plugins in ``tests/fixtures/``; see each module's docstring.
"""

import datetime

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.cache import caches
from django.test import AsyncClient, Client

from session_security.storage.engines import (
    ENGINE_NAMES,
    ENGINES,
    SESSION_CACHE_ALIAS,
    fail_fast_options,
)

pytest_plugins = [
    "tests.fixtures.processes",
    "tests.fixtures.services",
    "tests.fixtures.servers",
    "tests.fixtures.browser",
    "tests.fixtures.mail",
    "tests.fixtures.tls",
    "pytester",
]

PASSWORD = "correct horse battery staple 42"
# Where the ``clock`` fixture starts time.
T0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="alice", password=PASSWORD)


class HttpsClient(Client):
    """Every request over HTTPS, as in production (SECURE_SSL_REDIRECT is on)."""

    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


class AsyncHttpsClient(AsyncClient):
    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


class AsgiHttpsClient(AsyncHttpsClient):
    """Django's async client behind a sync API: requests go through ASGIHandler,
    so the middleware runs its async path, in tests written once for both."""

    def get(self, *args, **kwargs):
        return async_to_sync(super().get)(*args, **kwargs)

    def post(self, *args, **kwargs):
        return async_to_sync(super().post)(*args, **kwargs)


@pytest.fixture
def clock():
    """Frozen time at ``T0`` (``timezone.now()`` and ``time.time()``); ``clock.shift(s)``."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client():
    return HttpsClient()


@pytest.fixture(params=["wsgi", "asgi"])
def any_client(request):
    """A client per handler: WSGI (sync middleware) and ASGI (async middleware)."""
    return HttpsClient() if request.param == "wsgi" else AsgiHttpsClient()


@pytest.fixture
def async_client():
    return AsyncHttpsClient()


def use_engine(settings, name, cache_url):
    """Point the project at one session engine, its cache on the real Redis."""
    settings.SESSION_ENGINE_NAME = name
    settings.SESSION_ENGINE = ENGINES[name]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        SESSION_CACHE_ALIAS: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": cache_url,
            "OPTIONS": fail_fast_options(),
        },
    }


@pytest.fixture(autouse=True)
def empty_default_cache():
    """Rate-limit counts in the default cache (when a test puts it on Redis) start at zero;
    those in the database go with each test's transaction."""
    caches["default"].clear()


@pytest.fixture(autouse=True)
def default_engine_on_real_redis(request, settings):
    """The baked default engine, with its cache (if any) on the real Redis."""
    name = settings.SESSION_ENGINE_NAME
    if name in ("cache", "cached_db") and "engine" not in request.fixturenames:
        use_engine(settings, name, request.getfixturevalue("redis_url"))


@pytest.fixture
def request_cost(request, settings):
    """``with request_cost() as cost:`` counts SQL, Redis commands and writes.

    Both cache aliases live on the real Redis for the test, so that a write
    to the general cache (rate limits, claims) is counted too.
    """
    import redis

    from tests.cost import RequestCost

    if "engine" in request.fixturenames:
        request.getfixturevalue("engine")  # it sets CACHES too: first
    url = request.getfixturevalue("redis_url")
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url},
    }
    client = redis.Redis.from_url(url)
    yield lambda: RequestCost(client, settings.SESSION_COOKIE_NAME)
    client.close()


@pytest.fixture
def quiet_policy(settings):
    """No rotation and a long idle timeout: only what every request pays is left."""
    settings.SESSION_ROTATION_INTERVAL = 0
    settings.SESSION_IDLE_TIMEOUT = 1800  # last-seen written at most every 90 s


@pytest.fixture(params=ENGINE_NAMES)
def engine(request, settings):
    """Each test using this runs once per engine, against a real Redis."""
    name = request.param
    cache_url = request.getfixturevalue("redis_url") if name in ("cache", "cached_db") else None
    use_engine(settings, name, cache_url or "redis://127.0.0.1:1/0")
    return name


def pytest_collection_modifyitems(items):
    """Tests using ``engine`` set the engine themselves, over every engine: the
    bake's own engine makes no difference to them (``every_engine`` marker)."""
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.every_engine)


def sign_in(client, username="alice", password=PASSWORD):
    """Sign in through the real login form; returns the response."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return response


def session_cookie(client):
    """The session cookie value the client holds now (``None`` if none)."""
    morsel = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return morsel.value if morsel and morsel.value else None


def replay(cookie_value, path="/"):
    """An attacker's request: a fresh client presenting a captured cookie."""
    attacker = HttpsClient()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = cookie_value
    return attacker.get(path)


def is_signed_in(response, username="alice"):
    return response.status_code == 200 and f'id="current-user">{username}<' in response.text


def assert_refused(response):
    """The request was treated as anonymous: sent to the login page."""
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith("/accounts/login/")
