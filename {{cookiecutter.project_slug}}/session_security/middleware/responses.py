"""The two pages the session middleware answers with itself: 503 and 409."""

import logging

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme

from session_security.audit import log_event

# Seconds a client should wait before retrying while the store is down.
RETRY_AFTER = 30


def store_unavailable(request, error):
    """The 503 page while the store is down (no request context: it would read the session)."""
    log_event(
        "store_unavailable",
        level=logging.WARNING,
        path=request.path,
        error=type(error).__name__,
        detail=str(error),  # names CACHE_URL, and why (a password, a certificate, a timeout)
    )
    response = HttpResponse(render_to_string("session_security/unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    patch_cache_control(response, no_store=True)
    return response


def renewed_while_sending(request):
    """The 409 page for a write made with the previous key in its grace: nothing changed, resend."""
    state = request.session_security
    log_event(
        "grace_write_refused",
        level=logging.WARNING,
        session_key=request.session.session_key,
        record=state.record_id,
        user=state.record.user_id,
        method=request.method,
        path=request.path,
    )
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=True):
        back = "/"
    page = render_to_string("session_security/renewed.html", {"back": back})
    response = HttpResponse(page, status=409)
    patch_cache_control(response, no_store=True, private=True)
    return response
