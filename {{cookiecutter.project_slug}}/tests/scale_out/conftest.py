"""The drills' servers: a Redis primary with a replica and Sentinels, a PostgreSQL replica."""

from tests.scale_out.replication import (  # noqa: F401
    postgresql_replica,
    redis_sentinel,
    secure_redis_sentinel,
)
