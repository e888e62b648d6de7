"""Two app servers, one store: what a user sees when the project scales out.

Two gunicorn instances of the baked project share what instances of one
deployment share: the secret key, the database (sessions for ``db`` and
``cached_db``, and the session registry for every engine) and, for ``cache``
and ``cached_db``, Redis. ``signed_cookies`` keeps the session in the cookie:
only the key (and the registry) are shared. A user signs in on one instance,
works and signs out on the other, and a copy of the cookie taken before the
sign-out is dead on both: a load balancer may send any request anywhere.

The servers are reached as in production, through a TLS-terminating proxy
(see ``tests/fixtures/servers.py``), with every production setting on.
"""

import httpx
import pytest
import redis

from tests.fixtures.servers import AppServer, Browser, replay_on, running

# Sets up what it tests itself (the engines are the test's parameters).
pytestmark = pytest.mark.standalone

ENGINES = [
    "db",
    pytest.param("cache", marks=pytest.mark.services),
    pytest.param("cached_db", marks=pytest.mark.services),
    "signed_cookies",
]


def assert_production_https(server):
    """Plain HTTP is sent to HTTPS; over HTTPS the cookies are __Host- and Secure."""
    with httpx.Client(verify=False, timeout=10) as client:  # plain HTTP: no certificate
        plain = client.get(server.url + "/accounts/login/")
    assert plain.status_code == 301
    assert plain.headers["Location"] == server.public_url + "/accounts/login/"
    with Browser() as browser:
        page = browser.get(server, "/accounts/login/")
        assert page.status_code == 200
        cookie = page.headers["Set-Cookie"]
        assert cookie.startswith("__Host-csrftoken=") and "Secure" in cookie


def keys_in_redis(env):
    """The session keys the shared Redis holds (empty for the other engines)."""
    if "CACHE_URL" not in env:
        return set()
    with redis.Redis.from_url(env["CACHE_URL"]) as client:
        return {key.decode() for key in client.keys("*")}


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_session_follows_the_user_across_instances_and_ends_on_all(engine_name, app_env):
    env = app_env(engine_name)
    with running(AppServer(env), AppServer(env)) as (first, second), Browser() as browser:
        assert_production_https(first)
        browser.sign_in(first)
        copied = browser.session_cookie
        assert copied
        if engine_name in ("cache", "cached_db"):  # in the store both instances share
            assert any(key.endswith(copied) for key in keys_in_redis(env))

        # The other instance knows the session, and a form posted there works.
        assert browser.whoami(second) == "alice"
        assert browser.whoami(first) == "alice"
        browser.sign_out(second)

        # Signed out everywhere: the browser lost its cookie...
        assert browser.session_cookie is None
        assert browser.whoami(first) is None
        # ...and a copy taken before the sign-out is refused by both
        # instances, including the one that issued it.
        assert replay_on(first, copied) is None
        assert replay_on(second, copied) is None
        assert not any(key.endswith(copied) for key in keys_in_redis(env))
