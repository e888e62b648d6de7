"""Writing to and reading from the session registry (see ``models``).

The middleware reads one row per request, with its user (``read``);
everything else here runs at sign-in, sign-out, rotation and revocation, or
at most once per refresh window (``touch``). Each write takes the ``now`` of
the request that makes it (``state.now``), so one request decides with one
clock; work outside a request (commands, the admin) passes its own.
"""

import datetime

from django.conf import settings

from session_security.models import SessionRecord
from session_security.registry import secret_keys
from session_security.session_data import GENERATION_KEY, RECORD_KEY, STORE_MARGIN_SECONDS
from session_security.state import state_of
from session_security.storage.joined_read import JoinedRead

# How long the store keeps a session past its absolute end (see register()).
STORE_MARGIN = datetime.timedelta(seconds=STORE_MARGIN_SECONDS)


def register(request, user):
    """Create the row for a session that just signed in, and stamp the session.

    The absolute end is written into the session's own expiry too (plus a
    short margin, so that the middleware, not the store, is the one to end it
    and log why), so the store drops it and the cookie expires on time, and
    activity never slides it. With expire-at-browser-close the cookie stays a
    browser-session cookie; the server still enforces the absolute end.
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
    """At most ``SESSION_MAX_PER_USER`` live sessions: the oldest sign-ins end first.

    Ending the oldest (rather than refusing the new sign-in) means a user who
    lost track of a device can always get in, and the forgotten session is
    the one that goes (ASVS 7.1.2). 0 means no limit.
    """
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
    """End every active session of ``user`` but ``keep``; returns how many.

    ``user=None`` ends every active session of every user.
    """
    sessions = SessionRecord.objects.filter(ended_at__isnull=True)
    if user is not None:
        sessions = sessions.filter(user=user)
    if keep is not None:
        sessions = sessions.exclude(pk=keep)
    return sessions.update(ended_at=now, end_reason=reason)


def record_and_its_relations():
    return SessionRecord.read_with


# The per-request read: the row by primary key and its user, in one query
# (authentication then uses that user instead of loading it again, see
# ``middleware.authentication``).
lookup = JoinedRead(SessionRecord, record_and_its_relations, ["id"])


def read(session, record_id):
    """The session's registry row with its user, or ``None``: no query if already read.

    The database engines read the row (and its user) in the same query as the
    session itself (see ``storage.db``); the other engines, and a stored
    session whose link to its row is missing, take the lookup. The link is
    trusted only if it names the row the signed session data names.
    """
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
    """End the row of a session that failed its signature, if its key was retired.

    ``record_id`` was read from data whose signature did not verify, so it
    proves nothing: only a row that can never be used again is ended.
    """
    rows = SessionRecord.objects.signed_with_retired_keys().filter(pk=record_id)
    return bool(rows.update(ended_at=now, end_reason="secret_key_retired"))


def end_retired_key_sessions(now):
    """End every row signed with a retired key (``clear_expired_sessions`` runs it)."""
    return SessionRecord.objects.signed_with_retired_keys().update(
        ended_at=now, end_reason="secret_key_retired"
    )


def claim_rotation(record, now):
    """Advance the generation, unless a concurrent request already did.

    Returns the new generation, or ``None`` when another request won the race
    (this request then carries the previous key, within its grace).
    """
    rows = SessionRecord.objects.filter(pk=record.pk, generation=record.generation)
    claimed = rows.update(generation=record.generation + 1, rotated_at=now)
    return record.generation + 1 if claimed else None
