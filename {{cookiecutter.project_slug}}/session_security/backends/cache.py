"""Sessions in Redis only (Django's ``cache`` engine), failing loudly.

Django's cache engine treats any error while reading as "no session": during
a Redis outage every user is silently signed out, and the next write raises a
bare 500. Here any store error raises ``SessionStoreUnavailable`` instead,
which the middleware turns into a 503 page with ``Retry-After``; sessions that
Redis still holds work again as soon as it is back.
"""

import functools

from django.contrib.sessions.backends import cache
from django.contrib.sessions.backends.base import CreateError, UpdateError

from session_security.backends.base import RotationMixin, SessionStoreUnavailable

# Raised on purpose by the store: not an outage.
EXPECTED = (CreateError, UpdateError, SessionStoreUnavailable)


def _unavailable(error):
    return SessionStoreUnavailable(f"session cache unreachable: {error!r}")


def _guard(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except EXPECTED:
            raise
        except Exception as error:
            raise _unavailable(error) from error

    return wrapper


def _aguard(method):
    @functools.wraps(method)
    async def wrapper(self, *args, **kwargs):
        try:
            return await method(self, *args, **kwargs)
        except EXPECTED:
            raise
        except Exception as error:
            raise _unavailable(error) from error

    return wrapper


class SessionStore(RotationMixin, cache.SessionStore):
    @_guard
    def _read(self):
        return self._cache.get(self.cache_key)

    @_aguard
    async def _aread(self):
        return await self._cache.aget(await self.acache_key())

    def load(self):
        data = self._read()
        if data is not None:
            return data
        self._session_key = None
        return {}

    async def aload(self):
        data = await self._aread()
        if data is not None:
            return data
        self._session_key = None
        return {}

    exists = _guard(cache.SessionStore.exists)
    save = _guard(cache.SessionStore.save)
    delete = _guard(cache.SessionStore.delete)
    aexists = _aguard(cache.SessionStore.aexists)
    asave = _aguard(cache.SessionStore.asave)
    adelete = _aguard(cache.SessionStore.adelete)
