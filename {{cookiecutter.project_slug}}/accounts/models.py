"""The user model: Django's, plus a session epoch, from the first migration.

Django advises a custom user model for every new project, because changing
``AUTH_USER_MODEL`` later is hard.

Django ends a user's sessions on a password change by hashing the password
into every session. Here the hash covers a *session epoch* instead: raising
it ends every session of the user on every engine in one write, and it is
raised on every password change (the admin's form, ``changepassword``, a
reset), except where the user explicitly chose to keep the other sessions.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac


class User(AbstractUser):
    session_epoch = models.PositiveIntegerField(
        default=0,
        help_text="Raised to sign the user out everywhere: each session carries a hash of "
        "it, and a session with an old one is refused on every engine.",
    )

    # Set by the password-change view for the duration of one save:
    # keep every session (the user unticked "sign out my other sessions")...
    keep_sessions_on_password_change = False
    # ...or keep this one registry row (the session making the change).
    keep_session_record = None

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.pk}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def save(self, *args, **kwargs):
        password_changed = self._password is not None and self.pk is not None
        end_sessions = password_changed and not self.keep_sessions_on_password_change
        if end_sessions:
            self.session_epoch += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "session_epoch"}
        super().save(*args, **kwargs)
        if end_sessions:
            from session_security import revocation

            revocation.end_other_sessions(self, self.keep_session_record, "password_changed")
