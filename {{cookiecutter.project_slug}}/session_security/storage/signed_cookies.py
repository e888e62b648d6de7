"""Sessions in a signed cookie (Django's ``signed_cookies`` engine).

The cookie is signed, not encrypted: the user can read what is in it (here
only ids and timestamps, no secrets). It is self-contained, so Django alone
can neither end a stolen copy nor honour a per-session expiry; the registry
row named inside it does both (see ``policy`` and ``middleware``). Rotation
re-signs the data with the next generation; the previous cookie is refused
by the registry once its grace is over.
"""

import logging

from django.conf import settings
from django.contrib.sessions.backends import signed_cookies

from session_security.session_data import GENERATION_KEY, STORE_MARGIN_SECONDS
from session_security.storage.base import unverified_record_id

logger = logging.getLogger("session_security.storage")

# Browsers drop cookies whose name and value exceed 4096 bytes (ASVS 3.3.5).
COOKIE_LIMIT = 4096


class SessionStore(signed_cookies.SessionStore):
    unverified_record = None

    def load(self):
        cookie = self.session_key
        data = super().load()
        if not data and cookie:
            self.unverified_record = unverified_record_id(cookie)
        return data

    def get_session_cookie_age(self):
        # Django checks the signature's age against this; the registry enforces
        # the real lifetime and logs it, so the signature may live a little longer.
        return settings.SESSION_COOKIE_AGE + STORE_MARGIN_SECONDS

    def save(self, must_create=False):
        super().save(must_create)
        size = len(settings.SESSION_COOKIE_NAME) + 1 + len(self._session_key or "")
        if size > COOKIE_LIMIT:
            logger.error(
                "Signed session cookie is %d bytes; browsers drop cookies over %d. "
                "Keep less in the session or use another engine.",
                size,
                COOKIE_LIMIT,
            )

    def rotate_key(self, generation, grace):
        self[GENERATION_KEY] = generation
        self.save()
