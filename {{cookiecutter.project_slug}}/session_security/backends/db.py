"""Sessions in the database (Django's ``db`` engine), with rotation grace."""

from django.contrib.sessions.backends import db

from session_security.backends.base import RotationMixin


class SessionStore(RotationMixin, db.SessionStore):
    pass
