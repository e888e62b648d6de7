"""Redis behind Sentinel, under Django's own ``RedisCache``.

``CACHE_URL=redis+sentinel://[[user]:password@]host:port[,host:port...]/service[/db]``
names the Sentinels (any number; they are asked in turn) and the service
they watch. Every command goes to the service's current primary, asked of
the Sentinels whenever a connection is opened: after a failover the next
connection reaches the promoted replica, without a restart.

The user and password are the primary's (its ``requirepass`` or ACL user).
The Sentinels' own credentials are query options: ``?sentinel_password=...``
(and ``sentinel_username=...`` for an ACL user). ``rediss+sentinel://`` is
TLS to the Sentinels and to the primary alike, verifying their certificates
against the system's CAs or ``?ssl_ca_certs=/path/ca.pem``: redis-py gives
the Sentinel connections none of this unless told (``sentinel_kwargs``), so
it is passed to both here. Any other option stops start-up, naming CACHE_URL.

Why not django-redis (which has Sentinel support since 5.0): the session
layer is built and tested on Django's ``RedisCache`` (its fail-fast client
options, the outage handling of both engines, the system checks), and
django-redis brings a second client stack with its own exception wrapping
and defaults to harden again. Django's client builds each pool with
``pool_class.from_url(url)``, which redis-py's ``SentinelConnectionPool``
lacks (it needs a service name and a ``Sentinel``); overriding that one
method is all it takes. The Sentinel protocol itself (discovery, following
a promotion, dropping a demoted primary's connections on ``READONLY``) is
redis-py's.

Reads never go to a replica: a session written at sign-in and not yet
replicated would be missing there, and a deleted one still readable.
"""

from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from session_security.storage import engines

SCHEME = "redis+sentinel"
TLS_SCHEME = "rediss+sentinel"
# Query options: the Sentinels' own credentials, and the CA for TLS.
SENTINEL_CREDENTIALS = ("sentinel_username", "sentinel_password")
TLS_OPTIONS = ("ssl_ca_certs",)
BACKEND = "scale_out.sentinel.RedisSentinelCache"
DEFAULT_SENTINEL_PORT = 26379
# Client options that also apply to the connections to the Sentinels.
SENTINEL_OPTIONS = ("socket_connect_timeout", "socket_timeout", "retry")
# What the refusal of a Redis Cluster URL suggests instead.
CLUSTER_ADVICE = "use one primary, with replicas and Sentinel (redis+sentinel://...)"


def cache_url_config(url):
    """Parse ``CACHE_URL``: ``redis+sentinel://`` here, every other form as the core does.

    The settings use this parser instead of ``engines.cache_url_config``.
    Errors are ``ValueError``s, which ``config.environment.url_setting``
    reports naming the variable.
    """
    if url.split("://", 1)[0].lower() in (SCHEME, TLS_SCHEME):
        parse_url(url)  # every mistake stops start-up here, not at the first request
        return {"BACKEND": BACKEND, "LOCATION": url}
    return engines.cache_url_config(url, cluster_advice=CLUSTER_ADVICE)


def parse_url(url):
    """``{"sentinels": [(host, port), ...], "service_name", "db", "username", "password",
    "sentinel": {...}, "tls": {...}}``: ``sentinel`` holds the Sentinels' credentials,
    ``tls`` the TLS options of every connection (empty without TLS).

    Raises ``ValueError`` with a message saying what is wrong.
    """
    parts = urlsplit(url)
    if parts.scheme not in (SCHEME, TLS_SCHEME):
        raise ValueError(f"a Sentinel URL starts with {SCHEME}:// or {TLS_SCHEME}://")
    tls = parts.scheme == TLS_SCHEME
    options = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        allowed = SENTINEL_CREDENTIALS + (TLS_OPTIONS if tls else ())
        if name not in allowed:
            hint = f" (TLS needs {TLS_SCHEME}://)" if name in TLS_OPTIONS else ""
            raise ValueError(f"unknown option {name!r}{hint}; options here: {', '.join(allowed)}")
        if name in options or not value:
            raise ValueError(f"option {name!r} is given twice or empty")
        options[name] = value
    userinfo, _, hosts = parts.netloc.rpartition("@")
    username, _, password = userinfo.partition(":")
    sentinels = []
    for address in hosts.split(","):
        host, colon, port = address.strip().rpartition(":")
        if not colon:
            host, port = address.strip(), ""
        host = host.strip("[]")
        if not host:
            raise ValueError(f"empty Sentinel address in {hosts!r}")
        try:
            number = int(port) if port else DEFAULT_SENTINEL_PORT
        except ValueError:
            raise ValueError(f"bad Sentinel port in {address!r}") from None
        if not 0 < number < 65536:
            raise ValueError(f"bad Sentinel port in {address!r}")
        sentinels.append((host, number))
    path = [segment for segment in parts.path.split("/") if segment]
    if not path or len(path) > 2:
        raise ValueError("the path must be /<service name> or /<service name>/<db>")
    db = path[1] if len(path) == 2 else "0"
    if not db.isdigit():
        raise ValueError(f"the database number {db!r} is not a whole number")
    return {
        "sentinels": sentinels,
        "service_name": unquote(path[0]),
        "db": int(db),
        "username": unquote(username) or None,
        "password": unquote(password) or None,
        "sentinel": {
            name.removeprefix("sentinel_"): options[name]
            for name in SENTINEL_CREDENTIALS
            if name in options
        },
        "tls": ({"ssl": True} | {name: options[name] for name in TLS_OPTIONS if name in options})
        if tls
        else {},
    }


class SentinelCacheClient(RedisCacheClient):
    """Django's Redis client with one pool: the primary, found through Sentinel."""

    def _get_connection_pool(self, write):
        if 0 not in self._pools:
            from redis.sentinel import Sentinel, SentinelConnectionPool

            target = parse_url(self._servers[0])
            # The Sentinels get the same fail-fast timeouts as the data connections.
            sentinel_options = {
                name: self._pool_options[name]
                for name in SENTINEL_OPTIONS
                if name in self._pool_options
            }
            # Their own password and TLS: redis-py copies neither from the primary's.
            sentinel_options |= target["sentinel"] | target["tls"]
            manager = Sentinel(target["sentinels"], sentinel_kwargs=sentinel_options)
            self._pools[0] = SentinelConnectionPool(
                target["service_name"],
                manager,
                db=target["db"],
                username=target["username"],
                password=target["password"],
                **target["tls"],  # ssl=True: SentinelManagedSSLConnection
                **self._pool_options,
            )
        return self._pools[0]


class RedisSentinelCache(RedisCache):
    """``RedisCache`` whose location is one Sentinel URL (commas and all)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._servers = [server] if isinstance(server, str) else list(server)[:1]
        self._class = SentinelCacheClient
