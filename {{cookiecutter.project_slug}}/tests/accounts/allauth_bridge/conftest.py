"""The bridge's tests: a second factor, an account that signed up, allauth's paths.

allauth keeps a sign-in between its steps in the session; an attacker holds a copy of a key
(``planted`` before a step, ``seen`` during one, ``stolen`` after) and replays it. ``engine``
runs a test on each engine allauth may use: the server-side ones (signed cookies would hand
allauth's secrets to the browser; ``allauth_bridge.E001`` refuses them).
"""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings

from session_security.storage.engines import ENGINE_NAMES
from tests.conftest import PASSWORD, HttpsClient, session_cookie, use_engine

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
LOGIN = "/accounts/login/"
MFA = "/accounts/2fa/authenticate/"


@pytest.fixture(params=[name for name in ENGINE_NAMES if name != "signed_cookies"])
def engine(request, settings):
    """Each test using this runs once per server-side engine, against a real Redis."""
    name = request.param
    cache_url = request.getfixturevalue("redis_url") if name in ("cache", "cached_db") else None
    use_engine(settings, name, cache_url or "redis://127.0.0.1:1/0")
    return name


def totp_code():
    """The authenticator app's code now (a 30-second period, each code accepted once)."""
    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))


@pytest.fixture
def totp(user, clock):
    """alice has an authenticator app: after her password, the second step asks its code.
    Time stands still (``clock``): a code typed is the code of the period it was read in."""
    TOTP.activate(user, SECRET)
    return user


@pytest.fixture
def recovery_codes(totp):
    """alice's unused recovery codes (allauth makes them with the app)."""
    return RecoveryCodes.activate(totp).get_unused_codes()


@pytest.fixture
def verified(user):
    """alice signed up and proved her address (an administrator-made account has none)."""
    user.email = "alice@example.org"
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def plant(client):
    """An attacker's anonymous key in the victim's browser; its value."""
    client.get(LOGIN)
    client.session["planted"] = True
    client.session.save()
    return session_cookie(client) or client.session.session_key


def password_step(client, username="alice", password=PASSWORD):
    """The project's sign-in page, the password right: allauth's next step (a redirect)."""
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return response


def attacker(cookie):
    """A fresh client presenting a copied key."""
    client = HttpsClient()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    return client
