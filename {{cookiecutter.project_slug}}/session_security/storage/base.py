"""What the hardened engines share."""

import json
import re
import zlib

from asgiref.sync import sync_to_async
from django.core import signing

from session_security.session_data import GENERATION_KEY, RECORD_KEY, STORE_MARGIN_SECONDS

VALID_KEY = re.compile(r"[a-z0-9]{32}")


def in_thread(name):
    """The async twin of the store method ``name``: that method, in one thread hop.

    Django's own async session methods hop to a thread for each database or
    cache call anyway; where they would bypass a hardened method (the joined
    read, the outage rules), its async version is the sync one, run once in a
    thread (``aload = in_thread("load")``).
    """

    async def method(self, *args, **kwargs):
        return await sync_to_async(getattr(self, name))(*args, **kwargs)

    method.__name__ = f"a{name}"
    return method


class SessionStoreUnavailable(Exception):
    """The session store cannot be reached; nobody can be authenticated."""


def unverified_record_id(signed_value):
    """The registry id inside signed session data whose signature failed, or ``None``.

    It proves nothing (see ``registry.end_if_key_retired``, its only use).
    """
    try:
        payload = signed_value.rsplit(":", 2)[0]
        data = signing.b64_decode(payload.removeprefix(".").encode())
        if payload.startswith("."):
            data = zlib.decompress(data)
        value = json.loads(data).get(RECORD_KEY)
    except Exception:  # noqa: BLE001 - garbage in, nothing out
        return None
    return value if isinstance(value, str) else None


class UnverifiedRecordMixin:
    """Remember the registry id of session data that failed to verify."""

    unverified_record = None

    def decode(self, session_data):
        data = super().decode(session_data)
        if not data and session_data:
            self.unverified_record = unverified_record_id(session_data)
        return data


class StrictKeyMixin:
    """Accept only keys of the shape Django generates: 32 of ``[a-z0-9]``.

    Anything else (a forged, truncated or injected value) is treated as no
    key at all, before it reaches the store: no query, no cache lookup.
    """

    def _validate_session_key(self, key):
        return bool(key) and VALID_KEY.fullmatch(key) is not None


class RotationMixin(UnverifiedRecordMixin, StrictKeyMixin):
    """Rotate the key of a live session, keeping the previous key briefly.

    ``cycle_key()`` deletes the old key at once, which signs out every request
    still in flight with it. ``rotate_key()`` instead rewrites the old entry
    to expire shortly after ``grace`` seconds, still carrying the old
    generation, so that the middleware can serve those requests read-only
    until then (the policy, not the store, decides where the grace ends).
    """

    def rotate_key(self, generation, grace):
        old_key = self.session_key
        old_data = dict(self.items())
        self[GENERATION_KEY] = generation
        self.create()
        if old_key:
            previous = type(self)(old_key)
            previous.clear()
            previous.update(old_data)
            previous.set_expiry(grace + STORE_MARGIN_SECONDS)
            previous.save()
