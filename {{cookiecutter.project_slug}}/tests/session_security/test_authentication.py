"""Authentication from the registry read keeps every check Django's ``get_user`` makes.

The user comes from the registry row's join instead of a query of its own
(see ``session_security.middleware.authentication``); each check is shown here from
the attacker's side: a copied cookie is refused when any of them fails.
"""

import pytest
from django.contrib.auth.backends import BaseBackend
from django.utils import timezone

from session_security.models import SessionRecord
from tests.conftest import assert_refused, is_signed_in, replay, session_cookie
from tests.conftest import sign_in as sign_in_with_form

pytestmark = pytest.mark.django_db


class DirectoryBackend(BaseBackend):
    """A backend that is not a ``ModelBackend``: Django's own ``get_user`` decides."""

    def get_user(self, user_id):
        from accounts.models import User

        return User.objects.filter(pk=user_id).first()


@pytest.fixture
def stolen(client, user, engine):
    sign_in_with_form(client)
    return session_cookie(client)


def test_a_user_made_inactive_behind_the_registrys_back_is_refused(stolen, user):
    """``is_active`` set by a bulk update (no signal, the registry row lives on)."""
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert SessionRecord.objects.active(timezone.now()).filter(user=user).exists()
    assert_refused(replay(stolen))


def test_a_backend_taken_out_of_the_settings_signs_nobody_in(stolen, settings):
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend"]
    assert_refused(replay(stolen))


def test_a_session_whose_hash_no_longer_matches_is_refused_and_ended(stolen, user):
    """The epoch raised behind the registry's back: the hash check alone refuses."""
    type(user).objects.filter(pk=user.pk).update(session_epoch=41)
    assert_refused(replay(stolen))
    assert_refused(replay(stolen))
    record = SessionRecord.objects.get(user=user)
    assert record.end_reason == "credentials_changed"  # gone from the session list too


def test_a_session_naming_another_user_than_its_row_is_refused(
    client, user, engine, settings, django_user_model
):
    """Rows and sessions are written together; if they ever disagree, nobody gets in."""
    mallory = django_user_model.objects.create_user(username="mallory", password="pw long 12345")
    sign_in_with_form(client)
    SessionRecord.objects.filter(user=user).update(user=mallory)
    assert_refused(client.get("/"))


def test_a_backend_that_is_not_a_model_backend_is_left_to_django(
    client, user, engine, settings, request_cost
):
    """It may load users from elsewhere: Django's ``get_user`` asks it, checks included."""
    backend = "tests.session_security.test_authentication.DirectoryBackend"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, backend]
    client.force_login(user, backend=backend)
    with request_cost() as cost:
        assert is_signed_in(client.get("/"))
    assert [sql for sql in cost.sql if 'FROM "accounts_user"' in sql]  # the backend's own read
    stolen = session_cookie(client)
    type(user).objects.filter(pk=user.pk).update(session_epoch=5)
    assert_refused(replay(stolen))


def test_verify_takes_only_the_user_the_session_names(user, django_user_model):
    """Even a hash that matches the row's user does not stand for another user's session.

    (Not reachable from outside: rows and sessions are written together, and the
    hash covers the user id. The check keeps Django's rule: the user is the one
    the session names.)
    """
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from session_security.middleware.authentication import verify

    mallory = django_user_model.objects.create_user(username="mallory", password="pw long 12345")
    record = SessionRecord(user=mallory)
    backend = "django.contrib.auth.backends.ModelBackend"
    session = {BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: mallory.get_session_auth_hash()}
    assert verify({**session, SESSION_KEY: str(mallory.pk)}, record).user == mallory
    refused = verify({**session, SESSION_KEY: str(user.pk)}, record)
    assert not refused.valid and refused.user is None
