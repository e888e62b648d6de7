"""Which browser signs in: a random id in a long-lived, signed ``__Host-`` cookie.

The cookie names a browser, never a session or a user: it carries no session
state, so a stolen copy signs nobody in. Per account, the table holds a keyed
hash of (user, browser id): one browser's cookie is a different row for every
account, and clearing cookies makes the browser new again (docs/sign-in-alerts.md).
"""

import datetime
import secrets

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from session_security.sign_in_alerts.models import KnownBrowser

COOKIE_NAME = "__Host-known_browser"
# 400 days: the most a browser keeps a cookie (RFC 6265bis); renewed on each sign-in.
COOKIE_AGE = 400 * 24 * 3600
COOKIE_SALT = "session_security.sign_in_alerts.browser"
DIGEST_SALT = "session_security.sign_in_alerts.known"


def browser_id(request):
    """The id this browser's cookie carries, if it carries a valid one."""
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return None
    try:
        return signing.Signer(salt=COOKIE_SALT).unsign(value)
    except signing.BadSignature:
        return None


def new_browser_id():
    return secrets.token_urlsafe(18)


def cookie_value(browser):
    return signing.Signer(salt=COOKIE_SALT).sign(browser)


def set_cookie(response, browser):
    response.set_cookie(
        COOKIE_NAME,
        cookie_value(browser),
        max_age=COOKIE_AGE,
        path="/",
        secure=True,
        httponly=True,
        samesite="Lax",
    )


def digest(user, browser):
    """A keyed hash of (user, browser): the table cannot name a cookie, nor match two accounts."""
    return salted_hmac(DIGEST_SALT, f"{user.pk}:{browser}", algorithm="sha256").hexdigest()


def recognise(user, browser, now):
    """``"known"``, ``"first"`` (the account's first browser) or ``"new"``; learns it."""
    key = digest(user, browser)
    if KnownBrowser.objects.filter(digest=key).update(last_seen_at=now):
        return "known"
    first = not KnownBrowser.objects.filter(user=user).exists()
    try:
        with transaction.atomic():
            KnownBrowser.objects.create(digest=key, user=user, first_seen_at=now, last_seen_at=now)
    except IntegrityError:  # the same new browser signing in twice at once: one mail
        return "known"
    return "first" if first else "new"


def forgotten(now):
    """Browsers unseen for the cookie's lifetime: their cookie is gone, they would be new."""
    return KnownBrowser.objects.filter(
        last_seen_at__lte=now - datetime.timedelta(seconds=COOKIE_AGE)
    )
