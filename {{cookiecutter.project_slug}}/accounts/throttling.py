"""Login throttling (ASVS 6.3.1): the address, username and 429 page django-axes is given."""

import math
from datetime import timedelta
from http import HTTPStatus

from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from accounts.usernames import username_key
from session_security.state import state_of

# The width of django-axes' username column; case folding can lengthen a
# name ("ß" becomes "ss"), and PostgreSQL refuses an over-long value.
USERNAME_LENGTH = 255


def client_ip_address(request):
    """``AXES_CLIENT_IP_CALLABLE``: the address the session layer read, through trusted proxies."""
    return state_of(request).ip


def normalise(username):
    """The form a username is counted under: its key, as sign-in finds it (NFKC, case-folded)."""
    return username_key(username)[:USERNAME_LENGTH]


def normalised_username(request, credentials=None):
    """``AXES_USERNAME_CALLABLE``: the username from the credentials or the form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get(field)
    return None if username is None else normalise(username)


def _duration(seconds):
    if seconds < 60:
        count, unit = seconds, "second"
    elif seconds < 2 * 60 * 60:
        count, unit = math.ceil(seconds / 60), "minute"
    else:
        count, unit = math.ceil(seconds / 3600), "hour"
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _minute_up(now, seconds):
    moment = now + timedelta(seconds=seconds)
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: 429, the full (restarted) cool-off; ``Retry-After`` 1 s more."""
    cool_off = math.ceil(get_cool_off(request).total_seconds())
    context = {"wait": _duration(cool_off), "retry_at": _minute_up(state_of(request).now, cool_off)}
    response = render(
        request, "accounts/lockout.html", context, status=HTTPStatus.TOO_MANY_REQUESTS
    )
    response["Retry-After"] = str(cool_off + 1)
    add_never_cache_headers(response)
    return response
