"""The project's sign-out, password change and session list at allauth's paths; sign-up's names.

allauth's links lead to the project's pages: its sign-out (POST only, ``Clear-Site-Data``, the
session ended on the server), its password change (this session kept under a new key, the
others ended when asked) and its one session list (allauth's ``usersessions`` is not
installed). Sign-up compares usernames the project's way (``username_key``).
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.urls import NoReverseMatch, resolve, reverse

from accounts import views
from accounts.models import USERNAME_TAKEN
from tests.accounts.allauth_bridge.conftest import attacker
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

NEW = "a brand new passphrase 7"


def test_allauths_sign_out_is_the_projects(any_client, user, engine):
    path = reverse("account_logout")
    sign_in(any_client)
    stolen = session_cookie(any_client)
    assert any_client.get(path).status_code == 405  # no sign-out by a link from elsewhere
    assert is_signed_in(replay(stolen))
    response = any_client.post(path)
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert_refused(replay(stolen))
    assert_refused(any_client.get("/"))


@pytest.fixture
def devices(user, engine):
    """alice on her phone and her laptop."""
    phone, laptop = HttpsClient(), HttpsClient()
    sign_in(phone)
    sign_in(laptop)
    return phone, laptop


def change_password(client, end_others):
    """Filled in for either form: the project's field names and allauth's."""
    data = {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    data |= {"oldpassword": PASSWORD, "password1": NEW, "password2": NEW}
    if end_others:
        data["end_other_sessions"] = "on"
    response = client.post(reverse("account_change_password"), data)
    assert response.status_code == 302, response.content[:500]
    return response


@pytest.mark.parametrize("end_others", [True, False], ids=["others ended", "others kept"])
def test_allauths_password_change_keeps_this_session_under_a_new_key(devices, end_others):
    phone, laptop = devices
    before = session_cookie(phone)
    change_password(phone, end_others)
    assert session_cookie(phone) != before
    assert is_signed_in(phone.get("/"))
    assert_refused(replay(before))
    if end_others:
        assert_refused(laptop.get("/"))
    else:
        assert is_signed_in(laptop.get("/"))


@pytest.mark.parametrize("path", ["/accounts/password/", "/accounts/password/change/"])
def test_a_password_change_at_either_path_mails_the_address(client, verified, path):
    """The owner hears of a change made with a stolen session and a guessed password."""
    sign_in(client)
    mail.outbox.clear()
    data = {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    assert client.post(path, data).status_code == 302
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]
    assert "password" in mail.outbox[0].subject.lower()


def test_allauths_password_change_needs_the_current_password(devices, user):
    phone, _ = devices
    thief = attacker(session_cookie(phone))
    data = {"old_password": "a guess", "new_password1": NEW, "new_password2": NEW}
    response = thief.post(reverse("account_change_password"), data)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_layers_list_is_the_one_list(client, user):
    assert not apps.is_installed("allauth.usersessions")
    assert not any("usersessions" in entry for entry in settings.MIDDLEWARE)
    with pytest.raises(NoReverseMatch):
        reverse("usersessions_list")
    assert resolve("/accounts/sessions/").func is views.sessions
    sign_in(client)
    assert client.get("/accounts/sessions/").text.count("(this session)") == 1


@pytest.mark.parametrize(
    ("existing", "typed"),
    [("alice", "ALICE"), ("alice", "ａｌｉｃｅ"), ("strasse", "Straße")],
)
def test_sign_up_refuses_a_name_that_differs_only_by_case_or_width(
    client, django_user_model, existing, typed
):
    django_user_model.objects.create_user(username=existing, password=PASSWORD)
    data = {"email": "new@example.org", "username": typed, "password1": NEW, "password2": NEW}
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    error = response.text.split('id="id_username_error"><li>')[1]
    assert error.startswith(USERNAME_TAKEN.split(" (")[0])  # allauth's words or the project's
    assert django_user_model.objects.count() == 1
