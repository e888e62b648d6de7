from django.db import models

from session_security.models import SessionRecord


class DeviceKey(models.Model):
    """The key a browser bound one session to, and its pending challenge; read with the row."""

    record = models.OneToOneField(
        SessionRecord, primary_key=True, on_delete=models.CASCADE, related_name="device_key"
    )
    public_key = models.JSONField(help_text="The browser's public key (a JWK).")
    algorithm = models.CharField(max_length=8)
    bound_at = models.DateTimeField()
    challenge = models.CharField(
        max_length=64, blank=True, help_text="The next refresh must sign this."
    )
    challenge_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.algorithm} key of {self.record_id}"
