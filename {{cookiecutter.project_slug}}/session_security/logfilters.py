"""Scanner noise: a refused ``Host`` header is one audit line, not a traceback.

Every internet scanner sends random ``Host`` headers. Django refuses them
with 400 (``DisallowedHost``, as it should) and logs each one on
``django.security.DisallowedHost`` at ERROR *with the traceback*: about 1 KB
per request, carrying the attacker's text verbatim, burying real errors.
``RefusedHost`` (a filter on that logger only, see ``LOGGING``) logs the
event as one ``host_refused`` line on the audit logger instead, the value cut
to ``HOST_LENGTH`` characters and escaped like every audit value (no control
characters, no line breaks), and drops the original record. Real errors are
logged elsewhere (``django.request``) and keep their tracebacks.
"""

import logging

from django.conf import settings

from session_security import audit
from session_security.state import state_of

# Enough to tell scanners apart; a scanner can send kilobytes.
HOST_LENGTH = 80


def refused_host(request):
    """The ``Host`` value the request carried, cut to ``HOST_LENGTH``."""
    meta = getattr(request, "META", {})
    value = meta.get("HTTP_X_FORWARDED_HOST") if settings.USE_X_FORWARDED_HOST else None
    value = str(value or meta.get("HTTP_HOST") or meta.get("SERVER_NAME") or "")
    return value if len(value) <= HOST_LENGTH else value[:HOST_LENGTH] + "..."


class RefusedHost(logging.Filter):
    """Turns a ``DisallowedHost`` record into one ``host_refused`` audit line."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is None:  # not a refused request: keep the record as it is
            return True
        audit.log_event(
            "host_refused",
            level=logging.WARNING,
            host=refused_host(request),
            ip=state_of(request).ip,
            path=str(request.META.get("PATH_INFO", ""))[:HOST_LENGTH],
        )
        return False
