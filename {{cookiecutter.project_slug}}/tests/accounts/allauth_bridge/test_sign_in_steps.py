"""Each step of an allauth sign-in a new key (ASVS 7.2.4), one registry row at the end.

The project's sign-in page hands a right password to allauth's steps: the address's
verification, then the second factor. A key planted before a step, or seen during one, signs
nobody in after it; on every server-side engine.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from session_security.models import SessionRecord
from tests.accounts.allauth_bridge.conftest import (
    LOGIN,
    MFA,
    attacker,
    password_step,
    plant,
    totp_code,
)
from tests.conftest import (
    PASSWORD,
    HttpsClient,
    assert_refused,
    is_signed_in,
    session_cookie,
)

pytestmark = pytest.mark.django_db

CONFIRMATION_LINK = re.compile(r"/accounts/confirm-email/[-:\w]+/")


def rows(user):
    return SessionRecord.objects.filter(user=user)


def second_step(client, code):
    """The second factor's page: an app's code or a recovery code."""
    return client.post(MFA, {"code": code})


def assert_second_factor_refused(cookie):
    """The key holds no sign-in waiting for its second factor, even with the app's code now."""
    thief = attacker(cookie)
    second_step(thief, totp_code())
    assert_refused(thief.get("/"))
    page = thief.get(MFA)
    assert page.status_code == 302 and page["Location"].startswith(LOGIN), page.status_code


def test_a_key_signed_in_to_another_account_is_replaced_at_the_password(
    client, totp, django_user_model, engine, clock
):
    """Someone signed in to their own account in the victim's browser keeps no copy that
    holds the victim's half-done sign-in."""
    django_user_model.objects.create_user(username="mallory", password=PASSWORD)
    password_step(client, username="mallory")
    planted = session_cookie(client)
    assert is_signed_in(attacker(planted).get("/"), "mallory")
    assert password_step(client)["Location"].startswith(MFA)
    assert session_cookie(client) != planted
    assert_second_factor_refused(planted)


def test_a_key_planted_before_the_password_holds_nothing_after_it(client, totp, engine, clock):
    planted = plant(client)
    assert password_step(client)["Location"].startswith(MFA)
    # The thief who planted the key (and has the app's code) cannot take over the sign-in.
    assert_second_factor_refused(planted)
    assert session_cookie(client) != planted
    clock.shift(30)  # the owner types the app's next code
    assert second_step(client, totp_code()).status_code == 302
    assert is_signed_in(client.get("/"))
    assert_refused(attacker(planted).get("/"))


@pytest.mark.parametrize("factor", ["app", "recovery code"])
def test_the_key_seen_between_the_steps_is_not_signed_in_and_dies(
    client, totp, recovery_codes, engine, factor
):
    password_step(client)
    seen = session_cookie(client)
    assert_refused(attacker(seen).get("/"))
    code = totp_code() if factor == "app" else recovery_codes[0]
    assert second_step(client, code).status_code == 302
    assert session_cookie(client) != seen
    assert is_signed_in(client.get("/"))
    assert_refused(attacker(seen).get("/"))
    assert rows(totp).count() == 1


def test_the_key_seen_between_the_steps_takes_no_later_code(client, totp, engine, clock):
    """A thief with a copy of the key and the app (not the password) cannot finish a sign-in
    the owner already finished. (With signed cookies the copy would: the half-done sign-in
    travels in the cookie itself, one reason allauth_bridge.E001 refuses them.)"""
    password_step(client)
    seen = session_cookie(client)
    second_step(client, totp_code())
    clock.shift(30)  # the app's next code
    assert_second_factor_refused(seen)


def test_a_wrong_code_leaves_nobody_signed_in(client, totp, engine):
    password_step(client)
    right = totp_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06}"
    page = second_step(client, wrong)
    assert page.status_code == 200 and 'name="code"' in page.text
    assert_refused(client.get("/"))
    assert_refused(attacker(session_cookie(client)).get("/"))
    assert not rows(totp).exists()


def test_one_registry_row_per_sign_in_none_between_the_steps(client, totp, engine):
    password_step(client)
    assert not rows(totp).exists()
    second_step(client, totp_code())
    assert rows(totp).count() == 1
    assert SessionRecord.objects.active(timezone.now()).filter(user=totp).count() == 1


def test_the_signed_in_session_is_in_the_layers_list(client, totp, engine):
    password_step(client)
    second_step(client, totp_code())
    page = client.get("/accounts/sessions/")
    assert page.status_code == 200
    assert page.text.count("(this session)") == 1
    assert page.text.count('action="/accounts/sessions/') == 1 + 2  # its row + the two buttons


def test_an_administrator_made_account_signs_in_without_an_address(client, user, engine):
    assert not EmailAddress.objects.filter(user=user).exists()
    planted = plant(client)
    assert password_step(client)["Location"] == "/"
    assert is_signed_in(client.get("/"))
    assert_refused(attacker(planted).get("/"))
    assert rows(user).count() == 1


def sign_up(client, username="carol", email="carol@example.org"):
    response = client.post(
        "/accounts/signup/",
        {"email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content[:500]
    return response


def confirmation_link(message):
    return CONFIRMATION_LINK.search(message.body).group(0)


def test_an_unverified_account_gets_a_mail_not_a_session(client, django_user_model, engine):
    """Someone signed up in carol's name: her password alone opens nothing until she confirms."""
    carol = django_user_model.objects.create_user("carol", "carol@example.org", PASSWORD)
    EmailAddress.objects.create(user=carol, email=carol.email, primary=True, verified=False)
    response = password_step(client, "carol")
    assert response["Location"] == "/accounts/confirm-email/"
    assert_refused(client.get("/"))
    assert not rows(carol).exists()
    assert [message.to for message in mail.outbox] == [["carol@example.org"]]


def test_the_confirmation_link_signs_in_under_a_new_key(client, django_user_model, engine):
    planted = plant(client)
    sign_up(client)
    seen = session_cookie(client)
    assert_refused(attacker(seen).get("/"))
    link = confirmation_link(mail.outbox[-1])
    assert client.post(link).status_code == 302
    assert is_signed_in(client.get("/"), "carol")
    for copy in (planted, seen):
        assert session_cookie(client) != copy
        assert_refused(attacker(copy).get("/"))
    assert rows(django_user_model.objects.get(username="carol")).count() == 1


def test_the_link_elsewhere_confirms_the_address_and_signs_nobody_in(client, django_user_model):
    """Whoever else opens the mailed link (a mail scanner, a forwarded mail) gets no session."""
    sign_up(client)
    elsewhere = HttpsClient()
    response = elsewhere.post(confirmation_link(mail.outbox[-1]))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert_refused(elsewhere.get("/"))
    carol = django_user_model.objects.get(username="carol")
    assert EmailAddress.objects.get(user=carol).verified
    assert not rows(carol).exists()
