"""Which database answers a query, when ``DATABASE_REPLICA_URL`` names a replica.

A streaming replica lags behind its primary. A session ended a moment ago
(sign-out, sign-out everywhere, a password change, a deactivated user) is
still live there, so everything the security of a session depends on is
read from the primary, always: the session table, the session registry,
users and groups, login throttling (axes), the admin's log. Those are whole
apps, listed in ``PRIMARY_APPS``; a model of a new app is read from the
replica unless its app is added there.

Also read from the primary: anything inside a transaction on the primary
(it must see its own writes), every request that is not GET/HEAD/OPTIONS
and every admin page (``PrimaryReadsMiddleware``: a form must not be
validated against stale rows). Writes and migrations go to the primary only.

This lives outside ``session_security`` because it routes the whole project
(axes, the admin, the project's own apps); the session layer's tables are
one entry of the list.

If the replica cannot be reached, reads go to the primary and one warning
names ``DATABASE_REPLICA_URL``; the replica is tried again after
``RETRY_SECONDS``. Losing a replica costs capacity, never availability.
"""

import contextvars
import logging
import time

from django.db import DatabaseError, connections
from django.urls import reverse

from session_security.middleware.base import NativeMiddleware

PRIMARY = "default"
REPLICA = "replica"
# Read where revocations are written: a lagging copy would revive sessions.
# Apps by name, with the apps inside them (the session layer's own included).
# ("django.contrib.sessions" is Django's own table: no longer installed, but
# the upgrade migration copies from it.)
PRIMARY_APPS = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "session_security",
    "accounts",
    "axes",
{%- if cookiecutter.allauth == "yes" %}
    # Addresses and second factors: a used recovery code or a removed passkey stays so.
    "allauth",
{%- endif %}
)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# After the replica failed to answer, how long reads stay on the primary.
RETRY_SECONDS = 5

logger = logging.getLogger("scale_out.routers")
_primary_reads = contextvars.ContextVar("primary_reads", default=False)


class ReplicaHealth:
    """Whether the replica answers; a failure keeps it out for ``RETRY_SECONDS``."""

    down_until = 0.0
    down = False

    @classmethod
    def available(cls):
        if time.monotonic() < cls.down_until:
            return False
        connection = connections[REPLICA]
        try:
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except DatabaseError as error:
            connection.close()
            cls.down_until = time.monotonic() + RETRY_SECONDS
            if not cls.down:
                cls.down = True
                logger.warning(
                    "Read replica (DATABASE_REPLICA_URL) unreachable (%s); "
                    "reading from the primary, retrying every %d s",
                    type(error).__name__,
                    RETRY_SECONDS,
                )
            return False
        if cls.down:
            cls.down = False
            logger.warning("Read replica (DATABASE_REPLICA_URL) reachable again")
        return True


def is_primary(model):
    """Whether ``model`` belongs to an app of ``PRIMARY_APPS`` (or one inside it)."""
    name = model._meta.app_config.name
    return any(name == app or name.startswith(f"{app}.") for app in PRIMARY_APPS)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if is_primary(model) or _primary_reads.get():
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA if ReplicaHealth.available() else PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY


class PrimaryReadsMiddleware(NativeMiddleware):
    """Admin pages and requests that change something read the primary only."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.admin_prefix = None

    def needs_primary(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        return request.method not in SAFE_METHODS or request.path.startswith(self.admin_prefix)

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        if not self.needs_primary(request):
            return self.get_response(request)
        token = _primary_reads.set(True)
        try:
            return self.get_response(request)
        finally:
            _primary_reads.reset(token)

    async def __acall__(self, request):
        if not self.needs_primary(request):
            return await self.get_response(request)
        token = _primary_reads.set(True)
        try:
            return await self.get_response(request)
        finally:
            _primary_reads.reset(token)
