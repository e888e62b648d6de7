"""Authentication from the registry read: every check of Django's ``get_user``, one query fewer.

``verify`` makes those checks on the user read with the registry row (no I/O).
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
    """Django's (the admin checks for it), with the verified user; natively sync and async."""

    def before(self, request):
        super().process_request(request)  # Django's check that a session middleware ran (no I/O)
        request.user = SimpleLazyObject(partial(get_user, request))
        request.auser = partial(aget_user, request)
