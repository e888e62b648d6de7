"""A lockout is logged once, as ``login_locked_out``, without the username in clear."""

import datetime
import logging

import pytest
import time_machine

from session_security.audit import key_hash
from tests.conftest import PASSWORD, HttpsClient

pytestmark = pytest.mark.django_db

LIMIT = 5
COOL_OFF = 900
HERE = "203.0.113.10"
START = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def throttling(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=COOL_OFF)


WRONG = "wrong password"


def attempt(client, username="alice", password=WRONG):
    return client.post("/accounts/login/", {"username": username, "password": password})


def lockouts(caplog):
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "session_security.audit"
        and record.getMessage().startswith("event=login_locked_out ")
    ]


def test_a_lockout_is_logged_once_with_hashed_username_address_and_end(user, caplog):
    caplog.set_level(logging.INFO, logger="session_security.audit")
    client = HttpsClient(REMOTE_ADDR=HERE)
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(LIMIT - 1):
            assert attempt(client).status_code == 200
        assert not lockouts(caplog)
        assert attempt(client).status_code == 429  # the attempt that locks the pair
        clock.shift(30)
        # Hammering while locked out (other spellings count as the same name,
        # the right password too) is refused, and is not a new lockout.
        for typed, password in (("alice", "wrong"), ("ALICE", "wrong"), ("alice", PASSWORD)):
            assert attempt(client, typed, password).status_code == 429
        lines = lockouts(caplog)
        assert len(lines) == 1, lines
        line = lines[0]
        assert f"username_hash={key_hash('alice')}" in line
        assert "alice" not in line.lower()
        assert f"ip={HERE}" in line and f"failures={LIMIT}" in line
        assert "cool_off_until=2026-03-01T09:15:00Z" in line

        # After the cool-off (counted from the last attempt) the pair is free;
        # locking it again is a second lockout, logged again.
        clock.shift(COOL_OFF + 1)
        for _ in range(LIMIT):
            attempt(client)
        lines = lockouts(caplog)
        assert len(lines) == 2, lines
        assert "cool_off_until=2026-03-01T09:30:31Z" in lines[1]


def test_another_address_locking_the_same_name_is_its_own_lockout(user, caplog):
    caplog.set_level(logging.INFO, logger="session_security.audit")
    for address in (HERE, "198.51.100.20"):
        client = HttpsClient(REMOTE_ADDR=address)
        for _ in range(LIMIT + 2):
            attempt(client)
    lines = lockouts(caplog)
    assert [line.split(" ip=")[1].split()[0] for line in lines] == [HERE, "198.51.100.20"]
