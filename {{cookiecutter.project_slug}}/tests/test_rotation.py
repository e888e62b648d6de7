"""Periodic key rotation, with a short grace for requests already in flight."""

import pytest

from session_security.policy import ROTATION_GRACE
from tests.conftest import assert_refused, is_signed_in, replay, session_cookie, sign_in

pytestmark = pytest.mark.django_db

COOKIE = "__Host-sessionid"


@pytest.fixture
def rotation(settings):
    settings.SESSION_COOKIE_AGE = 7200
    settings.SESSION_IDLE_TIMEOUT = 1800
    settings.SESSION_ROTATION_INTERVAL = 300


def test_live_session_gets_a_new_key_after_the_interval(client, user, engine, rotation, clock):
    sign_in(client)
    first = session_cookie(client)
    clock.shift(299)
    response = client.get("/")
    assert COOKIE not in response.cookies  # not yet
    clock.shift(1)
    response = client.get("/")
    assert is_signed_in(response)
    assert COOKIE in response.cookies
    second = session_cookie(client)
    assert second != first
    clock.shift(300)
    client.get("/")
    assert session_cookie(client) not in (first, second)


def test_previous_key_works_during_grace_and_not_after(any_client, user, engine, rotation, clock):
    sign_in(any_client)
    old = session_cookie(any_client)
    clock.shift(300)
    any_client.get("/")  # rotates
    new = session_cookie(any_client)
    assert new != old

    clock.shift(ROTATION_GRACE)  # a request that was already in flight
    in_flight = replay(old)
    assert is_signed_in(in_flight)
    # It must not learn the new key (it may be a thief's replay), nor write.
    assert COOKIE not in in_flight.cookies

    clock.shift(1)  # grace over
    assert_refused(replay(old))
    assert is_signed_in(any_client.get("/"))  # the user who holds the new key is fine


def test_key_two_rotations_old_is_refused_at_once(client, user, engine, rotation, clock):
    sign_in(client)
    oldest = session_cookie(client)
    clock.shift(300)
    client.get("/")
    clock.shift(300)
    client.get("/")
    assert_refused(replay(oldest))
    assert is_signed_in(client.get("/"))


def test_rotation_off(client, user, engine, settings, clock):
    settings.SESSION_ROTATION_INTERVAL = 0
    sign_in(client)
    first = session_cookie(client)
    for _ in range(5):
        clock.shift(600)
        assert is_signed_in(client.get("/"))
    assert session_cookie(client) == first
