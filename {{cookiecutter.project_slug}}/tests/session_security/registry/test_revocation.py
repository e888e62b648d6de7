"""Ending sessions on purpose, on every engine, seen from the attacker's side.

The attacker holds a copy of a live cookie (``stolen``); each way of ending
sessions must make that copy useless at once.
"""

import pytest
from django.contrib.admin.sites import site
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


@pytest.fixture
def victim(client, user, engine):
    """The user signed in on two devices; the attacker copied the laptop's cookie."""
    sign_in(client)
    laptop = HttpsClient()
    sign_in(laptop)
    return {"phone": client, "laptop": laptop, "stolen": session_cookie(laptop)}


def records(user):
    return SessionRecord.objects.active(timezone.now()).filter(user=user)


def test_sign_out_everywhere_ends_every_session(victim, user):
    phone = victim["phone"]
    response = phone.post("/accounts/sessions/end-everywhere/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert_refused(phone.get("/"))
    assert_refused(victim["laptop"].get("/"))
    assert_refused(replay(victim["stolen"]))
    assert not records(user).exists()
    user.refresh_from_db()
    assert user.session_epoch == 1


def test_epoch_alone_ends_sessions_even_without_the_registry(victim, user, django_user_model):
    """The auth-hash hook: one UPDATE refuses every session, signed cookies included."""
    django_user_model.objects.filter(pk=user.pk).update(session_epoch=7)
    assert_refused(replay(victim["stolen"]))
    assert_refused(victim["phone"].get("/"))


def test_end_all_other_sessions_from_the_list(victim, user):
    phone = victim["phone"]
    assert phone.post("/accounts/sessions/end-others/").status_code == 302
    assert is_signed_in(phone.get("/"))
    assert_refused(replay(victim["stolen"]))
    assert records(user).count() == 1


def test_end_one_session_from_the_list_stops_it_at_once(victim, user):
    phone = victim["phone"]
    laptop_record = records(user).order_by("-created_at").first()
    response = phone.post(f"/accounts/sessions/{laptop_record.pk}/end/")
    assert response.status_code == 302
    assert_refused(replay(victim["stolen"]))
    assert is_signed_in(phone.get("/"))
    laptop_record.refresh_from_db()
    assert laptop_record.end_reason == "ended_by_user"


def test_ending_this_browsers_own_session_from_the_list_signs_it_out(victim, user):
    laptop = victim["laptop"]
    own = records(user).order_by("-created_at").first()
    response = laptop.post(f"/accounts/sessions/{own.pk}/end/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert_refused(laptop.get("/"))
    assert_refused(replay(victim["stolen"]))
    assert is_signed_in(victim["phone"].get("/"))


def test_a_user_cannot_end_someone_elses_session(victim, django_user_model):
    mallory = django_user_model.objects.create_user(username="mallory", password=PASSWORD)
    attacker = HttpsClient()
    sign_in(attacker, "mallory")
    target = SessionRecord.objects.filter(user__username="alice").first()
    assert attacker.post(f"/accounts/sessions/{target.pk}/end/").status_code == 404
    assert is_signed_in(replay(victim["stolen"]))
    assert mallory.session_records.count() == 1


def test_admin_ends_one_session(victim, user, admin_user):
    laptop = records(user).order_by("-created_at").first()
    admin = HttpsClient()
    admin.force_login(admin_user)
    response = admin.post(
        "/admin/session_security/sessionrecord/",
        {"action": "end_selected", "_selected_action": [str(laptop.pk)]},
    )
    assert response.status_code == 302
    assert_refused(replay(victim["stolen"]))
    assert is_signed_in(victim["phone"].get("/"))


def test_admin_signs_a_user_out_everywhere(victim, user, admin_user):
    admin = HttpsClient()
    admin.force_login(admin_user)
    response = admin.post(
        "/admin/accounts/user/",
        {"action": "sign_out_everywhere", "_selected_action": [str(user.pk)]},
    )
    assert response.status_code == 302
    assert_refused(replay(victim["stolen"]))
    assert_refused(victim["phone"].get("/"))
    assert is_signed_in(admin.get("/", follow=False), username="admin")


def test_command_ends_one_users_sessions(victim, user):
    call_command("end_sessions", "--user", "alice")
    assert_refused(replay(victim["stolen"]))
    assert_refused(victim["phone"].get("/"))


def test_command_ends_everyones_sessions(victim, user, admin_user):
    admin = HttpsClient()
    admin.force_login(admin_user)
    call_command("end_sessions", "--all")
    assert_refused(replay(victim["stolen"]))
    assert_refused(admin.get("/"))
    assert not SessionRecord.objects.active(timezone.now()).exists()


def test_password_reset_ends_every_session(victim, user, mailoutbox, settings):
    user.email = "alice@example.com"
    user.save()
    anonymous = HttpsClient()
    anonymous.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    form = anonymous.get(path, follow=True)
    new = "a brand new passphrase 99"
    done = anonymous.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert_refused(replay(victim["stolen"]))
    assert_refused(victim["phone"].get("/"))
    assert not records(user).exists()


def test_session_limit_ends_the_oldest(client, user, engine, settings):
    settings.SESSION_MAX_PER_USER = 2
    devices = [HttpsClient() for _ in range(3)]
    for device in devices:
        sign_in(device)
    assert_refused(devices[0].get("/"))  # the oldest sign-in went
    assert is_signed_in(devices[1].get("/"))
    assert is_signed_in(devices[2].get("/"))
    assert records(user).count() == 2
    oldest = SessionRecord.objects.filter(user=user).order_by("created_at").first()
    assert oldest.end_reason == "session_limit"


def test_unknown_session_id_in_the_list_is_404(client, user, engine):
    sign_in(client)
    response = client.post("/accounts/sessions/00000000-0000-0000-0000-000000000000/end/")
    assert response.status_code == 404


def test_admin_pages_render(admin_user, engine):
    admin = HttpsClient()
    admin.force_login(admin_user)
    assert admin.get("/admin/session_security/sessionrecord/").status_code == 200
    record = SessionRecord.objects.first()
    assert (
        admin.get(f"/admin/session_security/sessionrecord/{record.pk}/change/").status_code == 200
    )
    assert site.is_registered(SessionRecord)
