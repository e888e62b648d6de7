"""The response side (``middleware/cookies.py``), held to Django's ``SessionMiddleware``.

``cookies.protect`` and ``cookies.save`` are a copy of
``SessionMiddleware.process_response`` with the layer's rules around it. For
every combination of the cookie settings the project exposes and of the
session's state, both answer the same request: the headers and every
``Set-Cookie`` must match byte for byte (the session key aside: each side
saves its own), apart from what the layer adds on purpose (``ADDED``).
A cookie attribute a later Django sets would show here as a difference.
"""

import itertools
from importlib import import_module

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from session_security import signed_out
from session_security.middleware import cookies
from session_security.session_data import RECORD_KEY
from session_security.state import RequestState
from tests.conftest import T0

pytestmark = pytest.mark.django_db

# What the layer adds to Django's answer on purpose, and why.
ADDED = {
    "Cache-Control": "no-store, private on a signed-in or changed session: an authenticated "
    "page must not outlive the session in any cache (Django sets none)",
    signed_out.COOKIE: "on the response that drops an ended session's cookie: why it ended, "
    "for the login page (signed_out.py)",
}

STATES = [
    "new, untouched",  # no cookie, nothing read
    "new, written",  # no cookie, a value set: a new session
    "read",  # a live session, a value read
    "not read",  # a live session, left alone
    "written",  # a live session, a value changed
    "signed in",  # a live session with a user, changed
    "flushed",  # the cookie's session emptied (logout)
    "ended",  # flushed by the layer, which says why
    "unknown cookie",  # a cookie naming no session
]
# The layer loads every session it is sent, before the view (``enforce``), so it finds a
# cookie naming no session empty and drops it at once: Django does so once a view reads it.
# Django's side is compared as if the view had.
READ_BEFORE_THE_VIEW = "unknown cookie"
SETTINGS = list(
    itertools.product(
        ["Lax", "Strict"],  # SESSION_COOKIE_SAMESITE (DJANGO_SESSION_COOKIE_SAMESITE)
        [False, True],  # SESSION_EXPIRE_AT_BROWSER_CLOSE (DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE)
        [False, True],  # SESSION_SAVE_EVERY_REQUEST
    )
)
RESPONSES = ["200", "500", "streaming"]


def Store():  # noqa: N802 - a class, as the middleware holds it
    return import_module(settings.SESSION_ENGINE).SessionStore


def live_session(user_id=None):
    session = Store()()
    session["theme"] = "dark"
    if user_id is not None:
        session[SESSION_KEY] = user_id
    session.save()
    return session.session_key


def request_in(state, before_the_view=None):
    """A request carrying ``state``'s cookie, its session loaded and used as ``state`` says."""
    key = None
    if state not in ("new, untouched", "new, written"):
        key = "x" * 32 if state == "unknown cookie" else live_session()
    request = RequestFactory().get("/", secure=True)
    if key:
        request.COOKIES[settings.SESSION_COOKIE_NAME] = key
    session = request.session = Store()(key)
    if before_the_view:
        before_the_view(session)
    if state == "read":
        session.get("theme")
    elif state in ("new, written", "written"):
        session["theme"] = "light"
    elif state == "signed in":
        session[SESSION_KEY] = "1"
    elif state in ("flushed", "ended"):
        session.flush()
    return request


def enforce(session):
    """What the layer's ``enforce`` reads first; an anonymous session stays unread."""
    accessed = session.accessed
    if session.get(RECORD_KEY) is None and session.get(SESSION_KEY) is None:
        session.accessed = accessed


def response_for(kind):
    if kind == "streaming":
        return StreamingHttpResponse(iter([b"page"]))
    return HttpResponse("page", status=int(kind))


def answer(response, session):
    """Headers and Set-Cookie lines, the saved session's key replaced (each side has its own)."""
    key = session.session_key or "-"
    headers = {name: value for name, value in response.headers.items()}
    lines = {name: morsel.OutputString() for name, morsel in response.cookies.items()}
    return {
        name: value.replace(key, "KEY") if key != "-" else value
        for name, value in (headers | lines).items()
    }


def django_answer(state, kind):
    read = state == READ_BEFORE_THE_VIEW
    request = request_in(state, lambda session: session.get("theme") if read else None)
    middleware = SessionMiddleware(lambda request: None)
    response = middleware.process_response(request, response_for(kind))
    return answer(response, request.session)


def layer_answer(state, kind):
    request = request_in(state, enforce)
    request.session_security = RequestState(request)
    if state == "ended":
        request.session_security.signed_out = "ended"
    response = response_for(kind)
    session, accessed = request.session, request.session.accessed
    changed = session.get(SESSION_KEY) is not None or session.modified  # before the save
    session.accessed = accessed
    if cookies.protect(request, response):
        cookies.save(request, response)  # a signed cookie's save marks it modified
    return answer(response, request.session), request, changed


@pytest.mark.parametrize("kind", RESPONSES)
@pytest.mark.parametrize(("samesite", "browser_close", "save_every"), SETTINGS)
def test_differential_finish_matches_django_process_response(
    settings, samesite, browser_close, save_every, kind
):
    settings.SESSION_COOKIE_SAMESITE = samesite
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = browser_close
    settings.SESSION_SAVE_EVERY_REQUEST = save_every
    assert (settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY) == (True, True)
    assert (settings.SESSION_COOKIE_PATH, settings.SESSION_COOKIE_DOMAIN) == ("/", None)
    for state in STATES:
        with time_machine.travel(T0, tick=False):
            django = django_answer(state, kind)
            layer, request, changed = layer_answer(state, kind)
        added = {name: layer.pop(name) for name in ADDED if name in layer and name not in django}
        assert layer == django, state
        expected = {"Cache-Control"} if changed else set()
        if state == "ended" and settings.SESSION_COOKIE_NAME in django:
            expected.add(signed_out.COOKIE)
        assert set(added) == expected, state
        if "Cache-Control" in added:
            assert added["Cache-Control"] == "no-store, private", state
