"""The ``login_locked_out`` audit event: once per lockout, at the attempt reaching the limit."""

import datetime

from axes.helpers import get_cool_off, get_failure_limit
from axes.signals import user_locked_out
from django.dispatch import receiver

from session_security import audit
from session_security.state import state_of


@receiver(user_locked_out, dispatch_uid="accounts.lockouts.log_lockout")
def log_lockout(sender, request, username=None, ip_address=None, **kwargs):
    credentials = getattr(request, "axes_credentials", None)
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None or failures != get_failure_limit(request, credentials):
        return  # an attempt during the lockout, not the one that started it
    until = state_of(request).now + get_cool_off(request)
    audit.log_event(
        "login_locked_out",
        username_hash=audit.key_hash(username),
        ip=state_of(request).ip,
        failures=failures,
        cool_off_until=until.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
