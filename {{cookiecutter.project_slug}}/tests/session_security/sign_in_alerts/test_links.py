"""The mail's link from the attacker's side: GETs, altered links, replays, other sessions."""

import datetime

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from session_security.models import SessionRecord
from session_security.sign_in_alerts import links
from tests.conftest import HttpsClient
from tests.session_security.sign_in_alerts.helpers import (
    browser,
    link_in,
    mails,
    signed_in,
)

pytestmark = pytest.mark.django_db


def alerted():
    """The owner's laptop, an unknown browser signed in as the owner, and the mail's link."""
    laptop = signed_in(browser())
    intruder = signed_in(browser(address="198.51.100.9"))
    (alert,) = mails()
    return laptop, intruder, link_in(alert)


def signed_in_still(client):
    return client.get("/").status_code == 200


def test_a_get_of_the_link_ends_nothing(owner):
    laptop, intruder, link = alerted()
    scanner = browser()  # a mail scanner or a link preview: not signed in, GETs only
    for _ in range(3):
        page = scanner.get(link)
        assert page.status_code == 200 and 'id="end-sign-in"' in page.text
    assert "198.51.100.9" in page.text and "Firefox 140 on Windows" in page.text
    assert signed_in_still(intruder) and signed_in_still(laptop)
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "no-referrer"


def press(client, link):
    """Press the page's button: a same-origin POST with the form's CSRF token."""
    client.get(link)  # the page sets the CSRF cookie (the login page, if it has no form)
    if "__Host-csrftoken" not in client.cookies:
        client.get("/accounts/login/")
    token = client.cookies["__Host-csrftoken"].value
    return client.post(link, {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="https://testserver")


def test_the_button_ends_that_session_only_and_works_once(owner, engine):
    """On every engine, signed cookies included: the registry ends it."""
    laptop, intruder, link = alerted()
    phone = signed_in(browser(address="198.51.100.77"))
    owner_elsewhere = browser()  # signed out: the owner may be locked out
    page = press(owner_elsewhere, link)
    assert page.status_code == 200 and 'id="sign-in-ended"' in page.text
    assert "/accounts/password/" in page.text and "/accounts/password/reset/" in page.text
    assert not signed_in_still(intruder)
    assert signed_in_still(laptop) and signed_in_still(phone)
    again = press(owner_elsewhere, link)
    assert 'id="link-used"' in again.text and 'id="sign-in-ended"' not in again.text
    assert 'id="link-used"' in owner_elsewhere.get(link).text


def test_the_button_needs_the_csrf_token(owner):
    _, intruder, link = alerted()
    client = HttpsClient(enforce_csrf_checks=True)
    client.get(link)
    response = client.post(link, {})  # a cross-site form without the token
    assert response.status_code == 403
    assert signed_in_still(intruder)
    assert 'id="sign-in-ended"' in press(client, link).text  # the page's own form works


def altered(link, **changes):
    """The link with its payload changed and its timestamp and signature kept."""
    token = link.rstrip("/").rsplit("/", 1)[1]
    _, timestamp, signature = token.split(":")
    data = signing.loads(token, salt=links.SALT) | changes
    payload = signing.dumps(data, salt=links.SALT, compress=False).split(":")[0]
    return link.replace(token, f"{payload}:{timestamp}:{signature}")


def test_an_altered_link_is_refused(owner, django_user_model):
    laptop, intruder, link = alerted()
    other = django_user_model.objects.create_user(username="bob", email="bob@example.org")
    laptop_record = SessionRecord.objects.filter(user=owner).order_by("created_at").first()
    token = link.rstrip("/").rsplit("/", 1)[1]
    forgeries = [
        altered(link, r=str(laptop_record.pk)),  # another session of the owner
        altered(link, u=other.pk),  # another user
        link.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")),
        # The same session and user, signed without the link's own salt (another signer's).
        link.replace(token, signing.dumps(signing.loads(token, salt=links.SALT))),
    ]
    client = browser()
    for forged in forgeries:
        assert forged != link
        page = client.get(forged)
        assert page.status_code == 404 and 'id="link-invalid"' in page.text, forged
        client.get("/accounts/login/")
        token_value = client.cookies["__Host-csrftoken"].value
        assert client.post(forged, {"csrfmiddlewaretoken": token_value}).status_code == 404
    assert signed_in_still(intruder) and signed_in_still(laptop)


def test_a_signed_link_naming_another_session_or_user_is_refused(owner, django_user_model):
    """Even signed with the link's own key: its session must have the alert, of its user."""
    laptop, intruder, link = alerted()
    other = django_user_model.objects.create_user(username="bob", email="bob@example.org")
    laptop_record = SessionRecord.objects.filter(user=owner).order_by("created_at").first()
    token = link.rstrip("/").rsplit("/", 1)[1]
    data = signing.loads(token, salt=links.SALT)
    for changes in ({"r": str(laptop_record.pk)}, {"u": other.pk}):
        signed = signing.dumps(data | changes, salt=links.SALT, compress=False)
        page = browser().get(link.replace(token, signed))
        assert page.status_code == 404 and 'id="link-invalid"' in page.text, changes
    assert signed_in_still(intruder) and signed_in_still(laptop)


def test_a_link_for_an_ended_session_says_so(owner):
    _, intruder, link = alerted()
    intruder.post("/accounts/logout/")
    page = press(browser(), link)
    assert 'id="session-gone"' in page.text and 'id="sign-in-ended"' not in page.text


def test_a_link_expires_with_the_sessions_lifetime(owner, settings):
    _, _, link = alerted()
    later = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(later, tick=False):
        page = browser().get(link)
    assert page.status_code == 404 and 'id="link-invalid"' in page.text
