"""Password change and deactivation end sessions (ASVS 7.4.2, 7.4.3)."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

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


def reset_password(user, mailoutbox, new):
    """The whole reset: ask for the mail, follow its link, set ``new``."""
    user.email = "alice@example.com"
    user.save()
    anonymous = HttpsClient()
    anonymous.post("/accounts/password/reset/", {"email": user.email})
    body = mailoutbox[-1].body
    link = next(line for line in body.splitlines() if "/password/reset/" in line)
    form = anonymous.get(link.split("testserver", 1)[1], follow=True)
    done = anonymous.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302


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
    assert SessionRecord.objects.active(timezone.now()).filter(user=user).count() == 1  # this one
    ended = SessionRecord.objects.filter(user=user, end_reason="password_changed")
    assert ended.count() == 2  # the laptop's, and this session's previous row


def test_deactivating_a_user_ends_all_their_sessions(client, user, engine):
    sign_in(client)
    stolen = session_cookie(client)
    user.is_active = False
    user.save()
    assert_refused(client.get("/"))
    assert_refused(replay(stolen))
    assert not SessionRecord.objects.active(timezone.now()).filter(user=user).exists()


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


def epoch(user):
    user.refresh_from_db(fields=["session_epoch"])
    return user.session_epoch


def test_every_password_change_raises_the_epoch(client, user, engine, mailoutbox, monkeypatch):
    """Change (ticked), set elsewhere (admin form, ``changepassword``), reset: each +1."""
    sign_in(client)
    change_password(client)
    assert epoch(user) == 1
    user.set_password("yet another passphrase 31")
    user.save()
    assert epoch(user) == 2
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "command line passphrase 77")
    call_command("changepassword", "alice", stdout=io.StringIO())
    assert epoch(user) == 3
    reset_password(user, mailoutbox, "a reset passphrase 64")
    assert epoch(user) == 4


def test_keeping_the_other_sessions_keeps_the_epoch(client, user, engine):
    sign_in(client)
    change_password(client, end_other_sessions=False)
    assert epoch(user) == 0


def test_a_revoked_row_restored_by_mistake_does_not_bring_a_session_back(client, user, engine):
    """The epoch backs the registry up: a copied cookie stays refused after a
    password change even if its row comes back (a backup restored, a lost write)."""
    laptop = HttpsClient()
    sign_in(laptop)
    stolen = session_cookie(laptop)
    sign_in(client)
    change_password(client)
    SessionRecord.objects.filter(user=user).update(ended_at=None, end_reason="")
    assert_refused(replay(stolen))
