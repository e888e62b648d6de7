"""Writing to and reading from the session registry (see ``models``).

The middleware reads one row per request, with its user (``read``);
everything else here runs at login, logout, rotation and revocation, or at
most once per refresh window (``touch``).
"""

import datetime

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

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
    now = timezone.now()
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
    enforce_limit(user, keep=record.pk)
    request.session[RECORD_KEY] = str(record.pk)
    request.session[GENERATION_KEY] = 0
    if not settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        request.session.set_expiry(expires_at + STORE_MARGIN)
    state.record, state.signed_in = record, True
    return record


def enforce_limit(user, keep):
    """At most ``SESSION_MAX_PER_USER`` live sessions: the oldest sign-ins end first.

    Ending the oldest (rather than refusing the new sign-in) means a user who
    lost track of a device can always get in, and the forgotten session is
    the one that goes (ASVS 7.1.2). 0 means no limit.
    """
    limit = settings.SESSION_MAX_PER_USER
    if not limit:
        return 0
    live = SessionRecord.objects.active().filter(user=user).exclude(pk=keep)
    surplus = list(live.order_by("-created_at").values_list("pk", flat=True)[limit - 1 :])
    if not surplus:
        return 0
    return SessionRecord.objects.filter(pk__in=surplus).update(
        ended_at=timezone.now(), end_reason="session_limit"
    )


# Each write below is built once, as a queryset and its values, and run by a
# sync and an async twin: the rule exists once, the I/O either way.


def _ending(record_pk, reason):
    live = SessionRecord.objects.filter(pk=record_pk, ended_at__isnull=True)
    return live, {"ended_at": timezone.now(), "end_reason": reason}


def end(record_pk, reason):
    """End one session; returns whether it was still active."""
    if record_pk is None:
        return False
    rows, values = _ending(record_pk, reason)
    return bool(rows.update(**values))


async def aend(record_pk, reason):
    if record_pk is None:
        return False
    rows, values = _ending(record_pk, reason)
    return bool(await rows.aupdate(**values))


def end_all(user, reason, *, keep=None):
    """End every active session of ``user`` but ``keep``; returns how many.

    ``user=None`` ends every active session of every user.
    """
    sessions = SessionRecord.objects.filter(ended_at__isnull=True)
    if user is not None:
        sessions = sessions.filter(user=user)
    if keep is not None:
        sessions = sessions.exclude(pk=keep)
    return sessions.update(ended_at=timezone.now(), end_reason=reason)


# The per-request read: the row by primary key and its user, in one query
# (authentication then uses that user instead of loading it again, see
# ``authentication``).
lookup = JoinedRead(SessionRecord, "user", ["id"])
alookup = sync_to_async(lookup)


def joined(session, record_id):
    """The registry row the session's store read with it, if it is ``record_id``'s.

    The database engines read the row (and its user) in the same query as the
    session itself (see ``storage.db``); the other engines, and a stored
    session whose link to its row is missing, take the lookup.
    """
    record = getattr(session, "joined_record", None)
    return record if record is not None and record.pk == record_id else None


def read(session, record_id):
    """The session's registry row with its user, or ``None``: no query if already read."""
    return joined(session, record_id) or lookup(record_id)


async def aread(session, record_id):
    return joined(session, record_id) or await alookup(record_id)


def _touching(record, now):
    return SessionRecord.objects.filter(pk=record.pk), {"last_seen_at": now}


def touch(record, now):
    """Move the last-seen time forward (at most once per refresh window)."""
    rows, values = _touching(record, now)
    rows.update(**values)


async def atouch(record, now):
    rows, values = _touching(record, now)
    await rows.aupdate(**values)


def _resigning(record):
    return SessionRecord.objects.filter(pk=record.pk), {"key_fingerprint": secret_keys.current()}


def resigned(record):
    """The session was re-signed under the current key (it had a fallback's)."""
    rows, values = _resigning(record)
    rows.update(**values)


async def aresigned(record):
    rows, values = _resigning(record)
    await rows.aupdate(**values)


def _retiring(record_id):
    rows = SessionRecord.objects.signed_with_retired_keys().filter(pk=record_id)
    return rows, {"ended_at": timezone.now(), "end_reason": "secret_key_retired"}


def end_if_key_retired(record_id):
    """End the row of a session that failed its signature, if its key was retired.

    ``record_id`` was read from data whose signature did not verify, so it
    proves nothing: only a row that can never be used again is ended.
    """
    rows, values = _retiring(record_id)
    return bool(rows.update(**values))


async def aend_if_key_retired(record_id):
    rows, values = _retiring(record_id)
    return bool(await rows.aupdate(**values))


def end_retired_key_sessions():
    """End every row signed with a retired key (``clear_expired_sessions`` runs it)."""
    return SessionRecord.objects.signed_with_retired_keys().update(
        ended_at=timezone.now(), end_reason="secret_key_retired"
    )


def _claiming(record, now):
    rows = SessionRecord.objects.filter(pk=record.pk, generation=record.generation)
    return rows, {"generation": record.generation + 1, "rotated_at": now}


def claim_rotation(record, now):
    """Advance the generation, unless a concurrent request already did.

    Returns the new generation, or ``None`` when another request won the race
    (this request then carries the previous key, within its grace).
    """
    rows, values = _claiming(record, now)
    return values["generation"] if rows.update(**values) else None


async def aclaim_rotation(record, now):
    rows, values = _claiming(record, now)
    return values["generation"] if await rows.aupdate(**values) else None
