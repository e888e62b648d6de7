"""Ending sessions on purpose: one, all of a user's, or everyone's.

Every engine obeys, because every request checks the session's registry row
(see ``middleware``). Ending "everywhere" also raises the user's session
epoch, which Django folds into the session auth hash: even a session that
somehow had no registry row is refused after that single write.
"""

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from session_security import registry
from session_security.audit import log_event
from session_security.models import SessionRecord


def end_session(record, reason):
    """End one session (from the user's list or the admin)."""
    ended = registry.end(record.pk, reason)
    if ended:
        log_event("session_ended", record=record.pk, user=record.user_id, reason=reason)
    return ended


def end_other_sessions(user, keep, reason):
    """End all of the user's sessions but ``keep`` (a registry id)."""
    count = registry.end_all(user, reason, keep=keep)
    if count:
        log_event("session_ended", user=user.pk, reason=reason, count=count, kept=keep)
    return count


def sign_out_everywhere(user, reason):
    """End every session of ``user``, this one included, on every engine."""
    get_user_model().objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    count = registry.end_all(user, reason)
    log_event("session_ended", user=user.pk, reason=reason, count=count, everywhere="yes")
    return count


def sign_out_everyone(reason):
    """End every session of every user (an incident, a key compromise)."""
    get_user_model().objects.update(session_epoch=F("session_epoch") + 1)
    count = SessionRecord.objects.filter(ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason
    )
    log_event("session_ended", reason=reason, count=count, everyone="yes")
    return count
