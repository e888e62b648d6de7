"""The Sentinel client (``scale_out/sentinel.py``), held to redis-py's public Sentinel API.

``SentinelCacheClient`` overrides a private method of Django's
``RedisCacheClient`` to build its pool. What it builds must be what
``redis.sentinel.Sentinel(...).master_for(service)`` gives: the same primary,
the same connection options (database, credentials, TLS), and the same keys:
a value written through one is read through the other, on a real primary
watched by real Sentinels (``tests/scale_out/replication.py``).
"""

import pytest
from redis.sentinel import Sentinel

from scale_out import sentinel
from tests.scale_out.replication import SERVICE_NAME

pytestmark = pytest.mark.services

# Options of the connections to the primary that must agree.
COMPARED = ("db", "username", "password", "ssl", "ssl_ca_certs")


def django_pool(url):
    cache = sentinel.RedisSentinelCache(url, {})
    return cache, cache._cache._get_connection_pool(write=True)


def public_client(url):
    """What redis-py's documented API makes of the same URL's parts."""
    target = sentinel.parse_url(url)
    manager = Sentinel(target["sentinels"], sentinel_kwargs=target["sentinel"] | target["tls"])
    options = {name: target[name] for name in ("db", "username", "password")}
    return manager, manager.master_for(target["service_name"], **options, **target["tls"])


@pytest.mark.parametrize(
    "url",
    [
        "redis+sentinel://h1:26379,h2/svc",
        "redis+sentinel://:pw@h1/svc/3?sentinel_password=spw",
        "rediss+sentinel://app:pw@h1:26380/svc/5?ssl_ca_certs=/etc/ca.pem&sentinel_username=w",
    ],
)
def test_differential_sentinel_pool_has_the_options_master_for_gives(url):
    _, pool = django_pool(url)
    manager, client = public_client(url)
    expected = client.connection_pool
    assert type(pool) is type(expected)
    assert pool.connection_class is expected.connection_class
    assert pool.service_name == expected.service_name
    for name in COMPARED:
        assert pool.connection_kwargs.get(name) == expected.connection_kwargs.get(name), name
    ours = [c.connection_pool.connection_kwargs for c in pool.sentinel_manager.sentinels]
    theirs = [c.connection_pool.connection_kwargs for c in manager.sentinels]
    for mine, public in zip(ours, theirs, strict=True):
        for name in ("host", "port", "username", "password", "ssl", "ssl_ca_certs"):
            assert mine.get(name) == public.get(name), name


def test_differential_sentinel_cache_and_master_for_share_primary_and_keys(redis_sentinel):
    cache, pool = django_pool(redis_sentinel.url)
    manager, client = public_client(redis_sentinel.url)
    primary = ("127.0.0.1", redis_sentinel.primary.port)
    assert pool.get_master_address() == manager.discover_master(SERVICE_NAME) == primary
    # Django's cache writes, redis-py's public client reads, and back.
    cache.set("count", 41)
    cache.set("data", {"é": [1, 2.5, None]})
    assert client.get(cache.make_and_validate_key("count")) == b"41"  # Django stores ints raw
    assert client.incr(cache.make_and_validate_key("count")) == 42
    assert cache.get("count") == 42
    assert client.exists(cache.make_and_validate_key("data")) == 1
    client.delete(cache.make_and_validate_key("data"))
    assert cache.get("data") is None
    assert client.connection_pool.connection_kwargs["db"] == pool.connection_kwargs["db"] == 0
