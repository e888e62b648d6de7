"""The key behaviours on a real PostgreSQL, whatever ``DATABASE_URL`` says.

A ``database=postgresql`` bake runs its whole database suite on the session's
PostgreSQL server (see ``tests/fixtures/services.py``). This module checks
the behaviours that depend on the database on PostgreSQL explicitly, also
when the suite itself runs on SQLite (``DATABASE_URL=sqlite:///...``): the
project is served by gunicorn on a PostgreSQL database, and the test reads
the rows it wrote with psycopg: sign-in stores a session and its registry
row, sign-out ends both (a copied cookie is refused), the absolute end is
compared with the database's clock, and ``clear_expired_sessions`` deletes
what expired and nothing else.
"""

import secrets
import uuid

import pytest
from django.core import signing

from session_security.session_data import RECORD_KEY
from tests.fixtures.servers import AppServer, Browser, manage, production_env, replay_on

pytestmark = [pytest.mark.services, pytest.mark.standalone]

SECRET_KEY = production_env()["DJANGO_SECRET_KEY"]
# What Django's database engines sign the stored session data with.
SESSION_DATA_SALT = "django.contrib.sessions.SessionStore"


@pytest.fixture(scope="module")
def env(postgresql_app_database):
    return production_env(
        DATABASE_URL=postgresql_app_database,
        DJANGO_SESSION_ENGINE="db",
        DJANGO_SECURE_PROXY_SSL_HEADER="on",
    )


@pytest.fixture(scope="module")
def server(env):
    with AppServer(env) as server:
        yield server


@pytest.fixture
def pg(postgresql_server, postgresql_app_database):
    """A connection to the served database (autocommit: sees the server's writes)."""
    with postgresql_server.connect(postgresql_app_database.rsplit("/", 1)[1]) as connection:
        yield connection


def stored_session(pg, key):
    row = pg.execute(
        "SELECT session_data FROM session_security_session "
        "WHERE session_key = %s AND expire_date > now()",
        [key],
    ).fetchone()
    if row is None:
        return None
    return signing.loads(
        row[0], key=SECRET_KEY, salt=SESSION_DATA_SALT, serializer=signing.JSONSerializer
    )


def registry_row(pg, record_id):
    return pg.execute(
        "SELECT r.ended_at, r.end_reason, host(r.ip_address), u.username "
        "FROM session_security_sessionrecord r JOIN accounts_user u ON u.id = r.user_id "
        "WHERE r.id = %s",
        [uuid.UUID(record_id)],
    ).fetchone()


def test_sign_in_registers_and_sign_out_revokes(server, pg):
    with Browser() as browser:
        browser.sign_in(server)
        key = browser.session_cookie

        data = stored_session(pg, key)
        assert data is not None and RECORD_KEY in data
        record = data[RECORD_KEY]
        assert registry_row(pg, record) == (None, "", "127.0.0.1", "alice")
        assert browser.whoami(server) == "alice"

        browser.sign_out(server)
        ended_at, reason, _, _ = registry_row(pg, record)
        assert ended_at is not None and reason == "logout"
        assert stored_session(pg, key) is None
        assert replay_on(server, key) is None


def record_of(pg, browser):
    return stored_session(pg, browser.session_cookie)[RECORD_KEY]


def test_expired_sessions_end_and_are_cleared(env, server, pg):
    with Browser() as expiring, Browser() as staying:
        expiring.sign_in(server)
        staying.sign_in(server)
        expired, live = record_of(pg, expiring), record_of(pg, staying)

        # The absolute end, compared with PostgreSQL's own clock.
        pg.execute(
            "UPDATE session_security_sessionrecord SET expires_at = now() - interval '1 second' "
            "WHERE id = %s",
            [uuid.UUID(expired)],
        )
        assert expiring.whoami(server) is None
        ended_at, reason, _, _ = registry_row(pg, expired)
        assert ended_at is not None and reason == "absolute_timeout"

        # A stored session past its expiry, as the db engine leaves them.
        stale_key = secrets.token_hex(16)
        pg.execute(
            "INSERT INTO session_security_session (session_key, session_data, expire_date) "
            "VALUES (%s, 'e30', now() - interval '1 minute')",
            [stale_key],
        )

        manage(env, "clear_expired_sessions")

        assert registry_row(pg, expired) is None
        assert registry_row(pg, live) is not None
        assert not pg.execute(
            "SELECT 1 FROM session_security_session WHERE session_key = %s", [stale_key]
        ).fetchone()
        assert staying.whoami(server) == "alice"
