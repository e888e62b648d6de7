"""Notices shown to signed-in users: the project's one ordinary model.

It holds nothing the security of a session depends on, so with a read
replica configured (``DATABASE_REPLICA_URL``) its reads go there (see
``scale_out/routers.py``). It is the smallest honest example of what a replica
is for; replace it with your own models.
"""
