"""allauth on the session layer: a real Chromium, gunicorn over TLS, production settings.

One person's journey: signs up and proves the address by the mailed link (a real SMTP server),
sets up an authenticator app and recovery codes, adds a passkey (Chromium's virtual
authenticator, through DevTools), signs in with the password and then the second factor (a new
session key at each step), signs in with the passkey alone, and opens sudo mode with the passkey
to sign out another session. No page violates the Content-Security-Policy or answers 500.

WebAuthn needs a host name (its relying party cannot be an IP address): the browser visits
``https://localhost:PORT``, the production configuration unchanged.
"""

import re
import time

import pytest

from tests.accounts.allauth_bridge.chromium import (
    ADDRESS,
    AUTHENTICATOR,
    CHALLENGE_FETCH,
    PASSWORD,
    USERNAME,
    WINDOW,
    Site,
    Visitor,
    confirmation_link,
    is_passkey_challenge,
    totp_now,
    wait_for_mail,
)
from tests.fixtures.browser import SESSION_COOKIE, fresh_database, session_engine_env
from tests.fixtures.mail import SmtpServer
from tests.fixtures.servers import AppServer, production_env

pytestmark = [pytest.mark.browser, pytest.mark.standalone]  # its own server and database


@pytest.fixture
def site(request, migrated_sqlite, tls_certificate, tmp_path):
    """The production server over TLS, mailing a test SMTP server, reached at localhost."""
    database = fresh_database(migrated_sqlite, tmp_path)
    with SmtpServer() as smtp:
        env = production_env(
            DATABASE_URL=database,
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}?timeout=10",
            DJANGO_SESSION_REAUTH_WINDOW=WINDOW,
            # Keys change at authentication steps only, so the test can tell them.
            DJANGO_SESSION_ROTATION_INTERVAL=0,
            **session_engine_env(request),
        )
        with AppServer(env, kind="gunicorn", tls=tls_certificate.tls) as server:
            yield Site(f"https://localhost:{server.port}", smtp.messages)
            print(server.log()[-8000:])  # shown when the test fails: a 500's traceback


@pytest.fixture
def visitors(browser, site):
    made = []

    def visitor():
        made.append(Visitor(browser, site))
        return made[-1]

    yield visitor
    for each in made:
        assert not [status for status in each.statuses if status >= 500], each.statuses
        assert each.csp.violations == []
        each.close()


def test_sign_up_mfa_passkey_and_sudo_in_chromium(visitors, site):
    me = visitors()
    # The page's passkey calls reach this virtual authenticator.
    cdp = me.context.new_cdp_session(me.page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})

    # 1. Sign up; the mailed link, opened in this browser, signs in.
    me.go("/accounts/login/")
    me.page.click("#sign-up")
    me.at("/accounts/signup/")
    me.page.fill("#id_email", ADDRESS)
    me.page.fill("#id_username", USERNAME)
    me.page.fill("#id_password1", PASSWORD)
    me.page.fill("#id_password2", PASSWORD)
    me.submit("/accounts/signup/")
    me.at("/accounts/confirm-email/")
    pending = me.key
    recipients, raw = wait_for_mail(site.messages)
    assert recipients == [ADDRESS]
    me.page.goto(confirmation_link(raw))
    me.page.locator("main form button[type=submit]").click()
    me.at("/")
    assert me.page.text_content("#current-user") == USERNAME
    assert me.key not in (None, pending)
    me.go("/accounts/sessions/")
    assert me.page.locator("table.sessions tbody tr").count() == 1

    # 2. An authenticator app: its secret on the page, the code computed from it.
    me.in_sudo_mode("/accounts/2fa/totp/activate/")
    secret = me.page.input_value("#authenticator_secret")
    me.page.fill("#id_code", totp_now(secret))
    me.submit("/accounts/2fa/totp/activate/")
    me.at("/accounts/2fa/recovery-codes/")
    codes = me.page.input_value("#recovery_codes").split()
    assert len(codes) == 10, codes

    # 3. A passkey, made by the virtual authenticator.
    me.in_sudo_mode("/accounts/2fa/webauthn/add/")
    me.page.fill("#id_name", "This laptop")
    me.page.check("#id_passwordless")
    me.page.click("#mfa_webauthn_add")
    me.at("/accounts/2fa/")
    me.go("/accounts/2fa/webauthn/")
    assert "This laptop" in me.page.text_content("main")
    [credential] = cdp.send("WebAuthn.getCredentials", authenticator)["credentials"]
    assert credential["isResidentCredential"]

    # 4. The password, then the second factor: a new session key at each step. A key from
    # before the password (the passkey button's challenge, fetched as its script does, then
    # the password typed instead) is worth nothing after it.
    me.sign_out()
    me.go("/accounts/login/")
    assert me.page.evaluate(CHALLENGE_FETCH) == 200
    before_password = me.key
    assert before_password is not None
    me.password_step()
    after_password = me.key
    assert after_password not in (None, before_password)
    me.second_factor(totp_now(secret))
    assert me.key not in (None, after_password)
    assert me.who() == USERNAME

    # Another browser signs in with a recovery code instead: a second session.
    other = visitors()
    other.password_step()
    other.second_factor(codes[0])
    assert other.who() == USERNAME

    # 5. The passkey alone.
    me.sign_out()
    me.go("/accounts/login/")
    with me.page.expect_response(is_passkey_challenge) as challenge:
        me.page.click("#passkey_login")
    me.at("/")
    # The challenge was kept in an anonymous session: signed in, under another key.
    set_cookie = challenge.value.header_value("set-cookie") or ""
    challenged = re.search(rf"{SESSION_COOKIE}=([^;]+)", set_cookie)
    assert challenged, set_cookie
    assert me.key not in (None, challenged.group(1), after_password)
    signed_in_at = time.monotonic()
    assert me.page.text_content("#current-user") == USERNAME

    # 6. After the window, sudo mode opened by the passkey, then the action done.
    me.go("/accounts/sessions/")
    assert me.page.locator("table.sessions tbody tr").count() == 2
    time.sleep(max(0, signed_in_at + WINDOW + 0.5 - time.monotonic()))
    me.page.click("#end-others")
    me.page.wait_for_selector("#confirm-purpose")
    me.page.click("#other-ways")
    me.at("/accounts/reauthenticate/")
    me.page.click("a[href^='/accounts/2fa/webauthn/reauthenticate/']")
    me.at("/accounts/2fa/webauthn/reauthenticate/")
    me.page.click("#mfa_webauthn_reauthenticate")
    me.at("/accounts/sessions/")
    with me.page.expect_navigation():  # the same page again, after the POST
        me.page.click("#end-others")
    me.at("/accounts/sessions/")
    assert me.page.text_content(".message") == "Signed out 1 other session."
    assert me.page.locator("table.sessions tbody tr").count() == 1
    assert other.who() is None
