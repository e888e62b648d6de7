"""Redis with a password and TLS, through ``CACHE_URL`` alone.

A real ``redis-server`` listens on loopback with TLS only (``--port 0``), a
certificate from a throwaway CA (``tests/fixtures/tls.py``), ``requirepass``
and one ACL user. The caches are built by the settings from
``CACHE_URL=rediss://...?ssl_ca_certs=...`` as in production:

- the default user's password and the ACL user both sign in, and a session
  makes the round trip through Redis over TLS;
- a wrong password, a CA that did not sign the server's certificate, no CA
  at all (the system's do not know it) and plain ``redis://`` against the
  TLS port all fail closed: a sign-in gets the 503 page and the log names
  ``CACHE_URL``; nobody is signed in by a store that is not there.
"""

import contextlib
import logging
import shutil
import subprocess
import time
from urllib.parse import quote

import pytest
import redis

from session_security.storage.engines import SESSION_CACHE_ALIAS
from tests.config.test_settings import PRODUCTION, load
from tests.conftest import PASSWORD, HttpsClient, is_signed_in
from tests.fixtures.processes import stop_process, track
from tests.fixtures.services import REDIS_SERVER, free_port, skip_missing

pytestmark = [pytest.mark.django_db, pytest.mark.services]

REDIS_PASSWORD = "default user's p@ss/word"
ACL_USER, ACL_PASSWORD = "sessions-app", "acl-user-password"


def wait_for(condition, what, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if condition():
                return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout} s")


class TlsRedis:
    def __init__(self, ca):
        self.ca = ca
        self.port = free_port()

    def url(self, *, user="", password=REDIS_PASSWORD, ca=None, scheme="rediss"):
        ca_file = (ca or self.ca).ca_file
        query = f"?ssl_ca_certs={ca_file}" if scheme == "rediss" and ca is not False else ""
        return f"{scheme}://{user}:{quote(password, safe='')}@127.0.0.1:{self.port}/0{query}"

    def client(self):
        return redis.Redis(
            port=self.port, password=REDIS_PASSWORD, ssl=True, ssl_ca_certs=str(self.ca.ca_file)
        )


@pytest.fixture(scope="module")
def tls_redis(tls_ca):
    if not shutil.which(REDIS_SERVER):
        skip_missing("redis-server", "redis-server")
    server = TlsRedis(tls_ca)
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--bind",
            "127.0.0.1",
            "--port",
            "0",  # no plain-text port at all
            "--tls-port",
            str(server.port),
            "--tls-cert-file",
            str(tls_ca.cert_file),
            "--tls-key-file",
            str(tls_ca.key_file),
            "--tls-ca-cert-file",
            str(tls_ca.ca_file),
            "--tls-auth-clients",
            "no",
            "--requirepass",
            REDIS_PASSWORD,
            "--user",
            ACL_USER,
            "on",
            f">{ACL_PASSWORD}",
            "~*",
            "+@all",
            "--save",
            "",
            "--appendonly",
            "no",
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
    )
    track(process.pid)
    try:
        wait_for(lambda: server.client().ping(), "redis-server over TLS")
        yield server
    finally:
        stop_process(process)


def use_cache_url(monkeypatch, settings, url):
    """The caches and the ``cache`` engine exactly as the settings make them from ``url``."""
    loaded = load(monkeypatch, **(PRODUCTION | {"DJANGO_SESSION_ENGINE": "cache"}), CACHE_URL=url)
    settings.CACHES = loaded["CACHES"]
    settings.SESSION_ENGINE = loaded["SESSION_ENGINE"]
    settings.SESSION_ENGINE_NAME = "cache"


@pytest.mark.parametrize("user_name", ["", ACL_USER], ids=["requirepass", "acl-user"])
def test_a_session_makes_the_round_trip_over_tls_with_a_password(
    monkeypatch, settings, user, tls_redis, user_name
):
    password = ACL_PASSWORD if user_name else REDIS_PASSWORD
    use_cache_url(monkeypatch, settings, tls_redis.url(user=user_name, password=password))
    assert settings.CACHES[SESSION_CACHE_ALIAS]["OPTIONS"]["ssl_ca_certs"]
    tls_redis.client().flushdb()
    client = HttpsClient()
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert is_signed_in(client.get("/"))
    assert tls_redis.client().dbsize() >= 1  # the session is in this Redis


@pytest.mark.parametrize(
    "mistake",
    ["wrong password", "wrong CA", "no CA", "plain text"],
)
def test_a_redis_that_cannot_be_trusted_fails_closed_naming_cache_url(
    monkeypatch, settings, user, tls_redis, other_tls_ca, caplog, mistake
):
    url = {
        "wrong password": tls_redis.url(password="not the password"),
        "wrong CA": tls_redis.url(ca=other_tls_ca),
        "no CA": tls_redis.url(ca=False),
        "plain text": tls_redis.url(scheme="redis"),
    }[mistake]
    use_cache_url(monkeypatch, settings, url)
    caplog.set_level(logging.WARNING)
    client = HttpsClient()
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"]
    assert (
        "__Host-sessionid" not in response.cookies or not response.cookies["__Host-sessionid"].value
    )
    assert any("CACHE_URL" in record.getMessage() for record in caplog.records), [
        record.getMessage() for record in caplog.records
    ]
