"""Sessions in Redis only (Django's ``cache`` engine): a store error is a 503, never a sign-out."""

import functools

from django.contrib.sessions.backends import cache
from django.contrib.sessions.backends.base import CreateError, UpdateError

from session_security.storage.base import RotationMixin, SessionStoreUnavailable, in_thread

# Raised on purpose by the store: not an outage.
EXPECTED = (CreateError, UpdateError, SessionStoreUnavailable)


def guarded(method):
    """``method``, with any unexpected store error raised as ``SessionStoreUnavailable``."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except EXPECTED:
            raise
        except Exception as error:
            raise SessionStoreUnavailable(
                f"the session cache (CACHE_URL) is unreachable: {error!r}"
            ) from error

    return wrapper


class SessionStore(RotationMixin, cache.SessionStore):
    @guarded
    def load(self):
        data = self._cache.get(self.cache_key)
        if data is None:  # expired, never existed, or evicted: not an error
            self._session_key = None
            return {}
        return data

    exists = guarded(cache.SessionStore.exists)
    save = guarded(cache.SessionStore.save)
    delete = guarded(cache.SessionStore.delete)
    # Django's async versions call the cache directly, past the guard.
    aload, aexists, asave = in_thread("load"), in_thread("exists"), in_thread("save")
    adelete = in_thread("delete")
