"""Rate-limit counters in the default cache: ``add`` then ``incr``, atomic on Redis."""

from django.core.cache import cache


def hit(key, window):
    """Add one to ``key`` (it lives ``window`` seconds from its first hit); the new count."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window starts
        cache.add(key, 1, timeout=window)
        return 1
