"""Sessions in a signed cookie; the registry row named inside ends copies and enforces expiry."""

import logging

from django.conf import settings
from django.contrib.sessions.backends import signed_cookies
from django.core import signing

from session_security.session_data import GENERATION_KEY, STORE_MARGIN_SECONDS
from session_security.storage.base import ClearExpiredMixin, unverified_record_id

logger = logging.getLogger("session_security.storage")

# Browsers drop cookies whose name and value exceed 4096 bytes (ASVS 3.3.5).
COOKIE_LIMIT = 4096


class SessionStore(ClearExpiredMixin, signed_cookies.SessionStore):
    unverified_record = None

    def load(self):
        cookie = self.session_key
        try:
            # The cookie's age is Django's; its signature outlives it a little, so that the
            # middleware (through the registry), not the signature, ends the session and logs it.
            return signing.loads(
                cookie,
                serializer=self.serializer,
                max_age=self.get_session_cookie_age() + STORE_MARGIN_SECONDS,
                salt="django.contrib.sessions.backends.signed_cookies",
            )
        except Exception:  # noqa: BLE001 - as Django: anything wrong is a new, empty session
            self.create()
            # As the db store forgets a key it cannot find: an empty session, its cookie dropped.
            self._session_key = None
        if cookie:
            self.unverified_record = unverified_record_id(cookie)
        return {}

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
