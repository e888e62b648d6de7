"""Forged, garbled or oversized cookies: an anonymous visitor, never a 500."""

import base64
import json

import pytest
from django.core import signing

from tests.conftest import HttpsClient, assert_refused, session_cookie, sign_in

pytestmark = pytest.mark.django_db

GARBAGE = [
    "",
    "x",
    "0" * 32,
    "a" * 4000,
    "../../etc/passwd",
    "'; DROP TABLE django_session; --",
    "\u00e9\u00e8\u00ea",
    "eyJhbGciOiJub25lIn0.eyJfYXV0aF91c2VyX2lkIjoiMSJ9.",
    "null",
    "%00%00",
]


@pytest.mark.parametrize("value", GARBAGE)
def test_garbled_cookie_is_an_anonymous_visitor(user, engine, value):
    attacker = HttpsClient()
    attacker.cookies["__Host-sessionid"] = value
    assert_refused(attacker.get("/"))
    assert attacker.get("/accounts/login/").status_code == 200


def test_tampered_signed_cookie_is_refused(client, user, engine, settings):
    sign_in(client)
    value = session_cookie(client)
    flipped = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    attacker = HttpsClient()
    attacker.cookies["__Host-sessionid"] = flipped
    assert_refused(attacker.get("/"))


def test_cookie_signed_with_another_key_is_refused(user, engine, settings):
    """An attacker who writes the session data themselves cannot sign it."""
    data = {
        "_auth_user_id": str(user.pk),
        "_auth_user_backend": settings.AUTHENTICATION_BACKENDS[0],
    }
    forged = signing.dumps(
        data,
        key="not-the-secret-key-" * 3,
        salt="django.contrib.sessions.backends.signed_cookies",
        compress=True,
    )
    attacker = HttpsClient()
    attacker.cookies["__Host-sessionid"] = forged
    assert_refused(attacker.get("/"))


def test_unsigned_session_data_is_refused(user, engine):
    payload = base64.urlsafe_b64encode(json.dumps({"_auth_user_id": str(user.pk)}).encode())
    attacker = HttpsClient()
    attacker.cookies["__Host-sessionid"] = payload.decode()
    assert_refused(attacker.get("/"))


def test_authenticated_session_without_registry_row_is_refused(user, engine, settings):
    """A session that bypassed login() (no registry row) is not trusted."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.save()
    attacker = HttpsClient()
    attacker.cookies["__Host-sessionid"] = store.session_key
    assert_refused(attacker.get("/"))
