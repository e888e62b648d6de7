"""Where sessions are kept: Django's four engines, hardened.

- ``engines``: which engine runs (``DJANGO_SESSION_ENGINE``) and its cache;
- ``db``, ``cache``, ``cached_db``, ``signed_cookies``: drop-in
  ``SESSION_ENGINE`` modules whose ``SessionStore`` adds ``rotate_key()`` (a
  new key while the previous one lives on briefly) and, for the Redis-backed
  engines, honest handling of outages;
- ``base``: what they share; ``joined_read``: a row and its related rows in
  one query, compiled once (the per-request reads).
"""
