"""The session epoch: one number per user that every session's auth hash covers.

Django ends a user's sessions on a password change by hashing the password
into every session. Here the hash covers a *session epoch* instead, so that
raising it ends every session of the user, on every engine, in one write
(``revocation.sign_out_everywhere`` and ``revocation.password_changed`` do).
The user model takes ``SessionEpochMixin``; the field is the session layer's.
"""

from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from session_security.registry import revocation


class SessionEpochMixin(models.Model):
    session_epoch = models.PositiveIntegerField(
        default=0,
        help_text="Raised to sign the user out everywhere: each session carries a hash of "
        "it, and a session with an old one is refused on every engine.",
    )

    class Meta:
        abstract = True

    def save(self, *args, end_sessions=True, **kwargs):
        """Save; a new password ends every session of the user, whoever set it.

        The admin's password form, ``changepassword`` and a password reset all
        come through here. The password-change view, which offers to keep
        sessions, saves with ``end_sessions=False`` and calls
        ``revocation.password_changed`` itself with the user's choice.
        """
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed and end_sessions:
            revocation.password_changed(self, timezone.now())

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.pk}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()
