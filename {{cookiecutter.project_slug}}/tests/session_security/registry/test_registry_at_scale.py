"""The session registry with a million rows, on PostgreSQL.

Every request reads its session's registry row; the table grows with every
sign-in until ``clear_expired_sessions`` runs. With ``REGISTRY_SCALE_ROWS``
rows (50,000 in the suite, ``REGISTRY_SCALE_ROWS=1000000`` for the README's
figures; 10,000 users, 30 days of sign-ins with a one-day lifetime, never
cleared):

- the per-request lookup, as the ORM writes it, is planned and executed as
  a primary-key index scan (the plans are printed with ``-s``);
- ``clear_expired_sessions`` deletes in short batches while a real app
  server keeps signing users in and out; ``pg_stat_activity``, sampled every
  20 ms, shows no query waiting on a lock for more than a moment, and the
  command reports its longest batch (the longest any of its locks is held).
"""

import os
import re
import statistics
import threading
import time

import pytest

from tests.fixtures.servers import (
    AppServer,
    Browser,
    manage,
    prepare_database,
    production_env,
)

# Sets up what it tests itself (its own database on the session's PostgreSQL, the db engine).
pytestmark = [pytest.mark.services, pytest.mark.standalone]

# 1,000,000 for the README's figures; the suite's default keeps it under a minute.
ROWS = int(os.environ.get("REGISTRY_SCALE_ROWS", "50000"))
BATCH_SIZE = 1000  # the command's default
USERS = 10_000
DAYS = 30
# "A moment": no query may wait on the cleanup's locks for longer than this.
MOMENT_SECONDS = 1.0

LOAD_USERS = """
INSERT INTO accounts_user (password, is_superuser, username, username_key, first_name,
                           last_name, email, is_staff, is_active, date_joined, session_epoch)
SELECT '!', false, 'user' || g, 'user' || g, '', '', '', false, true, now(), 0
FROM generate_series(1, %(users)s) AS g
"""
# Sign-ins spread over DAYS days, each with a one-day lifetime; one in five
# signed out an hour after signing in. Live rows are those of the last day.
LOAD_RECORDS = """
INSERT INTO session_security_sessionrecord
    (id, user_id, created_at, expires_at, last_seen_at, rotated_at, reauthenticated_at,
     generation, ip_address, user_agent, key_fingerprint, ended_at, end_reason)
SELECT gen_random_uuid(), u.first_id + g %% %(users)s, s.created, s.created + interval '1 day',
       s.created, s.created, s.created, 0, '192.0.2.1', 'Mozilla/5.0 (scale test)', '',
       CASE WHEN g %% 5 = 0 THEN s.created + interval '1 hour' END,
       CASE WHEN g %% 5 = 0 THEN 'logout' ELSE '' END
FROM generate_series(1, %(rows)s) AS g,
     (SELECT min(id) AS first_id FROM accounts_user WHERE username LIKE 'user%%') AS u,
     LATERAL (SELECT now() - ((g::bigint * 7919) %% (%(days)s * 86400)) * interval '1 second'
              AS created) AS s
"""
DELETABLE = (
    "SELECT count(*) FROM session_security_sessionrecord "
    "WHERE ended_at < now() OR expires_at < now()"
)
DELETABLE_AT = (
    "SELECT count(*) FROM session_security_sessionrecord WHERE ended_at < %s OR expires_at < %s"
)

EXPLAIN_SCRIPT = """
from django.db import connection
from session_security.models import SessionRecord

pk = SessionRecord.objects.order_by("pk").values_list("pk", flat=True)[OFFSET]
queries = [
    ("today (middleware: filter(pk=...).first())",
     SessionRecord.objects.filter(pk=pk).order_by("-created_at")[:1]),
    ("with the user (select_related('user').filter(pk=...))",
     SessionRecord.objects.select_related("user").filter(pk=pk)),
]
with connection.cursor() as cursor:
    for name, queryset in queries:
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        print("== " + name)
        print(sql)
        for (line,) in cursor.fetchall():
            print(line)
"""


@pytest.fixture(scope="module")
def big(postgresql_server):
    """A migrated database whose registry holds ``ROWS`` rows; ``(env, connection)``."""
    name = postgresql_server.create_database("scale")
    env = production_env(
        DATABASE_URL=postgresql_server.url(name),
        DJANGO_SESSION_ENGINE="db",
        DJANGO_SECURE_PROXY_SSL_HEADER="on",
    )
    prepare_database(env)
    with postgresql_server.connect(name) as pg:
        started = time.monotonic()
        sizes = {"users": USERS, "rows": ROWS, "days": DAYS}
        pg.execute(LOAD_USERS, sizes)
        pg.execute(LOAD_RECORDS, sizes)
        pg.execute("VACUUM ANALYZE session_security_sessionrecord")
        pg.execute("ANALYZE accounts_user")
        count = pg.execute("SELECT count(*) FROM session_security_sessionrecord").fetchone()[0]
        print(f"\nloaded {count} registry rows in {time.monotonic() - started:.1f} s")
        yield env, pg, lambda: postgresql_server.connect(name)


def explain(env, offset):
    plans = manage(
        env, "shell", "--no-imports", "-c", EXPLAIN_SCRIPT.replace("OFFSET", str(offset))
    )
    print("\n" + plans)
    return plans


def assert_primary_key_reads(plans):
    sections = plans.split("== ")[1:]
    assert len(sections) == 2
    for section in sections:
        assert "Index Scan using session_security_sessionrecord_pkey" in section, section
        assert "Seq Scan" not in section and "Bitmap" not in section, section
    # The joined form reads the user by its primary key too.
    assert "Index Scan using accounts_user_pkey" in sections[1], sections[1]


class SignIns(threading.Thread):
    """Sign in and out, over and over, timing each sign-in, until stopped."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server = server
        self.times = []
        self.failures = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            with Browser() as browser:
                started = time.monotonic()
                try:
                    browser.sign_in(self.server)
                    self.times.append(time.monotonic() - started)
                    browser.sign_out(self.server)
                except Exception as error:  # reported by the test
                    self.failures.append(repr(error))


class LockWaits(threading.Thread):
    """Samples ``pg_stat_activity``: the longest any backend waited for a lock."""

    def __init__(self, connect):
        super().__init__(daemon=True)
        self.connect = connect
        self.longest = 0.0
        self.stop = threading.Event()

    def run(self):
        waiting_since = {}
        with self.connect() as pg:
            while not self.stop.is_set():
                now = time.monotonic()
                rows = pg.execute(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                ).fetchall()
                pids = {pid for (pid,) in rows}
                waiting_since = {pid: waiting_since.get(pid, now) for pid in pids}
                for since in waiting_since.values():
                    self.longest = max(self.longest, now - since)
                time.sleep(0.02)


def test_the_lookup_stays_a_primary_key_read_and_cleanup_never_blocks_sign_ins(big):
    env, pg, connect = big
    assert_primary_key_reads(explain(env, ROWS // 2))
    deletable = pg.execute(DELETABLE).fetchone()[0]
    total = pg.execute("SELECT count(*) FROM session_security_sessionrecord").fetchone()[0]

    with AppServer(env) as server:
        worker, locks = SignIns(server), LockWaits(connect)
        worker.start()
        locks.start()
        cutoff = pg.execute("SELECT now()").fetchone()[0]
        started = time.monotonic()
        output = manage(env, "clear_expired_sessions", timeout=1200)
        took = time.monotonic() - started
        for thread in (worker, locks):
            thread.stop.set()
            thread.join(timeout=30)

    busy = worker.times
    match = re.search(
        r"Deleted (\d+) ended or expired session record\(s\) in (\d+) batch\(es\); "
        r"longest batch (\d+) ms",
        output,
    )
    assert match, output
    deleted, batches, longest_ms = (int(group) for group in match.groups())
    print(
        f"\nclear_expired_sessions: {deleted} of {total} rows in {batches} batches, "
        f"{took:.1f} s, longest batch {longest_ms} ms; sign-ins meanwhile: {len(busy)}, "
        f"median {statistics.median(busy) * 1000:.0f} ms, slowest {max(busy) * 1000:.0f} ms; "
        f"longest lock wait seen {locks.longest * 1000:.0f} ms"
    )
    assert not worker.failures, worker.failures[:3]
    # Every row that had ended or expired went (sign-ins meanwhile add only live rows).
    assert deleted >= deletable
    left = pg.execute(DELETABLE_AT, [cutoff, cutoff]).fetchone()[0]
    assert left == 0, left
    assert batches == -(-deleted // BATCH_SIZE)  # full batches, one short one at the end
    # Sign-ins went on throughout, and nothing waited on the cleanup's locks.
    assert len(busy) >= 3, busy
    assert locks.longest < MOMENT_SECONDS, locks.longest
    assert_primary_key_reads(explain(env, 0))
