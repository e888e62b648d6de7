"""Ending sessions on purpose (one, a user's, everyone's); "everywhere" also raises the epoch."""

from django.contrib.auth import get_user_model
from django.db.models import F

from session_security.audit import log_event
from session_security.registry import records


def end_session(record, reason, now):
    """End one session (from the user's list or the admin)."""
    ended = records.end(record.pk, reason, now)
    if ended:
        log_event("session_ended", record=record.pk, user=record.user_id, reason=reason)
    return ended


def end_other_sessions(user, keep, reason, now):
    """End all of the user's sessions but ``keep`` (a registry id)."""
    count = records.end_all(user, reason, now, keep=keep)
    if count:
        log_event("session_ended", user=user.pk, reason=reason, count=count, kept=keep)
    return count


def raise_epoch(user):
    """Refuse every session ``user`` has now: their auth hashes cover the old epoch."""
    get_user_model().objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


def sign_out_everywhere(user, reason, now):
    """End every session of ``user``, this one included, on every engine."""
    raise_epoch(user)
    count = records.end_all(user, reason, now)
    log_event("session_ended", user=user.pk, reason=reason, count=count, everywhere="yes")
    return count


def password_changed(user, now, *, keep=None, keep_others=False, event="password_changed"):
    """A new password: end the user's sessions but ``keep`` (the changing one's registry id).

    ``keep_others`` is the user's choice, on the password-change form, to keep them all.
    ``event`` names who set it, in the audit log and as the sessions' end reason.
    """
    if keep_others:
        log_event(event, user=user.pk, sessions_kept="all")
        return 0
    raise_epoch(user)
    count = records.end_all(user, event, now, keep=keep)
    log_event(event, user=user.pk, ended=count, kept=keep)
    return count


def sign_out_everyone(reason, now):
    """End every session of every user (an incident, a key compromise)."""
    get_user_model().objects.update(session_epoch=F("session_epoch") + 1)
    count = records.end_all(None, reason, now)
    log_event("session_ended", reason=reason, count=count, everyone="yes")
    return count
