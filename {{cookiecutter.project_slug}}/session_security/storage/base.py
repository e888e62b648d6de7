"""What the hardened engines share."""

import json
import re
import zlib

from asgiref.sync import sync_to_async
from django.core import signing

from session_security.session_data import GENERATION_KEY, RECORD_KEY, STORE_MARGIN_SECONDS

VALID_KEY = re.compile(r"[a-z0-9]{32}")


def in_thread(name):
    """The async twin of store method ``name``: the hardened sync one, in one thread hop."""

    async def method(self, *args, **kwargs):
        return await sync_to_async(getattr(self, name))(*args, **kwargs)

    method.__name__ = f"a{name}"
    return method


class SessionStoreUnavailable(Exception):
    """The session store cannot be reached; nobody can be authenticated."""


def unverified_record_id(signed_value):
    """The registry id inside session data whose signature failed (it proves nothing), or None."""
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
    """Only keys of Django's shape (32 of ``[a-z0-9]``) reach the store; anything else is none."""

    def _validate_session_key(self, key):
        return bool(key) and VALID_KEY.fullmatch(key) is not None


class ClearExpiredMixin:
    """Django's ``clearsessions`` runs the layer's cleanup (``clear_expired_sessions``)."""

    @classmethod
    def clear_expired(cls):
        from session_security.management.commands import clear_expired_sessions

        get_model_class = getattr(cls, "get_model_class", None)
        clear_expired_sessions.clear_expired(get_model_class() if get_model_class else None)

    @classmethod
    async def aclear_expired(cls):
        await sync_to_async(cls.clear_expired)()


class RotationMixin(UnverifiedRecordMixin, StrictKeyMixin, ClearExpiredMixin):
    """A new key for a live session; the old entry outlives ``grace`` (``cycle_key()`` drops it)."""

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
