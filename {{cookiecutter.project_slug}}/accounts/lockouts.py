"""A lockout is an audit event of its own: ``login_locked_out``, once per lockout.

django-axes sends ``user_locked_out`` on every failed attempt at or past the
limit (each attempt while locked out restarts the cool-off and is refused
again). The audit log wants the moment the pair *became* locked: the attempt
that brought the failures to exactly the limit. Once the cool-off has
passed, axes forgets the old failures, so the next lockout is logged again.

The username is hashed as session keys are (``audit.key_hash``): a lockout
is mostly someone else typing a name, often a mistyped password or a
password typed into the username field, which does not belong in the log.
"""

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
