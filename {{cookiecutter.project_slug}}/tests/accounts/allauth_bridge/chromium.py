"""The Chromium journey's visitor and helpers (``test_chromium.py``): one browser context each."""

import email
import re
import time
from dataclasses import dataclass

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.fixtures.browser import SESSION_COOKIE, CspWatch

# Seconds of sudo mode on this server: the last step comes after it.
WINDOW = 5
USERNAME = "bob"
ADDRESS = "bob@example.org"
PASSWORD = "a long and new passphrase 77"
CONFIRM_LINK = re.compile(r"https://localhost:\d+/accounts/confirm-email/[\w:-]+/")
# What the sign-in page's passkey button does first: a WebAuthn challenge, kept in the session.
CHALLENGE_FETCH = """
fetch("/accounts/2fa/webauthn/login/", {headers: {Accept: "application/json"}})
  .then((response) => response.status)
"""
# Chromium's software authenticator: a passkey kept on "this device", the user verified.
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


@dataclass
class Site:
    base: str  # https://localhost:PORT
    messages: list  # what the SMTP server received: (recipients, raw mail)


class Visitor:
    """One browser context: its page, the statuses it saw and its CSP violations."""

    def __init__(self, browser, site):
        self.site = site
        self.context = browser.new_context()
        self.context.set_default_timeout(10_000)
        self.csp = CspWatch(self.context)
        self.page = self.context.new_page()
        self.statuses = []
        self.page.on("response", lambda response: self.statuses.append(response.status))

    def go(self, path):
        self.page.goto(self.site.base + path)
        return self.page

    def at(self, path):
        self.page.wait_for_url(lambda url: url.removeprefix(self.site.base).split("?")[0] == path)

    def submit(self, form_action):
        self.page.click(f"form[action='{form_action}'] button[type=submit]")

    @property
    def key(self):
        cookies = {cookie["name"]: cookie["value"] for cookie in self.context.cookies()}
        return cookies.get(SESSION_COOKIE)

    def who(self):
        self.go("/")
        locator = self.page.locator("#current-user")
        return locator.text_content() if locator.count() else None

    def sign_out(self):
        self.go("/")
        self.page.click("#logout")
        self.at("/accounts/login/")
        assert self.key is None

    def password_step(self):
        """The project's sign-in page; allauth asks for the second factor next."""
        self.go("/accounts/login/")
        self.page.fill("#id_username", USERNAME)
        self.page.fill("#id_password", PASSWORD)
        self.submit("/accounts/login/")
        self.at("/accounts/2fa/authenticate/")

    def second_factor(self, code):
        self.page.fill("#id_code", code)
        self.submit("/accounts/2fa/authenticate/")
        self.at("/")

    def in_sudo_mode(self, path):
        """Open one of allauth's sensitive pages with the window just opened by the password.

        allauth's re-authentication page, whatever is left of the window: the page's form is
        then posted well within the window, however slow the machine.
        """
        self.go(f"/accounts/reauthenticate/?next={path}")
        self.page.fill("#id_password", PASSWORD)
        self.submit("/accounts/reauthenticate/")
        self.at(path)
        return self.page

    def close(self):
        self.context.close()


def wait_for_mail(messages, timeout=10):
    deadline = time.monotonic() + timeout
    while not messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert messages, "no mail"
    return messages.pop(0)


def confirmation_link(raw):
    message = email.message_from_string(raw)
    bodies = [part.get_payload(decode=True).decode() for part in message.walk()]
    links = {match.group(0) for body in bodies if body for match in CONFIRM_LINK.finditer(body)}
    assert len(links) == 1, bodies
    return links.pop()


def is_passkey_challenge(response):
    """The login script's fetch of a WebAuthn challenge (a GET, then the form's POST)."""
    return response.request.method == "GET" and "/accounts/2fa/webauthn/login/" in response.url


def totp_now(secret):
    """The app's code now; at a period's very end, the next one's (the server allows no drift)."""
    period = app_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 2:
        time.sleep(left)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))
