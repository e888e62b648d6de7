"""The mail's link: signed, naming one session of one user, valid for that session's lifetime."""

from django.conf import settings
from django.core import signing

SALT = "session_security.sign_in_alerts.link"


def make(record):
    return signing.dumps({"r": str(record.pk), "u": record.user_id}, salt=SALT, compress=False)


def read(token):
    """``(record id, user id)`` of a valid link; ``None`` for a forged, altered or expired one."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.SESSION_COOKIE_AGE)
        return str(data["r"]), int(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
