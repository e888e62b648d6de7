"""The DBSC refresh limit holds in the default configuration: no Redis, two workers.

Refreshes for one session reach both gunicorn workers (one is kept busy
while the other serves a burst, then serves the last attempt); the counts
are in the database both share (SQLite or PostgreSQL), so the 13th attempt
of a minute is refused whichever worker serves it.
"""

import secrets
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from session_security.device_binding.views import REFRESH_LIMIT_PER_SESSION
from tests.fixtures.servers import (
    PID_ACCESS_LOG,
    AppServer,
    Browser,
    HeldRequest,
    production_env,
    workers_serving,
)

pytestmark = [pytest.mark.services, pytest.mark.standalone]  # its own servers and databases

ATTEMPTS = 20
REFRESH = "/dbsc/refresh"


def test_two_workers_without_redis_share_the_refresh_limit(each_database):
    env = production_env(
        DATABASE_URL=each_database,  # and no CACHE_URL: the default bake
        DJANGO_SECURE_PROXY_SSL_HEADER="on",
        DJANGO_TRUSTED_PROXY_COUNT=1,
        GUNICORN_CMD_ARGS=PID_ACCESS_LOG,
    )
    session_id = str(uuid.uuid4())
    client = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.1"  # this run's alone
    headers = {"Sec-Secure-Session-Id": session_id, "X-Forwarded-For": client}

    def attempt(server):
        with Browser() as browser:
            return browser.client.post(server.public_url + REFRESH, headers=headers).status_code

    with AppServer(env, workers=2) as server:
        if time.time() % 60 > 50:  # the counts are per minute: all in one
            time.sleep(61 - time.time() % 60)
        held = HeldRequest(server, "POST", REFRESH, headers)  # one worker waits on it
        with ThreadPoolExecutor(max_workers=ATTEMPTS - 1) as pool:  # the other serves these
            statuses = list(pool.map(attempt, [server] * (ATTEMPTS - 1)))
        statuses.append(held.finish())
        log = server.log()
    assert statuses.count(429) == ATTEMPTS - REFRESH_LIMIT_PER_SESSION, statuses
    assert all(status < 500 for status in statuses), statuses
    assert "Traceback" not in log, log[-3000:]
    assert len(workers_serving(log, "POST", REFRESH)) == 2, log[-3000:]
