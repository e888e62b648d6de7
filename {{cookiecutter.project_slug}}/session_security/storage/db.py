"""Sessions in the database, read with their registry row and user in one query."""

from django.contrib.sessions.backends import db
from django.utils import timezone

from session_security.models import Session, SessionRecord
from session_security.session_data import RECORD_KEY, parse_record_id
from session_security.storage.base import RotationMixin, in_thread
from session_security.storage.joined_read import JoinedRead


def record_and_its_relations():
    return [f"record__{name}" for name in SessionRecord.read_with]


# The session by key, unexpired, with its registry row and what is read with it.
read_session = JoinedRead(
    Session,
    record_and_its_relations,
    ["session_key", "expire_date__gt"],
    example=lambda: ("", timezone.now()),
)


class JoinedRecordMixin:
    """Store sessions in ``models.Session``, and read their registry row with them."""

    # The registry row (with its user) read with the session, or ``None``.
    joined_record = None

    @classmethod
    def get_model_class(cls):
        return Session

    def _get_session_from_db(self):
        if self.get_model_class() is not Session:  # a subclass's own model: Django's read
            return super()._get_session_from_db()
        row = read_session(self.session_key, timezone.now())
        if row is None:
            self._session_key = None
            return None
        self.joined_record = row.record
        return row

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        if isinstance(instance, Session):
            instance.record_id = parse_record_id(data.get(RECORD_KEY))
        return instance


class SessionStore(RotationMixin, JoinedRecordMixin, db.SessionStore):
    # Django's async versions would skip the joined read and the link.
    aload, asave = in_thread("load"), in_thread("save")
