"""``CACHE_URL`` with Sentinel, and Cluster refused in its favour.

- ``redis+sentinel://`` and ``rediss+sentinel://`` (TLS) are parsed at
  start-up; every mistake (an unknown option too) stops it with an error
  naming ``CACHE_URL``.
- Both cache aliases follow Sentinel; the session alias keeps its fail-fast
  options (``RedisSentinelCache`` is Django's ``RedisCache`` underneath).
- A Redis Cluster URL is refused at start-up, pointing at Sentinel.
- Every other form is the core parser's (several ``redis://`` servers, the
  Cluster refusal itself: ``tests/session_security/storage/test_cache_urls.py``).
"""

import pytest
from django.core.exceptions import ImproperlyConfigured

from scale_out import sentinel
from tests.config.test_settings import PRODUCTION, load

SENTINEL_URL = "redis+sentinel://:secret@10.0.0.1:26379,10.0.0.2,[::1]:26380/cache-primary/3"
# With Sentinel available, a Cluster URL's refusal points at it.
CLUSTER_REFUSED = (
    "Redis Cluster, which this project does not support; "
    "use one primary, with replicas and Sentinel"
)


def test_a_sentinel_url_names_the_sentinels_the_service_and_the_database():
    assert sentinel.parse_url(SENTINEL_URL) == {
        "sentinels": [("10.0.0.1", 26379), ("10.0.0.2", 26379), ("::1", 26380)],
        "service_name": "cache-primary",
        "db": 3,
        "username": None,
        "password": "secret",
        "sentinel": {},  # no password of their own
        "tls": {},  # plain text
    }


def test_a_tls_sentinel_url_gives_the_sentinels_their_own_password_and_tls():
    url = (
        "rediss+sentinel://app:primary%40pw@h1:26380,h2:26380/svc"
        "?sentinel_password=s%26pw&sentinel_username=watcher&ssl_ca_certs=/etc/ca.pem"
    )
    parsed = sentinel.parse_url(url)
    assert (parsed["username"], parsed["password"]) == ("app", "primary@pw")
    assert parsed["sentinel"] == {"username": "watcher", "password": "s&pw"}
    assert parsed["tls"] == {"ssl": True, "ssl_ca_certs": "/etc/ca.pem"}
    # Without TLS: the Sentinels' password still goes to them, and no ssl option.
    plain = sentinel.parse_url("redis+sentinel://h1/svc?sentinel_password=x")
    assert (plain["sentinel"], plain["tls"]) == ({"password": "x"}, {})


def test_both_caches_follow_sentinel_and_the_session_cache_fails_fast(monkeypatch):
    s = load(monkeypatch, **PRODUCTION, CACHE_URL=SENTINEL_URL)
    for alias in ("default", "sessions"):
        assert s["CACHES"][alias]["BACKEND"] == sentinel.BACKEND
        assert s["CACHES"][alias]["LOCATION"] == SENTINEL_URL
    assert s["CACHES"]["sessions"]["OPTIONS"]["socket_connect_timeout"] == 1
    # The cache engine accepts it as a shared cache.
    s = load(
        monkeypatch, **(PRODUCTION | {"DJANGO_SESSION_ENGINE": "cache"}), CACHE_URL=SENTINEL_URL
    )
    assert s["SESSION_ENGINE"] == "session_security.storage.cache"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis+sentinel://h1:26379", "the path must be /<service name>"),
        ("redis+sentinel://h1:26379/svc/x", "the database number 'x'"),
        ("redis+sentinel://h1:port/svc", "bad Sentinel port"),
        ("redis+sentinel://h1:99999/svc", "bad Sentinel port"),
        ("redis+sentinel://h1,,h2/svc", "empty Sentinel address"),
        ("redis+sentinel://h1/svc?sentinel_pasword=x", "unknown option 'sentinel_pasword'"),
        ("redis+sentinel://h1/svc?ssl_ca_certs=/ca.pem", "TLS needs rediss\\+sentinel://"),
        ("rediss+sentinel://h1/svc?ssl=false", "unknown option 'ssl'"),
        ("rediss+sentinel://h1/svc?sentinel_password=", "given twice or empty"),
        ("redis+cluster://h1:7000,h2:7001", CLUSTER_REFUSED),
        ("rediscluster://h1:7000", CLUSTER_REFUSED),
    ],
)
def test_a_wrong_cache_url_stops_start_up_naming_it(monkeypatch, url, message):
    with pytest.raises(ImproperlyConfigured, match=f"CACHE_URL is not a valid URL: .*{message}"):
        load(monkeypatch, **PRODUCTION, CACHE_URL=url)
