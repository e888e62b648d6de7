"""Which secret key signed a session, without keeping the key.

A session signed with a key that has left ``SECRET_KEY_FALLBACKS`` can never
be verified again. Its registry row records a fingerprint of the key that
signed it (an HMAC of a constant under that key: it tells keys apart and
reveals nothing of them), so the layer can tell such a row is dead and end
it: it leaves the session list at once, and is ended with its reason when
the refused cookie is first seen or at the next cleanup.
"""

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
    """Fingerprints of every key that still verifies: the key and its fallbacks.

    ``""`` (a row written before fingerprints were kept) counts as usable.
    """
    return [current(), *map(fingerprint, settings.SECRET_KEY_FALLBACKS), ""]


def retired(value):
    return value != current() and value not in usable()
