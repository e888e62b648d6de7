"""Password change and deactivation end sessions (ASVS 7.4.2, 7.4.3)."""

import pytest

from session_security.models import SessionRecord
from tests.conftest import (
    PASSWORD,
    HttpsClient,
    assert_refused,
    is_signed_in,
    replay,
    session_cookie,
    sign_in,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a different long passphrase 7"


def change_password(client, end_other_sessions=True):
    """Submit the form as a browser does (the box is ticked by default)."""
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    if end_other_sessions:
        data["end_other_sessions"] = "on"
    return client.post("/accounts/password/", data)


def test_password_change_keeps_this_session_with_a_new_key(client, user, engine):
    sign_in(client)
    before = session_cookie(client)
    response = change_password(client)
    assert response.status_code == 302
    after = session_cookie(client)
    assert after != before
    assert is_signed_in(client.get("/"))
    assert_refused(replay(before))


def test_password_change_ends_every_other_session(client, user, engine):
    sign_in(client)
    laptop = HttpsClient()
    sign_in(laptop)
    stolen = session_cookie(laptop)
    change_password(client)
    assert_refused(laptop.get("/"))
    assert_refused(replay(stolen))
    assert SessionRecord.objects.active().filter(user=user).count() == 1  # this one
    ended = SessionRecord.objects.filter(user=user, end_reason="password_changed")
    assert ended.count() == 2  # the laptop's, and this session's previous row


def test_deactivating_a_user_ends_all_their_sessions(client, user, engine):
    sign_in(client)
    stolen = session_cookie(client)
    user.is_active = False
    user.save()
    assert_refused(client.get("/"))
    assert_refused(replay(stolen))
    assert not SessionRecord.objects.active().filter(user=user).exists()


def test_unticking_the_box_keeps_the_other_sessions(client, user, engine):
    sign_in(client)
    laptop = HttpsClient()
    sign_in(laptop)
    change_password(client, end_other_sessions=False)
    assert is_signed_in(laptop.get("/"))
    assert is_signed_in(client.get("/"))


def test_password_set_elsewhere_ends_every_session(client, user, engine):
    """``changepassword``, the admin's form, a shell: any saved new password."""
    sign_in(client)
    stolen = session_cookie(client)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert_refused(client.get("/"))
    assert_refused(replay(stolen))
