"""Scaling out: Redis behind Sentinel, and a PostgreSQL read replica.

- ``sentinel``: ``CACHE_URL=redis+sentinel://...``, following a failover;
- ``routers``: ordinary reads from ``DATABASE_REPLICA_URL``, everything a
  session depends on from the primary.
"""
