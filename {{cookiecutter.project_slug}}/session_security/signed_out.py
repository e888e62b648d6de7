"""Why a browser was signed out, carried to the login page in a one-minute cookie.

Only what ``Policy.told_reason`` tells (a timeout, or "ended"); never in the URL (logs, history,
``Referer``) nor on the server: the browser that presented the session is the one to carry it.
"""

from django.conf import settings

from session_security.state import state_of

COOKIE = "__Host-signed_out"
# Long enough for the redirect to the login page, and no longer.
MAX_AGE = 60
# What the cookie may say; anything else is ignored.
REASONS = ("idle_timeout", "absolute_timeout", "ended")


def tell(request, response):
    """On the response that drops the session cookie: why the session ended, if it did."""
    reason = state_of(request).signed_out
    if reason:
        response.set_cookie(
            COOKIE,
            reason,
            max_age=MAX_AGE,
            path="/",
            secure=True,
            httponly=True,
            samesite=settings.SESSION_COOKIE_SAMESITE,
        )


def take(request):
    """Why this browser was signed out (``""``: it was not, or it was told already).

    A session this very request ended counts too; taking it means ``tell`` sets no cookie.
    """
    state = state_of(request)
    reason = state.signed_out or request.COOKIES.get(COOKIE, "")
    state.signed_out = ""
    return reason if reason in REASONS else ""


def forget(request, response):
    """Drop the cookie once the page has said it."""
    if COOKIE in request.COOKIES:
        response.delete_cookie(COOKIE, path="/", samesite=settings.SESSION_COOKIE_SAMESITE)
