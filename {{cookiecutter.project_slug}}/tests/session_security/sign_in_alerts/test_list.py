"""The session list marks a session from a new browser until the owner has seen it elsewhere."""

import pytest

from tests.session_security.sign_in_alerts.helpers import browser, signed_in

pytestmark = pytest.mark.django_db

MARK = 'class="new-browser"'


def row_of(page, address):
    return page.split(address)[0].rsplit("<tr", 1)[1]


def test_the_list_marks_a_new_browsers_session_until_the_owner_has_seen_it(owner):
    laptop = signed_in(browser(address="203.0.113.7"))
    intruder = signed_in(browser(address="198.51.100.9"))
    for _ in range(2):  # the new browser's own views do not clear its mark
        page = intruder.get("/accounts/sessions/").text
        assert MARK in row_of(page, "198.51.100.9") and MARK not in row_of(page, "203.0.113.7")
    seen = laptop.get("/accounts/sessions/").text
    assert MARK in row_of(seen, "198.51.100.9")
    assert page.count(MARK) == seen.count(MARK) == 1
    assert MARK not in laptop.get("/accounts/sessions/").text  # seen: no longer marked
    assert MARK not in intruder.get("/accounts/sessions/").text


def test_the_first_browser_of_an_account_is_not_marked(owner):
    laptop = signed_in(browser())
    assert MARK not in laptop.get("/accounts/sessions/").text
