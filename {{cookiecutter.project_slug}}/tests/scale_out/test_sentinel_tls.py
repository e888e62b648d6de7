"""Sentinel with passwords and TLS: ``rediss+sentinel://``, for real.

A primary, a replica and three Sentinels (``tests/scale_out/replication.py``,
``secure``) speak TLS only (no plain-text port), with certificates from a
throwaway CA; the primary and replica ask for one password, the Sentinels
for their own. The caches come from ``CACHE_URL`` through the settings, as
in production. The failover over TLS is the drill's
(``tests/scale_out/test_failover.py``, ``secure_redis_sentinel``).

- The URL with both passwords and the CA signs a user in: the session is
  on the primary, reached through the Sentinels, both over TLS.
- Every mistake fails closed (the ``cache`` engine's 503, a log line naming
  ``CACHE_URL``): the Sentinels' password wrong or missing (redis-py would
  not give them the primary's), the primary's wrong, a CA that signed
  nothing here, and plain ``redis+sentinel://`` against the TLS Sentinels.
"""

import logging
from urllib.parse import quote, urlencode

import pytest

from tests.config.test_settings import PRODUCTION, load
from tests.conftest import PASSWORD, HttpsClient, is_signed_in
from tests.scale_out.replication import SERVICE_NAME, sentinel_group

pytestmark = [pytest.mark.django_db, pytest.mark.services]


@pytest.fixture(scope="module")
def group(tls_ca):
    yield from sentinel_group(tls_ca)


def sentinel_url(group, *, scheme="rediss", password=None, ca=None, **query):
    hosts = ",".join(f"127.0.0.1:{sentinel.port}" for sentinel in group.sentinels)
    if scheme == "rediss":
        query.setdefault("ssl_ca_certs", (ca or group.ca).ca_file)
    query = {name: value for name, value in query.items() if value is not None}
    password = group.password if password is None else password
    return (
        f"{scheme}+sentinel://:{quote(password, safe='')}@{hosts}/{SERVICE_NAME}/0"
        f"?{urlencode(query)}"
    )


def sign_in_with(monkeypatch, settings, url):
    loaded = load(monkeypatch, **(PRODUCTION | {"DJANGO_SESSION_ENGINE": "cache"}), CACHE_URL=url)
    settings.CACHES = loaded["CACHES"]
    settings.SESSION_ENGINE = loaded["SESSION_ENGINE"]
    settings.SESSION_ENGINE_NAME = "cache"
    client = HttpsClient()
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    return client, response


def test_sentinel_with_passwords_and_tls_signs_in(monkeypatch, settings, user, group):
    assert group.url == sentinel_url(group, sentinel_password=group.sentinel_password)
    group.primary.client().flushdb()
    client, response = sign_in_with(monkeypatch, settings, group.url)
    assert response.status_code == 302
    assert is_signed_in(client.get("/"))
    assert group.primary.client().dbsize() >= 1  # the session is on the primary


MISTAKES = {
    "sentinel password wrong": {"sentinel_password": "not-it"},
    "sentinel password missing": {"sentinel_password": None},
    "primary password wrong": {"password": "not-it"},
    "another CA": {"ca": "other"},
    "plain text": {"scheme": "redis"},
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_sentinel_setup_that_cannot_be_trusted_fails_closed(
    monkeypatch, settings, user, group, other_tls_ca, caplog, mistake
):
    options = {"sentinel_password": group.sentinel_password} | MISTAKES[mistake]
    if options.get("ca") == "other":
        options["ca"] = other_tls_ca
    caplog.set_level(logging.WARNING)
    client, response = sign_in_with(monkeypatch, settings, sentinel_url(group, **options))
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"]
    assert any("CACHE_URL" in record.getMessage() for record in caplog.records)
