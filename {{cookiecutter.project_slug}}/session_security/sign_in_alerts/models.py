from django.conf import settings
from django.db import models

from session_security.models import SessionRecord


class KnownBrowser(models.Model):
    """A browser an account has signed in from: a keyed hash of (user, browser id), no cookie."""

    digest = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_browsers"
    )
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(
        db_index=True, help_text="Its last sign-in; unseen for its cookie's lifetime: forgotten."
    )

    def __str__(self):
        return f"a browser of {self.user_id} since {self.first_seen_at:%Y-%m-%d}"


class NewBrowserSignIn(models.Model):
    """A session started from a browser new to its account: mailed, marked in the list."""

    record = models.OneToOneField(
        SessionRecord, primary_key=True, on_delete=models.CASCADE, related_name="new_browser"
    )
    seen_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner saw it in the session list."
    )
    link_used_at = models.DateTimeField(
        null=True, blank=True, help_text="When the mail's link ended it (it works once)."
    )

    def __str__(self):
        return f"new browser: {self.record_id}"
