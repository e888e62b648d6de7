"""The audit log: one line per event, and never a raw session key."""

import datetime
import io
import logging
import re

import pytest
import time_machine
from django.core.management import call_command

from tests.conftest import PASSWORD, HttpsClient, assert_refused, session_cookie, sign_in

pytestmark = pytest.mark.django_db


def events(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "session_security.audit"]


def test_session_events_are_logged_without_raw_keys(client, user, engine, settings, caplog):
    caplog.set_level(logging.INFO, logger="session_security.audit")
    settings.SESSION_ROTATION_INTERVAL = 60
    settings.SESSION_IDLE_TIMEOUT = 600
    keys = []
    start = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        HttpsClient().post("/accounts/login/", {"username": "alice", "password": "wrong"})
        sign_in(client)
        keys.append(session_cookie(client))
        clock.shift(60)
        client.get("/")  # rotation
        keys.append(session_cookie(client))
        client.post("/accounts/logout/")
        sign_in(client)
        keys.append(session_cookie(client))
        clock.shift(600)
        client.get("/")  # idle timeout
    lines = events(caplog)
    kinds = [line.split()[0] for line in lines]
    for kind in ("login_failed", "login", "rotation", "logout", "timeout"):
        assert f"event={kind}" in kinds, lines
    text = "\n".join(lines)
    for key in keys:
        assert key and key not in text
        # Not even a recognisable part of it.
        assert key[:16] not in text
    assert "reason=idle_timeout" in text


def test_failed_login_logs_the_username_and_address(client, user, caplog):
    caplog.set_level(logging.INFO, logger="session_security.audit")
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD + "x"})
    line = next(line for line in events(caplog) if line.startswith("event=login_failed"))
    assert "username=alice" in line and "ip=127.0.0.1" in line


def test_the_demo_user_command_logs_what_it_did(settings, caplog):
    """A demo password set, not a user's password change; a rerun ends the demo's sessions."""
    caplog.set_level(logging.INFO, logger="session_security.audit")
    settings.DEBUG = True

    def create_demo_user():
        out = io.StringIO()
        call_command("create_demo_user", stdout=out)
        return out.getvalue(), re.search(r"Password:\s+(\S+)", out.getvalue())[1]

    _, password = create_demo_user()
    browser = HttpsClient()
    sign_in(browser, "demo", password)
    said, _ = create_demo_user()

    lines = [line for line in events(caplog) if "event=login " not in line]
    assert [line.split()[0] for line in lines] == ["event=demo_password_set"] * 2
    assert "created=yes" in lines[0] and "ended=1" in lines[1]
    assert "Signed out its 1 session(s)" in said
    assert_refused(browser.get("/"))
