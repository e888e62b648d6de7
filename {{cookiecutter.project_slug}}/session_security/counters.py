"""Rate-limit counters every process shares: Redis with a ``CACHE_URL``, else the database.

Each hit is one atomic statement; why a table of its own: docs/session-layer.md.
"""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction

from session_security.storage.engines import is_shared_cache

# One statement: insert the key at 1, or add one to it (1 again once its window
# has ended), and read the new count. SQLite >= 3.35 and PostgreSQL run it as is.
UPSERT = """
INSERT INTO {table} ({key}, {count}, {ends}) VALUES (%s, 1, %s)
ON CONFLICT ({key}) DO UPDATE SET
    {count} = CASE WHEN {table}.{ends} > %s THEN {table}.{count} + 1 ELSE 1 END,
    {ends} = CASE WHEN {table}.{ends} > %s THEN {table}.{ends} ELSE excluded.{ends} END
RETURNING {count}
"""


def hit(key, window, now):
    """Add one to ``key``, counted ``window`` seconds from its first hit; the new count."""
    if is_shared_cache(settings.CACHES["default"]["BACKEND"]):
        return cache_hit(key, window)
    return database_hit(key, window, now)


def cache_hit(key, window):
    """``add`` then ``incr``: atomic on Redis and Memcached."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window starts
        cache.add(key, 1, timeout=window)
        return 1


def database_hit(key, window, now):
    """The upsert above, on the database ``RateCounter`` is written to."""
    from session_security.models import RateCounter

    alias = router.db_for_write(RateCounter)
    connection = connections[alias]
    name = connection.ops.quote_name
    fields = {field.name: name(field.column) for field in RateCounter._meta.concrete_fields}
    sql = UPSERT.format(
        table=name(RateCounter._meta.db_table),
        key=fields["key"],
        count=fields["count"],
        ends=fields["window_ends_at"],
    )
    adapt = connection.ops.adapt_datetimefield_value
    ends = adapt(now + datetime.timedelta(seconds=window))
    params = (key, ends, adapt(now), adapt(now))
    if connection.in_atomic_block:  # a savepoint: a failed count leaves the caller's transaction
        with transaction.atomic(using=alias):
            return execute(connection, sql, params)
    return execute(connection, sql, params)  # autocommit: the statement is its own transaction


def execute(connection, sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]
