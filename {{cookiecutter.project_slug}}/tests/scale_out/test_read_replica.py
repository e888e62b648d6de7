"""A PostgreSQL read replica that lags, and one that is down.

A gunicorn server runs the project with ``DATABASE_URL`` on a primary and
``DATABASE_REPLICA_URL`` on its streaming replica (``pg_basebackup -R``,
``tests/scale_out/replication.py``). Both servers log every statement, so
each test sees which server answered which query.

With replay paused on the replica (it lags for as long as the test likes),
a sign-out, a sign-out everywhere, a password change and a deactivation
each refuse the old cookie at once: the session layer reads the primary.
Signing in works. An ordinary read (the notices page) is answered by the
replica, stale, which proves the replica is really in use. With the
replica stopped, everything is served from the primary.
"""

import re
import secrets

import pytest

from tests.conftest import PASSWORD
from tests.fixtures.servers import (
    AppServer,
    create_users,
    prepare_database,
    production_env,
    replay_on,
    signed_in_browsers,
)
from tests.scale_out.replication import wait_until

# Sets up what it tests itself (its own PostgreSQL primary and replica, the db engine).
pytestmark = [pytest.mark.services, pytest.mark.standalone]

# Tables whose rows decide whether a session is live.
SECURITY_TABLES = (
    "session_security_session",  # and session_security_sessionrecord
    "accounts_user",
    "axes_",
    "django_admin_log",
    "auth_",
)
NOTICES = re.compile(r'<ul id="notices">(.*?)</ul>', re.S)


@pytest.fixture(scope="module")
def replicated(postgresql_replica):
    """The migrated application database, on the primary and (streamed) the replica."""
    name = postgresql_replica.primary.create_database("app")
    env = production_env(
        DATABASE_URL=postgresql_replica.primary.url(name),
        DATABASE_REPLICA_URL=postgresql_replica.replica.url(name),
        DJANGO_SESSION_ENGINE="db",
        DJANGO_SECURE_PROXY_SSL_HEADER="on",
    )
    prepare_database(env)
    postgresql_replica.database = name
    postgresql_replica.env = env
    postgresql_replica.wait_caught_up()
    return postgresql_replica


@pytest.fixture(scope="module")
def server(replicated):
    with AppServer(replicated.env) as server:
        yield server


@pytest.fixture
def primary(replicated):
    with replicated.primary.connect(replicated.database) as connection:
        yield connection


def add_notice(primary, title):
    primary.execute(
        "INSERT INTO notices_notice (title, body, published_at) VALUES (%s, '', now())", [title]
    )


def notices_shown(browser, server):
    page = browser.get(server, "/notices/")
    assert page.status_code == 200, page.status_code
    return re.findall(r"<strong>([^<]+)</strong>", NOTICES.search(page.text).group(1))


def touches(statement, tables):
    return any(table in statement for table in tables)


def test_revocations_are_final_while_the_replica_lags(replicated, server, primary):
    env = replicated.env
    kinds = ("out", "all", "pw", "off")
    names = dict(zip(kinds, create_users(env, *kinds), strict=True))
    before = f"before {secrets.token_hex(2)}"
    add_notice(primary, before)
    replicated.wait_caught_up()  # the users and the first notice are on the replica

    sign_out, everywhere, password, deactivated = (
        signed_in_browsers(server, names[kind], 2) for kind in kinds
    )
    replicated.pause_replay()
    try:
        during = f"during {secrets.token_hex(2)}"
        add_notice(primary, during)
        # The replica lags: the notice written now is not shown, the old one is.
        shown = notices_shown(sign_out[0], server)
        assert before in shown and during not in shown

        # Sign out: that cookie is refused at once.
        copied = sign_out[0].session_cookie
        sign_out[0].sign_out(server)
        assert replay_on(server, copied) is None
        assert sign_out[1].whoami(server) == names["out"]  # the other session lives

        # Sign out everywhere: both sessions.
        copies = [browser.session_cookie for browser in everywhere]
        ended = everywhere[0].post(
            server, "/accounts/sessions/end-everywhere/", {}, form_path="/accounts/sessions/"
        )
        assert ended.status_code == 302
        assert [replay_on(server, cookie) for cookie in copies] == [None, None]

        # A password change ends the other session.
        other = password[1].session_cookie
        changed = password[0].post(
            server,
            "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password1": "an entirely new passphrase 77",
                "new_password2": "an entirely new passphrase 77",
                "end_other_sessions": "on",
            },
        )
        assert changed.status_code == 302, changed.text[:300]
        assert replay_on(server, other) is None
        assert password[0].whoami(server) == names["pw"]

        # Deactivation, straight in the primary's table (no signal, no registry
        # change): the user row is read from the primary, so the account is out.
        copies = [browser.session_cookie for browser in deactivated]
        primary.execute(
            "UPDATE accounts_user SET is_active = false WHERE username = %s", [names["off"]]
        )
        assert [replay_on(server, cookie) for cookie in copies] == [None, None]

        # Signing in works while the replica lags (its rows are not there yet).
        [newcomer] = signed_in_browsers(server)
        assert newcomer.whoami(server) == "alice"

        # Which server answered what, for one signed-in ordinary read.
        marks = replicated.primary_log.mark(), replicated.replica_log.mark()
        assert during not in notices_shown(newcomer, server)
        on_primary = replicated.primary_log.since(marks[0])
        on_replica = replicated.replica_log.since(marks[1])
        print(f"\nprimary: {on_primary}\nreplica: {on_replica}")
        assert [s for s in on_replica if "notices_notice" in s], on_replica
        assert not [s for s in on_replica if touches(s, SECURITY_TABLES)], on_replica
        assert [s for s in on_primary if "session_security_sessionrecord" in s], on_primary
        assert [s for s in on_primary if '"session_security_session"' in s], on_primary
        assert not [s for s in on_primary if "notices_notice" in s], on_primary
    finally:
        replicated.resume_replay()
    replicated.wait_caught_up()
    assert during in notices_shown(sign_out[1], server)


def test_with_the_replica_down_the_primary_serves_every_read(replicated, server, primary):
    title = f"while down {secrets.token_hex(2)}"
    add_notice(primary, title)
    replicated.wait_caught_up()
    [browser] = signed_in_browsers(server)
    replicated.stop_replica()
    try:
        mark = replicated.primary_log.mark()
        assert title in notices_shown(browser, server)  # no error page
        assert [s for s in replicated.primary_log.since(mark) if "notices_notice" in s]
        [fresh] = signed_in_browsers(server)
        assert fresh.whoami(server) == "alice"
        assert "Read replica (DATABASE_REPLICA_URL) unreachable" in server.log()
    finally:
        replicated.start_replica()
    # Back: after the retry interval, ordinary reads go to the replica again.
    replicated.wait_caught_up()

    def replica_answers():
        mark = replicated.replica_log.mark()
        notices_shown(browser, server)
        return [s for s in replicated.replica_log.since(mark) if "notices_notice" in s]

    wait_until(replica_answers, 20, "reads returning to the replica")
    assert "Read replica (DATABASE_REPLICA_URL) reachable again" in server.log()
