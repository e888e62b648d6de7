"""The joined reads through Django's public ORM: forced by a setting, or when its compiler changed.

A Django release that changes the compiler's shape turns the compiled reads
off for the rest of the process (logged once), instead of failing sign-in.
"""

import logging

import django
from django.conf import settings

logger = logging.getLogger("session_security.storage")
COMPILED = "compiled"  # ``SESSION_JOINED_READ``: the layer's own compiled join (the default)


class Fallback:
    """Why this process stopped using the compiled reads (``None``: it uses them)."""

    reason = None

    @classmethod
    def turn_on(cls, read, error):
        if cls.reason is not None:
            return
        cls.reason = f"{read.model.__name__}: {type(error).__name__}: {error}"
        logger.warning(
            "Django %s: the session layer's compiled reads do not fit its compiler (%s); "
            "reading through the ORM's select_related from now on (system check "
            "session_security.W009)",
            django.get_version(),
            cls.reason,
        )


def compiled_off():
    """Why the reads go through the ORM, or ``None`` when they use the compiled join."""
    choice = getattr(settings, "SESSION_JOINED_READ", COMPILED)
    if choice != COMPILED:
        return f"SESSION_JOINED_READ is {choice!r}"
    return Fallback.reason


def orm_read(model, related, lookups, values):
    """The same single query, built by the ORM on each call: the first row, or ``None``."""
    query = model._base_manager.select_related(*related)
    for lookup, value in zip(lookups, values, strict=True):
        query = query.filter(**{lookup: value})
    rows = list(query.order_by()[:1])
    return rows[0] if rows else None
