"""``CACHE_URL`` beyond one Redis server: several servers, Cluster, other Redis clients.

- Several servers in a ``redis://`` URL: Django's ``RedisCache`` writes to
  the first and reads from a random other one. The general cache may; the
  session alias is pinned to the first server, the primary. Shown against
  two real servers, the second of which never receives the first's writes
  (a copy lagging for ever).
- A Redis Cluster URL is refused at start-up, with an error naming ``CACHE_URL``.
- A backend built on Django's ``RedisCache`` (a subclass) is Redis to the
  session layer: fail-fast options for the session alias, a shared cache for
  the ``cache`` engine and the system checks.
"""

import pytest
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

from session_security.storage import engines
from tests.config.test_settings import PRODUCTION, load
from tests.conftest import HttpsClient, is_signed_in, sign_in
from tests.session_security.storage.test_outages import REDIS_SERVER, RedisServer


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
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.process.terminate()
    server.process.wait(timeout=10)


@pytest.mark.django_db
@pytest.mark.parametrize("engine_name", ["cache", "cached_db"])
def test_a_multi_server_cache_url_never_reads_a_session_from_a_replica(
    engine_name, settings, user, redis_url, stale_replica
):
    url = f"{redis_url},{stale_replica.url}"
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
    assert stale_replica.keys() == 0


@pytest.mark.parametrize(
    "url",
    [
        "redis+cluster://h1:7000,h2:7001",
        "rediss+cluster://h1:7000",
        "rediscluster://h1:7000",
        "redis-cluster://h1:7000",
    ],
)
def test_a_cluster_url_stops_start_up_naming_it(monkeypatch, url):
    message = "CACHE_URL is not a valid URL: .*Redis Cluster, which this project does not support"
    with pytest.raises(ImproperlyConfigured, match=message):
        load(monkeypatch, **PRODUCTION, CACHE_URL=url)


class OtherRedisCache(RedisCache):
    """Another client under Django's Redis cache, as a project may bring one."""


OTHER_REDIS = f"{__name__}.OtherRedisCache"


@pytest.mark.parametrize(
    ("backend", "redis"),
    [
        (engines.REDIS_BACKEND, True),
        (OTHER_REDIS, True),
        ("django.core.cache.backends.locmem.LocMemCache", False),
        ("django.core.cache.backends.db.DatabaseCache", False),
        ("no.such.module.Cache", False),
        ("", False),
    ],
)
def test_a_redis_backend_is_django_redis_cache_or_a_subclass(backend, redis):
    assert engines.is_redis_backend(backend) is redis
    assert engines.is_shared_cache(backend) is redis


def test_memcached_is_shared_but_not_redis():
    for backend in engines.MEMCACHED_BACKENDS:
        assert engines.is_shared_cache(backend)
        assert not engines.is_redis_backend(backend)


def test_a_redis_subclass_gets_the_fail_fast_options_and_serves_the_cache_engine():
    config = {"BACKEND": OTHER_REDIS, "LOCATION": "redis://primary:6379/0"}
    caches = engines.caches(config)
    assert caches["default"] == config  # the general cache as given
    assert caches["sessions"]["OPTIONS"]["socket_connect_timeout"] == 1
    assert caches["sessions"]["OPTIONS"]["retry"] is not None
    assert engines.engine_path("cache", caches, debug=False) == engines.ENGINES["cache"]
