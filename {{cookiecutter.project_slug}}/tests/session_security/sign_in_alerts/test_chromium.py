"""In a real Chromium: its id kept across a sign-out's Clear-Site-Data, so no second mail."""

import time

import pytest

from session_security.sign_in_alerts import recognition
from tests.fixtures.browser import (
    USERNAME,
    fresh_database,
    run_django,
    session_engine_env,
    sign_in,
)
from tests.fixtures.mail import SmtpServer
from tests.fixtures.servers import AppServer, production_env

pytestmark = [pytest.mark.browser, pytest.mark.standalone]  # its own server and database


@pytest.fixture
def mailing_server(request, migrated_sqlite, tls_certificate, tmp_path):
    """The production server over TLS, its user with an address, mailing a test SMTP server."""
    database = fresh_database(migrated_sqlite, tmp_path)
    run_django(
        production_env(DATABASE_URL=database, DJANGO_SESSION_ENGINE="db"),
        "from django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.filter(username={USERNAME!r})"
        ".update(email='alice@example.org')\n",
    )
    with SmtpServer() as smtp:
        email_url = f"smtp://127.0.0.1:{smtp.port}?timeout=10"
        env = production_env(
            DATABASE_URL=database, EMAIL_URL=email_url, **session_engine_env(request)
        )
        with AppServer(env, kind="gunicorn", tls=tls_certificate.tls) as server:
            yield server, smtp.messages


def test_chromium_keeps_its_id_across_the_sign_out(mailing_server, browser):
    server, messages = mailing_server
    laptop = browser.new_context()
    laptop.set_default_timeout(10_000)
    page = sign_in(laptop.new_page(), server)  # the account's first browser: no mail
    before = {c["name"]: c for c in laptop.cookies()}[recognition.COOKIE_NAME]
    assert before["secure"] and before["httpOnly"] and before["domain"] == "127.0.0.1"
    assert before["sameSite"] == "Lax" and before["path"] == "/"
    page.click("#logout")
    page.wait_for_url(server.url + "/accounts/login/")
    after = {c["name"]: c for c in laptop.cookies()}
    assert "__Host-sessionid" not in after  # the sign-out cleared the rest
    assert after[recognition.COOKIE_NAME]["value"] == before["value"]
    sign_in(page, server)  # the same browser again: known
    other = browser.new_context()
    sign_in(other.new_page(), server)  # a new browser: the one mail
    deadline = time.monotonic() + 10
    while not messages and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # a second mail, if the laptop had been taken for new, is there by now
    assert len(messages) == 1, messages
    laptop.close()
    other.close()
