"""The session epoch: a per-user number every auth hash covers; raising it ends every session."""

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

        The password-change view saves with ``end_sessions=False`` and applies the user's choice.
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
