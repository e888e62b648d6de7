"""``CACHE_URL`` beyond one Redis: Sentinel, several servers, and Cluster.

- ``redis+sentinel://`` is parsed at start-up; every mistake stops it with an
  error naming ``CACHE_URL``.
- Several servers in a ``redis://`` URL: Django's ``RedisCache`` reads from a
  random replica. The general cache may; the session alias is pinned to the
  first server, the primary. Shown against two real servers, the second of
  which never receives the first's writes (a replica lagging for ever).
- A Redis Cluster URL is refused at start-up.
"""

import pytest
from django.core.exceptions import ImproperlyConfigured

from scale_out import sentinel
from session_security.storage import engines
from tests.config.test_settings import PRODUCTION, load
from tests.conftest import HttpsClient, is_signed_in, sign_in
from tests.fixtures.services import REDIS_SERVER
from tests.scale_out.replication import RedisProcess

SENTINEL_URL = "redis+sentinel://:secret@10.0.0.1:26379,10.0.0.2,[::1]:26380/cache-primary/3"


def test_a_sentinel_url_names_the_sentinels_the_service_and_the_database():
    assert sentinel.parse_url(SENTINEL_URL) == {
        "sentinels": [("10.0.0.1", 26379), ("10.0.0.2", 26379), ("::1", 26380)],
        "service_name": "cache-primary",
        "db": 3,
        "username": None,
        "password": "secret",
    }


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
        ("redis+cluster://h1:7000,h2:7001", "Redis Cluster, which this project does not support"),
        ("rediscluster://h1:7000", "Redis Cluster, which this project does not support"),
    ],
)
def test_a_wrong_cache_url_stops_start_up_naming_it(monkeypatch, url, message):
    with pytest.raises(ImproperlyConfigured, match=f"CACHE_URL is not a valid URL: .*{message}"):
        load(monkeypatch, **PRODUCTION, CACHE_URL=url)


@pytest.mark.parametrize(
    "url", ["redis://primary:6379/0,redis://replica:6379/0", "redis://primary:6379,replica:6379/0"]
)
def test_sessions_use_only_the_first_of_several_servers(monkeypatch, url):
    s = load(monkeypatch, **PRODUCTION, CACHE_URL=url)
    assert "replica" in str(s["CACHES"]["default"]["LOCATION"])  # the general cache: all
    assert s["CACHES"]["sessions"]["LOCATION"] == "redis://primary:6379/0"


@pytest.fixture
def stale_replica(tmp_path):
    """A second redis-server that never receives the primary's writes."""
    import shutil

    if not shutil.which(REDIS_SERVER):
        pytest.skip("needs redis-server: apt-get install redis-server")
    server = RedisProcess(REDIS_SERVER, tmp_path, "stale", ["save ''", "appendonly no"]).start()
    yield server
    server.stop()


@pytest.mark.django_db
@pytest.mark.parametrize("engine_name", ["cache", "cached_db"])
def test_a_multi_server_cache_url_never_reads_a_session_from_a_replica(
    engine_name, settings, user, redis_url, stale_replica
):
    url = f"{redis_url},redis://127.0.0.1:{stale_replica.port}/0"
    settings.CACHES = engines.caches(engines.cache_url_config(url))
    settings.SESSION_ENGINE = engines.ENGINES[engine_name]
    from django.core.cache import caches

    # What the pin prevents: the general cache reads from the replica.
    caches["default"].set("written", "to the primary")
    assert caches["default"].get("written") is None

    client = HttpsClient()
    sign_in(client)
    for _ in range(10):  # a read from the replica would sign the user out
        assert is_signed_in(client.get("/"))
    client.post("/accounts/logout/")
    assert stale_replica.client().dbsize() == 0
