"""A Redis failover drill: SIGKILL the primary while users are signed in.

A real gunicorn server runs the project with
``CACHE_URL=redis+sentinel://...``: three Sentinels watch a primary and one
replica (``tests/scale_out/replication.py``). Users sign in; one signs out and
one signs out everywhere; then the primary is killed with SIGKILL. Requests
keep coming while Sentinel notices (500 ms), agrees and promotes the replica.
The app follows the promotion without a restart, and:

- ``cached_db``: every request is served, signed in (the database answers
  while Redis cannot);
- ``cache``: while there is no primary, a 503 with ``Retry-After``, never a
  500 and never a silent sign-out; after the promotion every session that
  had replicated works again, and new sign-ins work;
- the sign-out and the sign-out-everywhere stay final, even when the
  promoted replica still holds the signed-out session (a delete that never
  reached it, re-created here with ``RESTORE``), and after the old primary
  comes back as a replica: the session registry, in the database, decides.

The drill runs again with every Redis and Sentinel process speaking TLS only
and asking for a password (the Sentinels their own): the app follows the
failover through ``rediss+sentinel://`` as it does in plain text.

The time from the kill to the first successful request is printed (``-s``).
"""

import pickle
import time

import pytest

from session_security.session_data import RECORD_KEY
from tests.fixtures.servers import (
    AppServer,
    create_users,
    manage,
    replay_on,
    signed_in_browsers,
)

# Sets up what it tests itself (the engines are the test's parameters, Redis its own
# Sentinel group).
pytestmark = [pytest.mark.services, pytest.mark.standalone]

# The drill gives up (and fails) if the app has not recovered by then.
DRILL_SECONDS = 30
# No request may hang on the dead primary: redis-py's default retries take ~5 s
# per command; ours fail in milliseconds (2 s leaves room for a loaded machine).
FAIL_FAST_SECONDS = 2.0


def raw(process):
    """A client returning bytes (``DUMP``/``RESTORE`` and pickled values)."""
    return process.client(decode_responses=False)


def stored_key(process, cookie):
    """The Redis key holding the session whose key is ``cookie``, or ``None``."""
    keys = raw(process).keys(f"*{cookie}")
    return keys[0] if keys else None


def record_id(process, cookie):
    """The registry id inside the stored session (Django pickles cache values)."""
    value = raw(process).get(stored_key(process, cookie))
    return pickle.loads(value)[RECORD_KEY]  # noqa: S301 - our own server's data


def registry_ends(env, record_ids):
    """``{record id: end_reason}`` read from the database, '' for a live session."""
    script = (
        "from session_security.models import SessionRecord\n"
        f"for r in SessionRecord.objects.filter(pk__in={list(record_ids)!r}):\n"
        "    print(r.pk, r.end_reason if r.ended_at else '-')\n"
    )
    lines = manage(env, "shell", "--no-imports", "-c", script).split()
    return {lines[i]: lines[i + 1] for i in range(0, len(lines), 2)}


def outcome(response, username):
    """What a user saw: 'ok', 'retry' (503 + Retry-After), or what went wrong."""
    if response.status_code == 200 and f'id="current-user">{username}<' in response.text:
        return "ok"
    if response.status_code == 503 and response.headers.get("Retry-After"):
        return "retry"
    if response.status_code == 302 and "/accounts/login/" in response.headers["Location"]:
        return "signed out"
    return f"HTTP {response.status_code}"


@pytest.mark.parametrize(
    ("engine_name", "group"),
    [
        ("cached_db", "redis_sentinel"),
        ("cache", "redis_sentinel"),
        # TLS to the Sentinels and the primary, each with its own password.
        ("cached_db", "secure_redis_sentinel"),
    ],
)
def test_a_sentinel_failover_signs_nobody_out_and_revives_nobody(
    engine_name, group, app_env, request
):
    redis_sentinel = request.getfixturevalue(group)
    env = app_env(engine_name, CACHE_URL=redis_sentinel.url)
    bob, carol = create_users(env, "bob", "carol")

    with AppServer(env) as server:
        users = signed_in_browsers(server, "alice", 3)
        [leaving] = signed_in_browsers(server, bob)
        everywhere, elsewhere = signed_in_browsers(server, carol, 2)
        assert [outcome(b.get(server, "/"), "alice") for b in users] == ["ok"] * 3

        primary, replica = redis_sentinel.primary, redis_sentinel.replica
        left_cookie = leaving.session_cookie
        carol_cookies = [everywhere.session_cookie, elsewhere.session_cookie]
        # The signed-out session as it was: restored on the new primary
        # later, as if the delete had never been replicated.
        revoked = [left_cookie, *carol_cookies]
        dumps = {stored_key(primary, c): raw(primary).dump(stored_key(primary, c)) for c in revoked}
        left_record = record_id(primary, left_cookie)
        carol_records = [record_id(primary, cookie) for cookie in carol_cookies]
        redis_sentinel.replicate()  # every session so far is on the replica

        # Just before the kill: a sign-out, and a sign-out everywhere.
        leaving.sign_out(server)
        ended = everywhere.post(
            server, "/accounts/sessions/end-everywhere/", {}, form_path="/accounts/sessions/"
        )
        assert ended.status_code == 302, ended.status_code

        redis_sentinel.kill_primary()
        killed = time.monotonic()
        seen, promoted_after, first_ok_after, slowest = [], None, None, 0.0
        while time.monotonic() - killed < DRILL_SECONDS:
            round_outcomes = []
            for browser in users:
                started = time.monotonic()
                round_outcomes.append(outcome(browser.get(server, "/"), "alice"))
                slowest = max(slowest, time.monotonic() - started)
            now = time.monotonic() - killed
            seen.extend(round_outcomes)
            if first_ok_after is None and "ok" in round_outcomes:
                first_ok_after = now
            if promoted_after is None and redis_sentinel.master_port() == replica.port:
                promoted_after = now
            if promoted_after is not None and round_outcomes == ["ok"] * len(users):
                break
        else:
            pytest.fail(f"not recovered within {DRILL_SECONDS} s: {seen[-6:]}")
        retries = seen.count("retry")
        print(
            f"\n[{engine_name}] kill -> Sentinel names the replica: {promoted_after:.2f} s; "
            f"kill -> first successful request: {first_ok_after:.2f} s; "
            f"{len(seen)} requests, {retries} answered 503 + Retry-After, "
            f"slowest {slowest * 1000:.0f} ms"
        )
        # Fail-fast holds through the switch: no request waits on a dead server.
        assert slowest < FAIL_FAST_SECONDS, slowest

        assert set(seen) <= {"ok", "retry"}, seen  # never a 500, never signed out
        if engine_name == "cached_db":
            assert retries == 0, seen  # the database served every request
        # New sign-ins work on the new primary, and land there.
        [newcomer] = signed_in_browsers(server)
        assert outcome(newcomer.get(server, "/"), "alice") == "ok"
        assert stored_key(replica, newcomer.session_cookie)

        # Carol's other session was never deleted from Redis at all (only
        # its registry row and her session epoch changed): it replicated.
        assert stored_key(replica, carol_cookies[1])

        def assert_revocations_hold():
            # The revoked sessions are in Redis as they were before, as if
            # every delete had been lost (a refused replay deletes them)...
            for key, dump in dumps.items():
                raw(replica).restore(key, 0, dump, replace=True)
            # ...and every copy is refused: the registry in the database says so.
            for cookie in revoked:
                assert stored_key(replica, cookie)
                assert replay_on(server, cookie) is None
            assert [outcome(b.get(server, "/"), "alice") for b in users] == ["ok"] * 3

        assert_revocations_hold()
        redis_sentinel.restart_old_primary()
        assert_revocations_hold()

        ends = registry_ends(env, [left_record, *carol_records])
        assert ends == {
            left_record: "logout",
            carol_records[0]: "signed_out_everywhere",
            carol_records[1]: "signed_out_everywhere",
        }
        for browser in (*users, leaving, everywhere, elsewhere, newcomer):
            browser.close()
