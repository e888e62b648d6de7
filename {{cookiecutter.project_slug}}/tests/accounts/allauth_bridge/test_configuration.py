"""The bridge's settings as a team meets them: closed sign-up, the refused engine, the mails."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.conftest import PASSWORD, HttpsClient, sign_in

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "email": "bob@example.org",
    "username": "bob",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def test_closed_sign_up_creates_no_account(client, settings, django_user_model):
    assert 'id="sign-up"' in client.get("/accounts/login/").text
    settings.ACCOUNT_SIGNUP_OPEN = False
    assert 'id="sign-up"' not in client.get("/accounts/login/").text  # no link to a closed door
    response = client.post("/accounts/signup/", SIGN_UP)
    assert response.status_code == 200 and "closed" in response.text.lower()
    assert not django_user_model.objects.filter(username="bob").exists()
    assert mail.outbox == []


def test_open_sign_up_mails_the_link_under_the_projects_name(client, django_user_model):
    client.post("/accounts/signup/", SIGN_UP)
    assert django_user_model.objects.filter(username="bob").exists()
    (message,) = mail.outbox
    assert message.subject.startswith("[{{ cookiecutter.project_name }}] ")
    assert "Hello from {{ cookiecutter.project_name }}!" in message.body
    assert "testserver!" not in message.body
    assert re.search(r"https://testserver/accounts/confirm-email/\S+/", message.body)


@pytest.mark.parametrize("engine_name", ["db", "cache", "cached_db"])
def test_server_side_engines_pass_the_check(settings, engine_name):
    settings.SESSION_ENGINE_NAME = engine_name
    call_command("check", "--fail-level", "ERROR")


def test_signed_cookies_are_refused_by_the_check(settings):
    """allauth's secrets (a TOTP secret being set up, a pending sign-in) stay off the cookie."""
    settings.SESSION_ENGINE_NAME = "signed_cookies"
    with pytest.raises(SystemCheckError, match="allauth_bridge.E001"):
        call_command("check")


def test_a_password_change_mails_the_accounts_address_with_the_clients(client, user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    EmailAddress.objects.create(user=user, email="alice@example.org", verified=True, primary=True)
    sign_in(client)
    new = "another horse battery staple 43"
    form = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    response = client.post(
        "/accounts/password/change/",
        form,
        REMOTE_ADDR="10.0.0.1",
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"] and "password" in message.subject.lower()
    assert "203.0.113.9" in message.body  # the client, as the layer reads it through the proxy
    again = HttpsClient().post("/accounts/login/", {"username": "alice", "password": new})
    assert again.status_code == 302


def test_allauths_sign_up_limit_holds_per_client_address(client, django_user_model):
    """allauth's own limit (20 a minute from one address) stays on: account-creation floods."""
    for number in range(20):
        form = SIGN_UP | {"email": f"bob{number}@example.org", "username": f"bob{number}"}
        assert client.post("/accounts/signup/", form).status_code == 302
    response = client.post("/accounts/signup/", SIGN_UP | {"username": "mallory"})
    assert response.status_code == 429
    assert not django_user_model.objects.filter(username="mallory").exists()
    elsewhere = HttpsClient(REMOTE_ADDR="198.51.100.7").post("/accounts/signup/", SIGN_UP)
    assert elsewhere.status_code == 302


def test_a_mailed_code_cannot_open_sudo_mode(client, user, settings):
    """Only the password or a second factor: reading the mailbox is not enough."""
    EmailAddress.objects.create(user=user, email="alice@example.org", verified=True, primary=True)
    sign_in(client)
    page = client.get("/accounts/reauthenticate/")
    assert page.status_code == 200 and "/accounts/reauthenticate/code/" not in page.text
    assert client.post("/accounts/reauthenticate/code/").status_code in (403, 404)
    assert mail.outbox == []
