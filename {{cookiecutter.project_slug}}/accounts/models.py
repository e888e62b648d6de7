"""The user model: Django's, plus a session epoch, from the first migration.

Django advises a custom user model for every new project, because changing
``AUTH_USER_MODEL`` later is hard.

The session epoch comes from the session layer's mixin: every session's auth
hash covers it, and a new password raises it (ending the user's sessions on
every engine), except where the user explicitly chose to keep the others.
"""

from django.contrib.auth.models import AbstractUser

from session_security.epoch import SessionEpochMixin


class User(SessionEpochMixin, AbstractUser):
    """Django's user, plus the session layer's epoch (see ``session_security.epoch``)."""
