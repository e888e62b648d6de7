"""The security event log: one structured line per session event.

Events go to the ``session_security.audit`` logger as ``key=value`` pairs
(values JSON-quoted when they need it), so any log pipeline can parse them.
Session keys never appear: only a keyed hash (HMAC with ``SECRET_KEY``),
enough to correlate the lines of one session and useless for hijacking it.
Registry ids (which are also the DBSC session identifiers) are hashed too.
"""

import json
import logging

from django.utils.crypto import salted_hmac

logger = logging.getLogger("session_security.audit")

EVENTS = (
    "login",
    "login_failed",
    "login_locked_out",
    "logout",
    "timeout",
    "rotation",
    "binding_mismatch",
    "session_ended",
    "password_changed",
    "stale_key",
    "grace_write_refused",
    "store_unavailable",
    "dbsc_registered",
    "dbsc_refreshed",
    "dbsc_proof_failed",
    "dbsc_cookie_missing",
    "dbsc_ended",
    "host_refused",
    "password_reset_throttled",
)


def key_hash(session_key):
    """A short keyed hash of a session key, for logs only."""
    if not session_key:
        return "-"
    return salted_hmac("session_security.audit", session_key, algorithm="sha256").hexdigest()[:16]


def _format(value):
    text = str(value)
    if text and all(ch.isalnum() or ch in "-_.:/@" for ch in text):
        return text
    return json.dumps(text)


def log_event(event, *, level=logging.INFO, session_key=None, **fields):
    """Log ``event`` with ``fields``; ``session_key`` is hashed first."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    parts = {"event": event, "session": key_hash(session_key)}
    if fields.get("record") is not None:
        fields["record"] = key_hash(str(fields["record"]))
    parts.update({name: value for name, value in fields.items() if value is not None})
    line = " ".join(f"{name}={_format(value)}" for name, value in parts.items())
    logger.log(level, line, extra={"audit_event": event})
