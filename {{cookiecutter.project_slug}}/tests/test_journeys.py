"""Everyday journeys in a real Chromium, as a person goes through them (issue "Everyday journeys").

Signed in twice (two browser contexts: two browsers) for longer than a short
``DJANGO_SESSION_REAUTH_WINDOW``, the person presses each of the session list's
buttons, confirms the password, and the sessions asked for end: seen on both
sides, with the page saying so, and no request answered 405 on the way.
"""

import time

import pytest

from tests.fixtures.browser import (
    PASSWORD,
    SESSION_COOKIE,
    CspWatch,
    sign_in,
    tls_production_server,
)

pytestmark = pytest.mark.browser

# Seconds of sudo mode on this server: the buttons are pressed after it.
WINDOW = 2


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    overrides = {"DJANGO_SESSION_REAUTH_WINDOW": WINDOW, "DJANGO_SESSION_ROTATION_INTERVAL": 0}
    with tls_production_server(request, tmp_path_factory, **overrides) as server:
        yield server


class Person:
    """One browser (a context of its own), its page and what it saw."""

    def __init__(self, browser, server):
        self.context = browser.new_context()
        self.context.set_default_timeout(10_000)
        self.csp = CspWatch(self.context)
        self.page = self.context.new_page()
        self.server = server
        self.statuses = []
        self.page.on("response", lambda response: self.statuses.append(response.status))

    def sign_in(self):
        sign_in(self.page, self.server)
        return self

    def go(self, path):
        self.page.goto(self.server.url + path)
        return self.page

    def rows(self):
        return self.page.locator("table.sessions tbody tr")

    def press_and_confirm(self, selector, purpose):
        """Press a button after the window, then confirm the password on the page that asks."""
        time.sleep(WINDOW + 0.5)
        self.page.click(selector)
        self.page.wait_for_selector("#confirm-purpose")
        assert purpose in self.page.text_content("#confirm-purpose")
        self.page.fill("#id_confirm-password", PASSWORD)
        self.page.click("#confirm")
        self.page.wait_for_load_state()

    def is_signed_out(self):
        """Sent to sign in, told that this session was ended on purpose."""
        self.go("/accounts/sessions/")
        assert self.page.url == self.server.url + "/accounts/login/?next=/accounts/sessions/"
        notice = self.page.text_content("#signed-out")
        assert "this session was ended on purpose" in notice
        assert SESSION_COOKIE not in {cookie["name"] for cookie in self.context.cookies()}
        return True

    def close(self):
        """Sign out if still signed in (the next test counts its own sessions), then close."""
        self.go("/")
        if self.page.locator("#logout").count():
            self.page.click("#logout")
            self.page.wait_for_url(self.server.url + "/accounts/login/")
        self.context.close()


@pytest.fixture
def people(browser, server):
    made = []

    def person():
        made.append(Person(browser, server))
        return made[-1]

    yield person
    for each in made:
        assert 405 not in each.statuses, each.statuses
        assert each.csp.violations == []
        each.close()


def test_end_one_session_after_the_window(people):
    me, other = people().sign_in(), people().sign_in()
    me.go("/accounts/sessions/")
    assert me.rows().count() == 2

    me.press_and_confirm("table.sessions tbody tr:not(.current) button", "end that session")

    assert me.page.url == me.server.url + "/accounts/sessions/"
    assert me.page.text_content(".message").startswith("Signed out HeadlessChrome 156 on Linux")
    assert me.rows().count() == 1
    assert other.is_signed_out()


def test_sign_out_all_other_sessions_after_the_window(people):
    me, second, third = people().sign_in(), people().sign_in(), people().sign_in()
    me.go("/accounts/sessions/")
    assert me.rows().count() == 3

    me.press_and_confirm("#end-others", "sign out all your other sessions")

    assert me.page.url == me.server.url + "/accounts/sessions/"
    assert me.page.text_content(".message") == "Signed out 2 other sessions."
    assert me.rows().count() == 1
    assert me.page.locator("tr.current").count() == 1
    assert second.is_signed_out() and third.is_signed_out()


def test_sign_out_everywhere_after_the_window(people):
    me, other = people().sign_in(), people().sign_in()
    me.go("/accounts/sessions/")

    me.press_and_confirm("#sign-out-everywhere", "sign out everywhere")

    assert me.page.url == me.server.url + "/accounts/signed-out-everywhere/"
    message = me.page.text_content("#signed-out-everywhere")
    assert message == "Every session of your account ended, this one included."
    assert SESSION_COOKIE not in {cookie["name"] for cookie in me.context.cookies()}
    assert other.is_signed_out()


def test_a_wrong_password_on_the_way_ends_nothing(people):
    me, other = people().sign_in(), people().sign_in()
    me.go("/accounts/sessions/")
    time.sleep(WINDOW + 0.5)
    me.page.click("#end-others")
    me.page.fill("#id_confirm-password", "not it")
    me.page.click("#confirm")
    me.page.wait_for_selector(".errorlist")

    assert "That is not your password." in me.page.text_content(".errorlist")
    other.go("/")
    assert other.page.url == other.server.url + "/"  # still signed in
