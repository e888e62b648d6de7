"""Sessions in Redis only (Django's ``cache`` engine), failing loudly.

Django's cache engine treats any error while reading as "no session": during
a Redis outage every user is silently signed out, and the next write raises a
bare 500. Here any store error raises ``SessionStoreUnavailable`` instead,
which the middleware turns into a 503 page with ``Retry-After``; sessions that
Redis still holds work again as soon as it is back.
"""

import contextlib
import functools

from asgiref.sync import iscoroutinefunction
from django.contrib.sessions.backends import cache
from django.contrib.sessions.backends.base import CreateError, UpdateError

from session_security.storage.base import RotationMixin, SessionStoreUnavailable

# Raised on purpose by the store: not an outage.
EXPECTED = (CreateError, UpdateError, SessionStoreUnavailable)


@contextlib.contextmanager
def outage_raised():
    """Any error of the store but the expected ones becomes ``SessionStoreUnavailable``."""
    try:
        yield
    except EXPECTED:
        raise
    except Exception as error:
        raise SessionStoreUnavailable(f"session cache unreachable: {error!r}") from error


def guarded(method):
    """``method`` (sync or async) with ``outage_raised`` around it."""
    if iscoroutinefunction(method):

        async def wrapper(self, *args, **kwargs):
            with outage_raised():
                return await method(self, *args, **kwargs)

    else:

        def wrapper(self, *args, **kwargs):
            with outage_raised():
                return method(self, *args, **kwargs)

    return functools.wraps(method)(wrapper)


class SessionStore(RotationMixin, cache.SessionStore):
    @guarded
    def _read(self):
        return self._cache.get(self.cache_key)

    @guarded
    async def _aread(self):
        return await self._cache.aget(await self.acache_key())

    def load(self):
        return self._loaded(self._read())

    async def aload(self):
        return self._loaded(await self._aread())

    def _loaded(self, data):
        if data is None:  # expired, never existed, or evicted: not an error
            self._session_key = None
            return {}
        return data

    exists, aexists = guarded(cache.SessionStore.exists), guarded(cache.SessionStore.aexists)
    save, asave = guarded(cache.SessionStore.save), guarded(cache.SessionStore.asave)
    delete, adelete = guarded(cache.SessionStore.delete), guarded(cache.SessionStore.adelete)
