"""Delete what expired: the engine's stored sessions and the registry's rows.

Schedule it (daily is plenty). It runs Django's ``clearsessions`` for the
engine in use (the ``db`` and ``cached_db`` engines keep expired rows until
then; the others expire by themselves) and deletes registry rows whose
session ended, or passed its absolute end, more than ``--keep-days`` ago
(default 0: at once).
"""

import datetime

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from session_security import registry
from session_security.models import SessionRecord


class Command(BaseCommand):
    help = "Delete expired sessions and registry rows."

    def add_arguments(self, parser):
        parser.add_argument("--keep-days", type=int, default=0)

    def handle(self, *args, keep_days, **options):
        call_command("clearsessions")
        retired = registry.end_retired_key_sessions()
        if retired:
            self.stdout.write(f"Ended {retired} session(s) signed with a retired secret key.")
        cutoff = timezone.now() - datetime.timedelta(days=keep_days)
        deleted, _ = SessionRecord.objects.filter(
            Q(ended_at__lt=cutoff) | Q(expires_at__lt=cutoff)
        ).delete()
        self.stdout.write(f"Deleted {deleted} ended or expired session record(s).")
