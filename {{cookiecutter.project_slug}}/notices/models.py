from django.db import models


class Notice(models.Model):
    """An announcement, written by staff, read by every signed-in user."""

    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at"]

    def __str__(self):
        return self.title
