"""The response side: Django's save and cookie, plus the grace, ``no-store`` and withheld rules."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from session_security import signed_out


def protect(request, response):
    """Headers and cookie deletion, before the save; returns whether to save."""
    session, state = request.session, request.session_security
    accessed = session.accessed  # before the reads below, which would set it (as Django does)
    if state.grace:
        # The previous key may be a replayed cookie: it neither writes nor learns the new key.
        session.modified = False
    if session.get(SESSION_KEY) is not None or session.modified:
        # Authenticated pages must not outlive the session in any cache.
        patch_cache_control(response, no_store=True, private=True)
    state.cookie_deleted = delete_stale_cookie(request, response)
    if state.cookie_deleted:
        signed_out.tell(request, response)  # why, for the login page it is sent to
    save = needs_save(request, response)
    if accessed or state.cookie_deleted or save:
        patch_vary_headers(response, ("Cookie",))
    return save


def delete_stale_cookie(request, response):
    """Tell the browser to drop a cookie whose session is empty (ended, refused)."""
    if (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        or not request.session.is_empty()
        or request.session_security.withheld
    ):
        return False
    response.delete_cookie(
        settings.SESSION_COOKIE_NAME,
        path=settings.SESSION_COOKIE_PATH,
        domain=settings.SESSION_COOKIE_DOMAIN,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )
    return True


def needs_save(request, response):
    session, state = request.session, request.session_security
    return (
        not state.cookie_deleted
        and not state.withheld
        and (session.modified or settings.SESSION_SAVE_EVERY_REQUEST)
        and not session.is_empty()
        and response.status_code < 500
    )


def save(request, response):
    """Save the session and set its cookie, as Django does."""
    session = request.session
    try:
        session.save()
    except UpdateError as error:
        raise SessionInterrupted(  # Django's words
            "The request's session was deleted before the request completed. The user "
            "may have logged out in a concurrent request, for example."
        ) from error
    if session.get_expire_at_browser_close():
        max_age, expires = None, None
    else:
        max_age = session.get_expiry_age()
        expires = http_date(request.session_security.now.timestamp() + max_age)
    response.set_cookie(
        settings.SESSION_COOKIE_NAME,
        session.session_key,
        max_age=max_age,
        expires=expires,
        domain=settings.SESSION_COOKIE_DOMAIN,
        path=settings.SESSION_COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE or None,
        httponly=settings.SESSION_COOKIE_HTTPONLY or None,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )
