"""Ending sessions on purpose: one, all of a user's, or everyone's.

Every engine obeys, because every request checks the session's registry row
(see ``middleware``). Ending "everywhere" also raises the user's session
epoch, which Django folds into the session auth hash: even a session that
somehow had no registry row is refused after that single write.
"""

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


def password_changed(user, now, *, keep=None, keep_others=False):
    """A new password was saved for ``user``: end their sessions.

    Every session ends (the epoch rises, the rows end) but ``keep``, the
    registry id of the session that made the change, which then continues
    under a new key and hash. ``keep_others`` is the user's explicit choice
    on the password-change form to keep the other sessions too.
    """
    if keep_others:
        log_event("password_changed", user=user.pk, sessions_kept="all")
        return 0
    raise_epoch(user)
    count = records.end_all(user, "password_changed", now, keep=keep)
    log_event("password_changed", user=user.pk, ended=count, kept=keep)
    return count


def sign_out_everyone(reason, now):
    """End every session of every user (an incident, a key compromise)."""
    get_user_model().objects.update(session_epoch=F("session_epoch") + 1)
    count = records.end_all(None, reason, now)
    log_event("session_ended", reason=reason, count=count, everyone="yes")
    return count
