"""``authentication.verify``, held to Django's ``auth.get_user`` over the states a user can be in.

``verify`` makes ``get_user``'s checks on the user read with the registry row,
without its query. Here both look at the same stored session: Django's answer
(the user or anonymous, the session flushed or not, the hash re-made under the
current key) must be the layer's. ``verify`` says "invalid" where Django
flushes; the middleware then ends and flushes the session (``policy.py``).

Where the layer differs on purpose (``DELIBERATE``), the test says so and
checks the difference is the one named.
"""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.http import HttpRequest

from session_security.middleware.authentication import verify
from session_security.models import SessionRecord
from session_security.registry import records
from session_security.session_data import RECORD_KEY
from session_security.state import UNRESOLVED
from tests.conftest import T0

pytestmark = pytest.mark.django_db

MODEL = "django.contrib.auth.backends.ModelBackend"
ALLOW_ALL = "django.contrib.auth.backends.AllowAllUsersModelBackend"
OLD_KEY = "an-old-secret-key-" + "x" * 40

# Where the layer answers otherwise on purpose, and why.
DELIBERATE = {
    "names another user": "Django loads whoever the session names; the layer refuses a "
    "session naming another user than its registry row's (a forged or mixed-up session)",
    "no user in the session": "Django serves it anonymously; a session with a registry row "
    "but no user is broken, and the layer ends it",
}


def store(data):
    """A saved session holding ``data``; its key."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.update(data)
    session.save()
    return session.session_key


def django_outcome(key):
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    user = auth.get_user(request)
    session = request.session
    flushed = session.is_empty()
    return user.pk, flushed, session.get(HASH_SESSION_KEY) if not flushed else None


def layer_outcome(key, record_id):
    """The same three facts from ``verify`` (no flush yet: the middleware's plan does it)."""
    session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    record = records.lookup(record_id)
    if record is None:  # the row went with its user: signed out
        return None, True, None
    credentials = verify(session, record)
    if not credentials.valid:
        return None, True, None
    if credentials.user is UNRESOLVED:  # another backend: the middleware asks Django itself
        return django_outcome(key)
    user = credentials.user
    return (
        user.pk if user else None,
        False,
        credentials.rehash or session.get(HASH_SESSION_KEY),
    )


def session_data(user, record, backend=MODEL, **changes):
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: backend,
        HASH_SESSION_KEY: user.get_session_auth_hash(),
        RECORD_KEY: str(record.pk),
    }
    return {name: value for name, value in (data | changes).items() if value is not None}


def row(user):
    return SessionRecord.objects.create(
        user=user, created_at=T0, expires_at=T0, last_seen_at=T0, rotated_at=T0,
        reauthenticated_at=T0,
    )  # fmt: skip


def prepare(case, user, settings):
    """The stored session for ``case``, after the change the case names."""
    record = row(user)
    data = session_data(user, record)
    if case == "inactive":
        user.is_active = False
        user.save(update_fields=["is_active"])
    elif case == "password changed":
        user.set_password("another password entirely")
        user.save()
        user.refresh_from_db()
        user.session_epoch += 1  # what a password change does; the hash no longer matches
        user.save(update_fields=["session_epoch"])
    elif case == "backend removed":
        settings.AUTHENTICATION_BACKENDS = [ALLOW_ALL]
    elif case == "backend path wrong":
        data[BACKEND_SESSION_KEY] = "no.such.Backend"
    elif case == "hash missing":
        del data[HASH_SESSION_KEY]
    elif case == "hash garbled":
        data[HASH_SESSION_KEY] = "0" * 64
    elif case == "signed with a fallback key":
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
        data[HASH_SESSION_KEY] = user.get_session_auth_hash()
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" + "y" * 50, [OLD_KEY]
    elif case == "user deleted":
        key = store(data)
        user.delete()
        return key, record.pk
    return store(data), record.pk


CASES = [
    "active",
    "inactive",
    "password changed",
    "backend removed",
    "backend path wrong",
    "hash missing",
    "hash garbled",
    "signed with a fallback key",
    "user deleted",
]


@pytest.mark.parametrize("backend", [MODEL, ALLOW_ALL])
@pytest.mark.parametrize("case", CASES)
def test_differential_verify_matches_django_get_user(case, backend, user, settings):
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", backend]
    key, record_id = prepare(case, user, settings)
    layer = layer_outcome(key, record_id)
    django = django_outcome(key)
    if case == "user deleted":  # the layer ends what Django serves anonymously (no user left)
        assert layer[0] is django[0] is None
        return
    assert layer == django


def test_differential_verify_differs_only_where_named(user, django_user_model):
    other = django_user_model.objects.create_user("mallory", password="x")
    record = row(user)
    mixed = store(session_data(other, record))
    assert django_outcome(mixed)[0] == other.pk  # Django: whoever the session names
    assert layer_outcome(mixed, record.pk)[:2] == (None, True), DELIBERATE["names another user"]
    userless = store(session_data(user, row(user), **{SESSION_KEY: None}))
    assert django_outcome(userless)[:2] == (None, False)
    assert layer_outcome(userless, record.pk)[:2] == (None, True), DELIBERATE[
        "no user in the session"
    ]
