"""Sudo mode: the password entered within ``SESSION_REAUTH_WINDOW`` before sensitive changes."""

import datetime
from functools import partial, wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

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


def recent_auth_required(view):
    """Ask for the password first, unless it was entered within the window.

    A page (GET) is sent to the confirmation page, and back. An action (POST) is answered with
    the confirmation form in place, posting back to the same URL: a redirect would turn the
    action into a GET, which must never change anything.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if is_recent(request):
            return view(request, *args, **kwargs)
        if request.method == "POST":
            from accounts.confirmation import confirm_action  # the form lives with the accounts

            return confirm_action(request, partial(view, request, *args, **kwargs))
        return redirect_to_login(request.get_full_path(), reverse("accounts:confirm_password"))

    return wrapper
