"""The audit log: one line per event, and never a raw session key."""

import datetime
import logging

import pytest
import time_machine

from tests.conftest import PASSWORD, HttpsClient, session_cookie, sign_in

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
