"""Through real gunicorn and a real SMTP server on loopback: one mail, after the response.

The mail leaves from a thread once the response is sent: a mail server that
refuses connections, or accepts one and then says nothing, delays no sign-in
(the bound asserted: ``SIGN_IN_BOUND`` seconds, against a server stalling
``STALL`` seconds per mail). A burst from new browsers across two workers
sends ``ALERT_LIMIT`` alerts and one summary.
"""

import email
import re
import secrets
import socket
import time

import pytest

from session_security.sign_in_alerts.mail import ALERT_LIMIT
from tests.fixtures.mail import SmtpServer
from tests.fixtures.servers import CSRF_FIELD, AppServer, Browser, manage, production_env
from tests.fixtures.services import free_port

pytestmark = [pytest.mark.services, pytest.mark.standalone]  # its own servers and database

PASSWORD = "x" * 20
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"
LINK = re.compile(r"https?://[^/\s]+(/accounts/sign-in-alert/[^/\s]+/)")
STALL = 5
SIGN_IN_BOUND = 3.0


def new_owner(database_url):
    name = f"owner_{secrets.token_hex(4)}"
    script = (
        "from django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.create_user({name!r}, email='{name}@example.org', "
        f"password={PASSWORD!r})\n"
    )
    manage(production_env(DATABASE_URL=database_url), "shell", "--no-imports", "-c", script)
    return name


def server_env(database_url, email_url):
    return production_env(
        DATABASE_URL=database_url, DJANGO_SECURE_PROXY_SSL_HEADER="on", EMAIL_URL=email_url
    )


def wait_for(messages, count, timeout=10):
    deadline = time.monotonic() + timeout
    while len(messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return messages


def link_in(raw):
    body = email.message_from_string(raw).get_payload(decode=True).decode()
    return LINK.search(body).group(1)


def test_a_new_browser_mails_once_after_the_response_and_its_link_ends_it(app_database):
    owner = new_owner(app_database)
    with SmtpServer() as smtp:
        env = server_env(app_database, f"smtp://127.0.0.1:{smtp.port}?timeout=10")
        with AppServer(env) as server, Browser() as laptop, Browser(FIREFOX) as intruder:
            laptop.sign_in(server, owner, PASSWORD)  # the account's first browser
            intruder.sign_in(server, owner, PASSWORD)
            (recipients, raw), *more = wait_for(smtp.messages, 1)
            assert recipients == [f"{owner}@example.org"] and more == []
            laptop.sign_out(server)
            laptop.sign_in(server, owner, PASSWORD)  # known: no mail
            link = link_in(raw)
            with Browser() as scanner:  # fetches the link, as mail scanners do
                assert 'id="end-sign-in"' in scanner.get(server, link).text
            assert intruder.whoami(server) == owner
            with Browser() as owners_phone:
                token = CSRF_FIELD.search(owners_phone.get(server, link).text).group(1)
                for expected in ('id="sign-in-ended"', 'id="link-used"'):  # it works once
                    pressed = owners_phone.client.post(
                        server.public_url + link,
                        data={"csrfmiddlewaretoken": token},
                        headers={"Origin": server.public_url},
                    )
                    assert expected in pressed.text
            assert intruder.whoami(server) is None
            assert laptop.whoami(server) == owner
            time.sleep(0.5)
            assert len(smtp.messages) == 1, smtp.messages


def test_a_burst_of_new_browsers_sends_the_limit_then_one_summary(app_database):
    """20 new browsers against two gunicorn workers: the counters are shared, so 3 + 1 mails."""
    owner = new_owner(app_database)
    with SmtpServer() as smtp:
        env = server_env(app_database, f"smtp://127.0.0.1:{smtp.port}?timeout=10")
        with AppServer(env, workers=2) as server:
            timed_sign_ins(server, owner, 1 + 20)  # the account's first browser, then 20 new
            messages = wait_for(smtp.messages, ALERT_LIMIT + 1)
            time.sleep(1)  # anything more would have arrived by now
    subjects = [email.message_from_string(raw)["Subject"] for _, raw in messages]
    assert subjects == ["New sign-in to your account"] * ALERT_LIMIT + [
        "More new sign-ins to your account"
    ], subjects


class StallingServer:
    """Accepts SMTP connections and never answers (the kernel completes the handshake)."""

    def __enter__(self):
        self.socket = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.socket.getsockname()[1]
        return self

    def __exit__(self, *exc_info):
        self.socket.close()


def timed_sign_ins(server, owner, count):
    """Sign in from ``count`` new browsers; the slowest sign-in's seconds."""
    slowest = 0.0
    for _ in range(count):
        with Browser(FIREFOX) as browser:
            started = time.monotonic()
            browser.sign_in(server, owner, PASSWORD)
            slowest = max(slowest, time.monotonic() - started)
            assert browser.whoami(server) == owner
    return slowest


@pytest.mark.parametrize("failure", ["refused", "stalls"])
def test_a_failing_mail_server_delays_no_sign_in(app_database, failure):
    owner = new_owner(app_database)
    with StallingServer() as stalling:
        port = free_port() if failure == "refused" else stalling.port
        env = server_env(app_database, f"smtp://127.0.0.1:{port}?timeout={STALL}")
        with AppServer(env) as server:
            # The first browser, then three new ones: three mails, each failing.
            assert timed_sign_ins(server, owner, 4) < SIGN_IN_BOUND
            log = server.log()
    assert "Traceback" not in log, log[-3000:]
    if failure == "refused":
        assert log.count("event=sign_in_alert ") >= 3 + 3  # composed, then failed
        assert "outcome=failed" in log
