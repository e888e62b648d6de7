"""Periodic key rotation, with a short grace for requests already in flight."""

import pytest
from django.conf import settings

from session_security.models import SessionRecord
from session_security.policy import ROTATION_GRACE
from tests.conftest import (
    HttpsClient,
    assert_refused,
    is_signed_in,
    replay,
    session_cookie,
    sign_in,
)

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


@pytest.mark.parametrize(
    "path",
    ["/accounts/logout/", "/accounts/sessions/end-others/", "/accounts/sessions/end-everywhere/"],
)
def test_the_previous_key_cannot_write_during_its_grace(
    any_client, user, engine, rotation, clock, path
):
    """A replayed previous key may still read for a moment; it changes nothing.

    Without this, a thief replaying the key captured before a rotation could
    sign the owner out, or end the owner's other sessions, during the grace.
    """
    sign_in(any_client)
    phone = HttpsClient()
    sign_in(phone)
    old = session_cookie(any_client)
    clock.shift(300)
    any_client.get("/")  # rotates
    csrf = any_client.get("/accounts/sessions/").context["csrf_token"]

    thief = HttpsClient(enforce_csrf_checks=True)
    thief.cookies[COOKIE] = old
    thief.cookies[settings.CSRF_COOKIE_NAME] = any_client.cookies[settings.CSRF_COOKIE_NAME].value
    refused = thief.post(path, {"csrfmiddlewaretoken": csrf}, HTTP_REFERER="https://testserver/")
    assert refused.status_code == 409
    assert 'id="retry"' in refused.text  # the person whose form raced it can retry
    assert COOKIE not in refused.cookies
    assert is_signed_in(any_client.get("/"))  # the owner is still signed in...
    assert is_signed_in(phone.get("/"))  # ...and so is the other session
    assert not SessionRecord.objects.filter(user=user, ended_at__isnull=False).exists()


def test_a_form_that_raced_the_rotation_works_when_sent_again(
    client, user, engine, rotation, clock
):
    sign_in(client)
    old = session_cookie(client)
    clock.shift(300)
    client.get("/")  # rotates; the browser now holds the new key
    new = session_cookie(client)
    client.cookies[COOKIE] = old  # a form sent just before the new cookie arrived
    raced = client.post("/accounts/logout/", HTTP_REFERER="https://testserver/accounts/sessions/")
    assert raced.status_code == 409
    assert 'href="https://testserver/accounts/sessions/"' in raced.text
    client.cookies[COOKIE] = new
    assert client.post("/accounts/logout/").status_code == 302  # sent again: done
    assert_refused(client.get("/"))
