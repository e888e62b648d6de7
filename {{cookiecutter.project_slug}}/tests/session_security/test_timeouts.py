"""Idle timeout and absolute lifetime, enforced on the server for every engine.

Time moves with time-machine (``timezone.now()`` and ``time.time()``), so the
tests are exact and instant. The attacker keeps a copy of the cookie and
tries it after each deadline.
"""

import math

import pytest

from session_security.models import SessionRecord
from tests.conftest import assert_refused, is_signed_in, replay, session_cookie, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def timeouts(settings):
    settings.SESSION_COOKIE_AGE = 3600
    settings.SESSION_IDLE_TIMEOUT = 600
    settings.SESSION_ROTATION_INTERVAL = 0


def test_idle_session_ends(any_client, user, engine, timeouts, clock):
    sign_in(any_client)
    stolen = session_cookie(any_client)
    clock.shift(599)
    assert is_signed_in(any_client.get("/"))  # activity just in time keeps it alive
    clock.shift(599)
    assert is_signed_in(replay(stolen))
    clock.shift(600)
    assert_refused(replay(stolen))
    assert_refused(any_client.get("/"))
    assert SessionRecord.objects.get(user=user).end_reason == "idle_timeout"


def test_idle_timeout_never_fires_late_despite_lazy_writes(client, user, engine, timeouts, clock):
    """Last-seen is written once per window; the timeout may come early, never late."""
    sign_in(client)
    window = 30  # 600 s idle / 20
    clock.shift(window - 1)
    assert is_signed_in(client.get("/"))  # inside the window: last-seen not written
    clock.shift(600 - (window - 1))  # 600 s after sign-in, 571 s after the last request
    assert_refused(client.get("/"))


def test_absolute_lifetime_is_not_extended_by_activity(any_client, user, engine, timeouts, clock):
    sign_in(any_client)
    stolen = session_cookie(any_client)
    for _ in range(11):  # busy all along: a request every 5 minutes
        clock.shift(300)
        assert is_signed_in(any_client.get("/"))
    clock.shift(299)  # 3599 s after sign-in
    assert is_signed_in(any_client.get("/"))
    clock.shift(1)
    assert_refused(any_client.get("/"))
    assert_refused(replay(stolen))
    assert SessionRecord.objects.get(user=user).end_reason == "absolute_timeout"


def test_cookie_expiry_matches_the_absolute_end(client, user, engine, timeouts, clock):
    response = sign_in(client)
    morsel = response.cookies["__Host-sessionid"]
    assert int(morsel["max-age"]) in (3659, 3660)  # the end, plus the store margin


def test_expire_at_browser_close_gives_a_session_cookie(client, user, engine, timeouts, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    response = sign_in(client)
    morsel = response.cookies["__Host-sessionid"]
    assert morsel["max-age"] == "" and morsel["expires"] == ""
    assert is_signed_in(client.get("/"))


def test_steady_state_requests_do_not_write_the_session(
    client, user, engine, timeouts, clock, request_cost
):
    """The whole point: no write per request (SESSION_SAVE_EVERY_REQUEST does one each).

    120 requests, one every 10 s for 20 minutes, with a 600 s idle timeout: the
    session store is never written, and the registry's last-seen at most once
    per 30 s refresh window.
    """
    sign_in(client)
    client.get("/")
    requests, spacing, window = 120, 10, 30
    with request_cost() as cost:
        for _ in range(requests):
            clock.shift(spacing)
            assert is_signed_in(cost.saw(client.get("/")))
    registry = [sql for sql in cost.sql_writes if "session_security_sessionrecord" in sql]
    assert len(cost.sql_writes) - len(registry) + cost.redis_writes + cost.cookies == 0
    assert len(registry) <= math.ceil(requests * spacing / window)
    assert len(registry) >= (requests * spacing) // window - 1  # and it is kept fresh
