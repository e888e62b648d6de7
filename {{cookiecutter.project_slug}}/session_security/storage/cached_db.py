"""Database sessions with Redis in front: every cache call guarded, the database serves alone."""

import contextlib
import logging

from django.contrib.sessions.backends import cached_db

from session_security.storage.base import RotationMixin, in_thread
from session_security.storage.db import JoinedRecordMixin

logger = logging.getLogger("session_security.storage")
# Django's logger and words for a failed cache write (alerts may be keyed to them).
django_logger = logging.getLogger("django.contrib.sessions")


class CacheHealth:
    """Remembers whether the last cache call failed, to log transitions only."""

    down = False

    @classmethod
    def failed(cls, error):
        if not cls.down:
            cls.down = True
            logger.warning(
                "Session cache (CACHE_URL) unreachable (%r); serving sessions from the database",
                error,
            )

    @classmethod
    def succeeded(cls):
        if cls.down:
            cls.down = False
            logger.warning("Session cache reachable again; using it for sessions")


@contextlib.contextmanager
def tolerated():
    """A cache error is noted (see ``CacheHealth``) and swallowed: the database serves."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - any cache failure, the database answers
        CacheHealth.failed(error)
    else:
        CacheHealth.succeeded()


class SessionStore(RotationMixin, JoinedRecordMixin, cached_db.SessionStore):
    def load(self):
        with tolerated():
            if (data := self._cache.get(self.cache_key)) is not None:
                return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        with tolerated():
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        return data

    def exists(self, session_key):
        if session_key:
            with tolerated():
                if self.cache_key_prefix + session_key in self._cache:
                    return True
        return self._db_store().exists(session_key)

    def _db_store(self):
        """The ``db`` engine's methods, past ``cached_db``'s (whose cache calls are unguarded)."""
        return super(cached_db.SessionStore, self)

    def save(self, must_create=False):
        self._db_store().save(must_create)
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception as error:  # noqa: BLE001 - the database holds the session
            django_logger.exception("Error saving to cache (%s)", self._cache)
            CacheHealth.failed(error)
        else:
            CacheHealth.succeeded()

    def delete(self, session_key=None):
        self._db_store().delete(session_key)
        if session_key := session_key or self.session_key:
            with tolerated():
                self._cache.delete(self.cache_key_prefix + session_key)

    # Django's async versions call the cache unguarded, and skip the joined read.
    aload, aexists, asave = in_thread("load"), in_thread("exists"), in_thread("save")
    adelete = in_thread("delete")
