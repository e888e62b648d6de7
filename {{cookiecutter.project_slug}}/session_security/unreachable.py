"""A database that refuses the connection is logged naming its variable (``DATABASE_URL``).

A wrong password, a certificate that does not verify (``sslmode=verify-full``
with another CA) or a plain-text connection the server refuses all fail in
the driver's words, which do not say where the setting lives. The request
still fails (a 500: no session store does without its database); the log
says which variable to fix.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import DatabaseError
from django.dispatch import receiver

logger = logging.getLogger("session_security.storage")

# Where each database alias is configured.
VARIABLES = {"default": "DATABASE_URL"}


def failed_connection_alias(error):
    """The alias whose connection ``error`` came from while connecting, or ``None``."""
    traceback = error.__traceback__
    while traceback is not None:
        frame = traceback.tb_frame
        if frame.f_code.co_name == "get_new_connection":
            wrapper = frame.f_locals.get("self")
            return getattr(wrapper, "alias", None)
        traceback = traceback.tb_next
    return None


@receiver(got_request_exception, dispatch_uid="session_security.unreachable_database")
def name_the_database_variable(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if not isinstance(error, DatabaseError):
        return
    alias = failed_connection_alias(error)
    if alias is not None:
        where = VARIABLES.get(alias, f"the {alias!r} database's settings")
        logger.error("Cannot connect to the database: check %s (%s)", where, error)
