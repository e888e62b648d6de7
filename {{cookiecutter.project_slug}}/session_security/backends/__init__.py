"""Django's four session engines, hardened.

Each module is a drop-in ``SESSION_ENGINE`` whose ``SessionStore`` adds
``rotate_key()`` (a new key while the previous one lives on briefly, see
``policy``) and, for the Redis-backed engines, honest handling of outages.
"""
