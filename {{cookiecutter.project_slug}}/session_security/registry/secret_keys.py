"""Which secret key signed a session (a fingerprint, not the key), so retired ones can end."""

from functools import lru_cache

from django.conf import settings
from django.utils.crypto import salted_hmac


@lru_cache(maxsize=16)
def fingerprint(secret):
    """Worked out once per key: every request compares its row's against these."""
    return salted_hmac(
        "session_security.registry.secret_keys", "fingerprint", secret=secret, algorithm="sha256"
    ).hexdigest()[:16]


def current():
    """The fingerprint of ``SECRET_KEY``, which new sessions are signed with."""
    return fingerprint(settings.SECRET_KEY)


def usable():
    """Fingerprints of the key and its fallbacks; ``""`` (rows from before fingerprints) too."""
    return [current(), *map(fingerprint, settings.SECRET_KEY_FALLBACKS), ""]


def retired(value):
    return value != current() and value not in usable()
