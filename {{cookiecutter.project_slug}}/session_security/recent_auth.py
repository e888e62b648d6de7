"""Sudo mode's state: was the password entered within ``SESSION_REAUTH_WINDOW``?

The decorator and its confirmation form are the accounts app's (``accounts/confirmation.py``).
"""

import datetime

from django.conf import settings

from session_security.models import SessionRecord
from session_security.state import state_of


def is_recent(request):
    state = state_of(request)
    if state.record is None or state.grace:  # the previous key proves nothing new
        return False
    window = datetime.timedelta(seconds=settings.SESSION_REAUTH_WINDOW)
    return state.now - state.record.reauthenticated_at < window


def confirmed(request):
    """Record that the user just proved the password in this session."""
    state = state_of(request)
    record = state.record
    record.reauthenticated_at = state.now
    SessionRecord.objects.filter(pk=record.pk).update(reauthenticated_at=record.reauthenticated_at)
