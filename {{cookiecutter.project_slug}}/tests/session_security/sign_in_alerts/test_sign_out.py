"""A sign-out clears the browser's cookies; the owner's browser stays known all the same.

The pass on the sign-out's ``keep/`` redirect, from the attacker's side: it
works once, for a minute, from the same address in a same-origin navigation,
redirects only within the site and signs nobody in.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from session_security.sign_in_alerts import kept, recognition
from tests.session_security.sign_in_alerts.helpers import browser, mails, signed_in

pytestmark = pytest.mark.django_db


def signed_out(client):
    """Sign out, and drop every cookie as ``Clear-Site-Data: "cookies"`` makes a browser do."""
    response = client.post("/accounts/logout/")
    assert "cookies" in response["Clear-Site-Data"]
    client.cookies.clear()
    return response["Location"]


def follow(client, location, fetch_site="same-origin"):
    """The browser following the sign-out's redirect (``Sec-Fetch-Site`` as it sends it)."""
    return client.get(location, HTTP_SEC_FETCH_SITE=fetch_site)


def restored(response):
    return recognition.COOKIE_NAME in response.cookies


def test_signing_out_keeps_the_browser_known(owner):
    laptop = signed_in(browser())
    signed_in(browser())  # a second browser: one mail
    location = signed_out(laptop)
    assert location.startswith("/accounts/sign-in-alert/keep/?pass=")
    response = follow(laptop, location)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert restored(response) and "__Host-sessionid" not in response.cookies
    assert laptop.get("/").status_code == 302  # the pass signed nobody in
    signed_in(laptop)
    assert len(mails()) == 1  # the laptop was not taken for a new browser


def test_the_pass_works_once_and_only_to_this_site(owner):
    laptop = signed_in(browser())
    location = signed_out(laptop)
    assert restored(follow(laptop, location))
    other = browser()  # the same pass again (a log, a history), same address: nothing
    replayed = follow(other, location)
    assert replayed.status_code == 302 and not restored(replayed)
    signed_in(other)
    assert len(mails()) == 1  # the other browser is new
    for elsewhere in ("https://evil.example/", "//evil.example/"):
        response = follow(other, location.split("&next=")[0] + "&next=" + elsewhere)
        assert response["Location"] == "/"


def test_the_pass_lasts_a_minute(owner):
    laptop = signed_in(browser())
    location = signed_out(laptop)
    later = timezone.now() + datetime.timedelta(seconds=kept.MAX_AGE + 1)
    with time_machine.travel(later, tick=False):
        assert not restored(follow(laptop, location))


def test_the_pass_is_taken_only_from_its_address_in_its_own_redirect(owner):
    """Nobody can plant their browser's id in another's browser with their pass."""
    laptop = signed_in(browser())
    location = signed_out(laptop)
    victim = browser(address="198.51.100.20")
    assert not restored(follow(victim, location))  # from another address
    assert not restored(follow(laptop, location, fetch_site="none"))  # a link in a mail
    assert not restored(follow(laptop, location, fetch_site="cross-site"))  # another site
    assert not restored(laptop.get(location))  # no Sec-Fetch-Site at all
    assert restored(follow(laptop, location))  # those refusals did not use it up
