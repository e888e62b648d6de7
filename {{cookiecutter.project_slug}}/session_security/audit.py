"""The audit log: one ``key=value`` line per session event; keys and ids appear only hashed."""

import json
import logging

from django.conf import settings
from django.utils.crypto import salted_hmac

from session_security.state import state_of

logger = logging.getLogger("session_security.audit")

# Every event this log knows (an installed app may add its own at start-up).
EVENTS = [
    "login",
    "login_failed",
    "login_locked_out",
    "logout",
    "timeout",
    "rotation",
    "binding_mismatch",
    "session_ended",
    "password_changed",
    "demo_password_set",
    "stale_key",
    "grace_write_refused",
    "store_unavailable",
    "host_refused",
    "password_reset_throttled",
]


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


# A refused ``Host`` is cut to this: enough to tell scanners apart (they send kilobytes).
HOST_LENGTH = 80


def refused_host(request):
    """The ``Host`` value the request carried, cut to ``HOST_LENGTH``."""
    meta = getattr(request, "META", {})
    value = meta.get("HTTP_X_FORWARDED_HOST") if settings.USE_X_FORWARDED_HOST else None
    value = str(value or meta.get("HTTP_HOST") or meta.get("SERVER_NAME") or "")
    return value if len(value) <= HOST_LENGTH else value[:HOST_LENGTH] + "..."


class RefusedHost(logging.Filter):
    """On ``django.security.DisallowedHost``: a refused ``Host`` is one line, not a traceback."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is None:  # not a refused request: keep the record as it is
            return True
        log_event(
            "host_refused",
            level=logging.WARNING,
            host=refused_host(request),
            ip=state_of(request).ip,
            path=str(request.META.get("PATH_INFO", ""))[:HOST_LENGTH],
        )
        return False
