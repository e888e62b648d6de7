"""Redis outages: never a bare 500, never a silent sign-out.

Each test runs its own redis-server (on a free loopback port, persisting to a
temporary folder) so it can stop and restart it without disturbing the rest
of the suite. ``SHUTDOWN SAVE`` then a restart is a real outage after which
Redis still holds the sessions it had.
"""

import contextlib
import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from session_security.storage.cached_db import CacheHealth
from tests.conftest import (
    AsgiHttpsClient,
    HttpsClient,
    is_signed_in,
    session_cookie,
    sign_in,
    use_engine,
)
from tests.fixtures.processes import track

pytestmark = [pytest.mark.django_db, pytest.mark.services]

REDIS_SERVER = "/usr/bin/redis-server"


class RedisServer:
    def __init__(self, folder):
        self.folder = folder
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        track(self.process.pid)  # redis-server hides its environment (see processes.py)
        client = self.client()
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def client(self):
        # No retries: the default client backs off for seconds after SHUTDOWN.
        return redis.Redis(port=self.port, retry=Retry(NoBackoff(), 0))

    def stop(self):
        """Stop as in an outage; the data is saved to disk for the restart."""
        with contextlib.suppress(redis.ConnectionError):
            self.client().shutdown(save=True)
        self.process.wait(timeout=10)

    def keys(self):
        return self.client().dbsize()


@pytest.fixture
def outage_redis(tmp_path):
    if not shutil.which(REDIS_SERVER):
        pytest.skip("needs redis-server: apt-get install redis-server")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.process.terminate()
        server.process.wait()


HANDLERS = pytest.mark.parametrize("handler", [HttpsClient, AsgiHttpsClient], ids=["wsgi", "asgi"])


@HANDLERS
def test_cache_engine_answers_503_while_redis_is_down(user, settings, outage_redis, handler):
    use_engine(settings, "cache", outage_redis.url)
    client = handler()
    sign_in(client)
    assert is_signed_in(client.get("/"))

    outage_redis.stop()
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "You are still\n    signed in" in response.text
    assert "no-store" in response["Cache-Control"]
    # Signing in needs the store too: a clear 503, not a 500.
    other = HttpsClient()
    other.get("/accounts/login/")
    attempt = other.post("/accounts/login/", {"username": "alice", "password": "x" * 12})
    assert attempt.status_code in (200, 503)  # a failed password never touches the store
    from tests.conftest import PASSWORD

    attempt = other.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert attempt.status_code == 503
    # Pages that need no session still work.
    assert HttpsClient().get("/accounts/login/").status_code == 200

    outage_redis.start()
    assert is_signed_in(client.get("/"))  # nobody was signed out


@HANDLERS
def test_cached_db_keeps_users_signed_in_through_an_outage(
    user, settings, outage_redis, caplog, handler
):
    caplog.set_level(logging.WARNING, logger="session_security.storage")
    CacheHealth.down = False
    use_engine(settings, "cached_db", outage_redis.url)
    client = handler()
    sign_in(client)
    assert outage_redis.keys() == 1

    outage_redis.stop()
    for _ in range(5):
        assert is_signed_in(client.get("/"))
    # Sign-out and a new sign-in work from the database alone.
    newcomer = HttpsClient()
    sign_in(newcomer)
    assert is_signed_in(newcomer.get("/"))
    stolen = session_cookie(newcomer)
    newcomer.post("/accounts/logout/")
    down = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(down) == 1, [r.getMessage() for r in caplog.records]

    outage_redis.start()
    assert is_signed_in(client.get("/"))
    back = [r for r in caplog.records if "reachable again" in r.getMessage()]
    assert len(back) == 1
    # The cache is in use again: the next load wrote the session back into it.
    assert outage_redis.keys() >= 1
    # The session signed out during the outage stays signed out, even though
    # the cache could not be told.
    replay = HttpsClient()
    replay.cookies["__Host-sessionid"] = stolen
    assert replay.get("/").status_code == 302
