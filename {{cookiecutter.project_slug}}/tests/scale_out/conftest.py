"""The drills' servers: a Redis primary with a replica and Sentinels, a PostgreSQL replica."""

from tests.scale_out.replication import postgresql_replica, redis_sentinel  # noqa: F401
