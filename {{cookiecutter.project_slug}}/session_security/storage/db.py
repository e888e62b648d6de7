"""Sessions in the database (Django's ``db`` engine), with rotation grace.

The stored session names its registry row (``models.Session.record``), and
loading it reads the session, the row and the user in one query: a request
on this engine makes one round trip where stock Django makes two (session,
then user). The middleware takes the row from ``joined_record``.
"""

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends import db
from django.utils import timezone

from session_security.models import Session
from session_security.session_data import RECORD_KEY, parse_record_id
from session_security.storage.base import RotationMixin
from session_security.storage.joined_read import JoinedRead

# The session by key, unexpired, with its registry row and that row's user.
read_session = JoinedRead(Session, "record__user", ["session_key", "expire_date__gt"])
aread_session = sync_to_async(read_session)


class JoinedRecordMixin:
    """Store sessions in ``models.Session``, and read their registry row with them."""

    # The registry row (with its user) read with the session, or ``None``.
    joined_record = None

    @classmethod
    def get_model_class(cls):
        return Session

    def _get_session_from_db(self):
        return self._loaded(read_session(self.session_key, timezone.now()))

    async def _aget_session_from_db(self):
        return self._loaded(await aread_session(self.session_key, timezone.now()))

    def _loaded(self, row):
        if row is None:
            self._session_key = None
            return None
        self.joined_record = row.record
        return row

    def create_model_instance(self, data):
        return self._linked(super().create_model_instance(data), data)

    async def acreate_model_instance(self, data):
        return self._linked(await super().acreate_model_instance(data), data)

    def _linked(self, instance, data):
        instance.record_id = parse_record_id(data.get(RECORD_KEY))
        return instance


class SessionStore(RotationMixin, JoinedRecordMixin, db.SessionStore):
    pass
