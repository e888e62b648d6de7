"""Writes to and reads from the registry; a write takes its request's ``now`` (one clock)."""

import datetime
import uuid

from django.conf import settings

from session_security.models import SessionRecord
from session_security.registry import secret_keys
from session_security.session_data import GENERATION_KEY, RECORD_KEY, STORE_MARGIN_SECONDS
from session_security.state import state_of
from session_security.storage.joined_read import JoinedRead

# How long the store keeps a session past its absolute end (see register()).
STORE_MARGIN = datetime.timedelta(seconds=STORE_MARGIN_SECONDS)


def register(request, user):
    """Create the row for a session that just signed in; stamp the session and its expiry.

    The store keeps it a margin past the absolute end: the middleware ends it, and logs why.
    """
    state = state_of(request)
    now = state.now
    expires_at = now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    record = SessionRecord.objects.create(
        user=user,
        created_at=now,
        expires_at=expires_at,
        last_seen_at=now,
        rotated_at=now,
        reauthenticated_at=now,
        ip_address=state.ip,
        user_agent=state.user_agent,
        key_fingerprint=secret_keys.current(),
    )
    enforce_limit(user, record.pk, now)
    request.session[RECORD_KEY] = str(record.pk)
    request.session[GENERATION_KEY] = 0
    if not settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        request.session.set_expiry(expires_at + STORE_MARGIN)
    state.record, state.signed_in = record, True
    return record


def enforce_limit(user, keep, now):
    """At most ``SESSION_MAX_PER_USER`` live sessions (0: no limit); the oldest sign-ins end."""
    limit = settings.SESSION_MAX_PER_USER
    if not limit:
        return 0
    live = SessionRecord.objects.active(now).filter(user=user).exclude(pk=keep)
    surplus = list(live.order_by("-created_at").values_list("pk", flat=True)[limit - 1 :])
    if not surplus:
        return 0
    return SessionRecord.objects.filter(pk__in=surplus).update(
        ended_at=now, end_reason="session_limit"
    )


def end(record_pk, reason, now):
    """End one session; returns whether it was still active."""
    if record_pk is None:
        return False
    live = SessionRecord.objects.filter(pk=record_pk, ended_at__isnull=True)
    return bool(live.update(ended_at=now, end_reason=reason))


def end_all(user, reason, now, *, keep=None):
    """End every active session of ``user`` (``None``: everyone) but ``keep``; how many."""
    sessions = SessionRecord.objects.filter(ended_at__isnull=True)
    if user is not None:
        sessions = sessions.filter(user=user)
    if keep is not None:
        sessions = sessions.exclude(pk=keep)
    return sessions.update(ended_at=now, end_reason=reason)


def record_and_its_relations():
    return SessionRecord.read_with


# The per-request read: the row by primary key and its user, in one query.
lookup = JoinedRead(
    SessionRecord, record_and_its_relations, ["id"], example=lambda: (uuid.UUID(int=0),)
)


def read(session, record_id):
    """The row with its user: the one read with the stored session if it matches, else a lookup."""
    record = getattr(session, "joined_record", None)
    if record is not None and record.pk == record_id:
        return record
    return lookup(record_id)


def touch(record, now):
    """Move the last-seen time forward (at most once per refresh window)."""
    SessionRecord.objects.filter(pk=record.pk).update(last_seen_at=now)


def resigned(record):
    """The session was re-signed under the current key (it had a fallback's)."""
    SessionRecord.objects.filter(pk=record.pk).update(key_fingerprint=secret_keys.current())


def end_if_key_retired(record_id, now):
    """End the row named by unverified data only if its key was retired (the id proves nothing)."""
    rows = SessionRecord.objects.signed_with_retired_keys().filter(pk=record_id)
    return bool(rows.update(ended_at=now, end_reason="secret_key_retired"))


def end_retired_key_sessions(now):
    """End every row signed with a retired key (``clear_expired_sessions`` runs it)."""
    return SessionRecord.objects.signed_with_retired_keys().update(
        ended_at=now, end_reason="secret_key_retired"
    )


def claim_rotation(record, now):
    """Advance the generation; ``None`` if a concurrent request did first (this one: in grace)."""
    rows = SessionRecord.objects.filter(pk=record.pk, generation=record.generation)
    claimed = rows.update(generation=record.generation + 1, rotated_at=now)
    return record.generation + 1 if claimed else None
