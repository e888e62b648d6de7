"""Delete expired stored sessions, ended registry rows and ended rate counts (run it daily).
{%- if cookiecutter.sign_in_alerts == "yes" %}

And the known browsers of sign-in alerts unseen for their cookie's lifetime.
{%- endif %}

In short batches in primary-key order: one big ``DELETE`` would hold its row locks for seconds.
"""

import datetime
import time
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from session_security.models import RateCounter, SessionRecord
from session_security.registry import records
{%- if cookiecutter.sign_in_alerts == "yes" %}
from session_security.sign_in_alerts import recognition
{%- endif %}

BATCH_SIZE = 1000


def delete_in_batches(queryset, size):
    """Delete ``queryset``'s rows ``size`` at a time; ``(rows, batches, longest seconds)``."""
    deleted = batches = 0
    longest = 0.0
    model = queryset.model
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        keys = list(page.order_by("pk").values_list("pk", flat=True)[:size])
        if not keys:
            return deleted, batches, longest
        started = time.monotonic()
        with transaction.atomic(using=queryset.db):
            count, _ = model._base_manager.using(queryset.db).filter(pk__in=keys).delete()
        longest = max(longest, time.monotonic() - started)
        deleted += count
        batches += 1
        last = keys[-1]


def stored_session_model():
    """The model of the engine's stored sessions, or ``None`` (cache, cookies)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    get_model_class = getattr(store, "get_model_class", None)
    return get_model_class() if get_model_class else None


class Command(BaseCommand):
    help = "Delete expired sessions, registry rows and rate counts, in short batches."

    def add_arguments(self, parser):
        parser.add_argument("--keep-days", type=int, default=0)
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, keep_days, batch_size, **options):
        clear_expired(stored_session_model(), keep_days, batch_size, self.stdout.write)


def clear_expired(model, keep_days=0, batch_size=BATCH_SIZE, write=lambda message: None):
    """The cleanup, for ``model``'s stored sessions (``None``: none); Django's ``clearsessions``
    runs it too, through each engine's ``SessionStore.clear_expired()``."""
    if batch_size < 1:
        batch_size = BATCH_SIZE
    now = timezone.now()
    retired = records.end_retired_key_sessions(now)
    if retired:
        write(f"Ended {retired} session(s) signed with a retired secret key.")
    if model is not None:
        expired = model.objects.filter(expire_date__lt=now)
        write(report("stored session(s)", *delete_in_batches(expired, batch_size)))
    cutoff = now - datetime.timedelta(days=keep_days)
    over = SessionRecord.objects.filter(Q(ended_at__lte=cutoff) | Q(expires_at__lte=cutoff))
    write(report("ended or expired session record(s)", *delete_in_batches(over, batch_size)))
    ended = RateCounter.objects.filter(window_ends_at__lte=now)
    write(report("ended rate count(s)", *delete_in_batches(ended, batch_size)))
{%- if cookiecutter.sign_in_alerts == "yes" %}
    forgotten = recognition.forgotten(now)
    write(report("forgotten browser(s)", *delete_in_batches(forgotten, batch_size)))
{%- endif %}


def report(what, rows, batches, longest):
    return f"Deleted {rows} {what} in {batches} batch(es); longest batch {longest * 1000:.0f} ms."
