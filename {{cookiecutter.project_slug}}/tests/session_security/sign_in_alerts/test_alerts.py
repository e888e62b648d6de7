"""Which sign-ins send a mail, to whom, and how many: recognition and the throttle."""

import datetime
import io
import socket
import time

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.utils import timezone

from session_security.sign_in_alerts import mail as alert_mail
from session_security.sign_in_alerts import recognition
from session_security.sign_in_alerts.models import KnownBrowser
from tests.conftest import PASSWORD
from tests.session_security.sign_in_alerts.helpers import (
    browser,
    link_in,
    mails,
    signed_in,
)

pytestmark = pytest.mark.django_db


def test_a_new_browser_sends_one_mail_and_a_known_one_none(owner):
    laptop = signed_in(browser())
    assert mails() == []  # the account's first browser: nothing to compare it with
    phone = signed_in(browser(address="198.51.100.9"))
    (alert,) = mails()
    assert alert.to == ["alice@example.org"]
    assert "Firefox 140 on Windows" in alert.body and "198.51.100.9" in alert.body
    assert " UTC" in alert.body and link_in(alert)
    mail.outbox.clear()
    for client in (laptop, phone):  # signing in again from either: known
        client.post("/accounts/logout/")
        signed_in(client)
    assert mails() == []


def test_the_first_sign_in_of_an_account_sends_nothing(owner):
    signed_in(browser())
    assert mails() == []


def test_a_browser_known_to_one_account_is_new_to_another(owner, django_user_model):
    django_user_model.objects.create_user(
        username="bob", email="bob@example.org", password="correct horse battery staple"
    )
    signed_in(browser())  # alice's first
    shared = browser()
    shared.post("/accounts/login/", {"username": "bob", "password": "correct horse battery staple"})
    shared.post("/accounts/logout/")
    signed_in(shared)  # bob's browser, alice's second one: new to alice
    assert [message.to for message in mails()] == [["alice@example.org"]]


def test_clearing_cookies_or_forging_the_cookie_makes_the_browser_new(owner):
    laptop = signed_in(browser())
    laptop.post("/accounts/logout/")
    laptop.cookies.pop(recognition.COOKIE_NAME)  # cleared
    signed_in(laptop)
    assert len(mails()) == 1
    laptop.post("/accounts/logout/")
    value = laptop.cookies[recognition.COOKIE_NAME].value
    laptop.cookies[recognition.COOKIE_NAME] = value[:-2] + "xx"  # a forged id is no id
    signed_in(laptop)
    assert len(mails()) == 2


def test_the_browser_cookie_is_host_only_secure_and_carries_no_session(owner):
    client = browser()
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert recognition.COOKIE_NAME not in response.cookies  # a refused sign-in sets none
    signed_in(client)
    cookie = client.cookies[recognition.COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/"
    assert cookie["samesite"] == "Lax" and not cookie["domain"]
    assert int(cookie["max-age"]) == recognition.COOKIE_AGE
    session_key = client.cookies["__Host-sessionid"].value
    assert session_key not in cookie.value and "alice" not in cookie.value


def test_a_browser_unseen_for_its_cookies_lifetime_is_forgotten(owner):
    laptop, phone = signed_in(browser()), signed_in(browser())
    long_ago = timezone.now() - datetime.timedelta(seconds=recognition.COOKIE_AGE + 60)
    KnownBrowser.objects.update(last_seen_at=long_ago)
    phone.post("/accounts/logout/")
    signed_in(phone)  # seen again: kept
    out = io.StringIO()
    call_command("clear_expired_sessions", stdout=out)
    assert "Deleted 1 forgotten browser(s)" in out.getvalue()
    assert KnownBrowser.objects.count() == 1
    laptop.post("/accounts/logout/")
    signed_in(laptop)  # forgotten: new again
    assert len(mails()) == 2


def test_a_burst_sends_the_limit_then_one_summary(owner):
    signed_in(browser())
    for number in range(20):
        signed_in(browser(address=f"192.0.2.{number + 1}"))
    sent = mails()
    assert len(sent) == alert_mail.ALERT_LIMIT + 1
    assert all(message.subject == "New sign-in to your account" for message in sent[:-1])
    assert sent[-1].subject == "More new sign-ins to your account"


def test_no_address_no_mail_and_the_sign_in_goes_through(django_user_model):
    django_user_model.objects.create_user(username="alice", password=PASSWORD)
    signed_in(browser())
    assert signed_in(browser()).get("/").status_code == 200
    assert mails() == []


def test_a_failing_mailer_fails_no_sign_in(owner, settings):
    settings.MAILERS = {  # nothing listens on port 9: connection refused
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    signed_in(browser())
    client = signed_in(browser())
    assert client.get("/").status_code == 200
    assert mails() == []


def test_a_stalling_mail_server_holds_the_thread_for_mail_timeout_at_most(monkeypatch, settings):
    """No ``timeout`` in the mail URL: the thread still gives up after ``MAIL_TIMEOUT``."""
    monkeypatch.setattr(alert_mail, "MAIL_TIMEOUT", 1)
    with socket.create_server(("127.0.0.1", 0)) as stalling:  # accepts, never answers
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": stalling.getsockname()[1]},
            }
        }
        started = time.monotonic()
        thread = alert_mail.send_later(EmailMessage("s", "b", "a@example.org", ["b@example.org"]))
        thread.join(5)
        assert not thread.is_alive() and time.monotonic() - started < 5
