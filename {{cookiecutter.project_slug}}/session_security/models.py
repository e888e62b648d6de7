"""The session registry: one row per signed-in session, on every engine, holding no session key."""

import uuid

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models

from session_security.registry import secret_keys


class SessionRecordQuerySet(models.QuerySet):
    def active(self, now):
        """Sessions not ended, not past their absolute end at ``now``, signed with a usable key."""
        return self.filter(
            ended_at__isnull=True,
            expires_at__gt=now,
            key_fingerprint__in=secret_keys.usable(),
        )

    def signed_with_retired_keys(self):
        return self.filter(ended_at__isnull=True).exclude(key_fingerprint__in=secret_keys.usable())


class SessionRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_records"
    )
    created_at = models.DateTimeField(help_text="When the user signed in.")
    expires_at = models.DateTimeField(help_text="The absolute end: sign-in plus the lifetime.")
    last_seen_at = models.DateTimeField(
        help_text="Last request, to the precision of the refresh window."
    )
    rotated_at = models.DateTimeField(help_text="When the session key last changed.")
    reauthenticated_at = models.DateTimeField(
        help_text="Last time the user proved the password (sign-in or confirmation)."
    )
    generation = models.PositiveIntegerField(default=0, help_text="Key rotations so far.")
    key_fingerprint = models.CharField(
        max_length=16,
        blank=True,
        help_text="Which SECRET_KEY signed the session (see secret_keys).",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, blank=True)

    objects = SessionRecordQuerySet.as_manager()

    # Read with the row on every request: its user, and one-to-ones apps add in ``ready()``.
    read_with = ["user"]

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "ended_at"], name="ss_record_user_ended"),
            models.Index(fields=["expires_at"], name="ss_record_expires"),
        ]

    def __str__(self):
        state = f"ended ({self.end_reason})" if self.ended_at else "active"
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M} ({state})"


class Session(AbstractBaseSession):
    """Django's stored session (``db``, ``cached_db``), plus ``record``, its registry row.

    No database constraint: a session outliving its deleted row reads as signed out.
    """

    record = models.ForeignKey(
        SessionRecord,
        null=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
        help_text="The registry row of the signed-in session (none while anonymous).",
    )

    @classmethod
    def get_session_store_class(cls):
        from session_security.storage.db import SessionStore  # imports this module

        return SessionStore


class RateCounter(models.Model):
    """One rate-limit count of the database store (``counters.py``), when no Redis holds them."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField()
    window_ends_at = models.DateTimeField(db_index=True, help_text="When the count starts anew.")

    def __str__(self):
        return f"{self.key}: {self.count} until {self.window_ends_at:%H:%M:%S}"
