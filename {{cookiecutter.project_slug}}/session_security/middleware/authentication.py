"""Authentication from the registry read: Django's ``get_user``, one query fewer.

Django's ``AuthenticationMiddleware`` loads the user with a query of its
own. The session layer has already read the session's registry row, and
the user with it (one join, see ``registry.read``), so ``verify`` makes
every check ``django.contrib.auth.get_user`` makes, on that user:

- the session names a user (``SESSION_KEY``), and it is the row's user;
- the backend it signed in with is still in ``AUTHENTICATION_BACKENDS``;
- the backend still lets the user authenticate (``is_active``);
- the session's auth hash matches the user's, compared in constant time,
  or one made with a ``SECRET_KEY_FALLBACKS`` key (the session is then
  re-keyed and re-hashed, as Django does).

A session that fails the hash check is ended by the middleware. A backend
that is not a ``ModelBackend`` (which may load users from elsewhere) is left
to Django's own ``get_user``.
"""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from session_security.middleware.base import NativeMiddleware
from session_security.state import UNRESOLVED, state_of


@dataclass(frozen=True)
class Credentials:
    """What ``verify`` found: whether the session stands, and for whom."""

    valid: bool
    user: object = None  # the user, ``None`` (anonymous) or ``UNRESOLVED``
    rehash: str = ""  # a new auth hash to store (the secret key was rotated)


def verify(session, record):
    """Check the session's credentials against the row's user (no I/O)."""
    user_id = session.get(SESSION_KEY)
    backend_path = session.get(BACKEND_SESSION_KEY)
    if user_id is None or backend_path is None:
        return Credentials(valid=False)
    user = record.user
    try:
        same_user = user._meta.pk.to_python(user_id) == user.pk
    except Exception:  # noqa: BLE001 - a garbled id names nobody
        same_user = False
    if not same_user:
        return Credentials(valid=False)
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return Credentials(valid=True, user=None)  # Django: anonymous, session kept
    backend = auth.load_backend(backend_path)
    if not isinstance(backend, ModelBackend):
        return Credentials(valid=True, user=UNRESOLVED)
    if not backend.user_can_authenticate(user):
        return Credentials(valid=True, user=None)  # inactive: anonymous, as in Django
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash:
        return Credentials(valid=False)
    current = user.get_session_auth_hash()
    if constant_time_compare(session_hash, current):
        return Credentials(valid=True, user=user)
    if any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        return Credentials(valid=True, user=user, rehash=current)
    return Credentials(valid=False)


def get_user(request):
    state = state_of(request)
    if state.user is UNRESOLVED:
        state.user = auth.get_user(request)
    return state.user or AnonymousUser()


async def aget_user(request):
    state = state_of(request)
    if state.user is UNRESOLVED:
        state.user = await auth.aget_user(request)
    return state.user or AnonymousUser()


class AuthenticationMiddleware(NativeMiddleware, auth_middleware.AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware`` (the admin checks for a subclass),
    taking the user the session layer verified; natively sync and async, so
    ASGI requests make no thread hop here."""

    def before(self, request):
        request.user = SimpleLazyObject(partial(get_user, request))
        request.auser = partial(aget_user, request)
