"""Login throttling (ASVS 6.3.1): what django-axes needs from this project.

django-axes counts failed sign-ins per *pair* of username and client address
and refuses that pair for a cool-off once it reaches the limit (the ``AXES_*``
settings). A pair, not either one alone: someone guessing ``alice``'s
password from their own address cannot lock ``alice`` out of anywhere else,
and one noisy address does not lock out every account behind it. The
functions here (named in the settings) make the pair hard to dodge:

- ``client_ip_address``: the address through the trusted proxies, the same
  one the session layer binds to (``session_security.clientip``). A forged
  ``X-Forwarded-For`` entry can neither unlock a pair nor lock another address.
- ``normalised_username``: the username as the lock counts it, case-folded
  and stripped. Django's login form already strips surrounding whitespace
  before authenticating, but usernames stay case-sensitive there; the lock
  is not, so "ALICE", " alice " and "Alice\\t" all count against "alice".
- ``lockout_response``: the "too many attempts" page, 429 with
  ``Retry-After``, never cached.
"""

import math
import unicodedata
from datetime import timedelta
from http import HTTPStatus

from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from session_security.state import state_of

# The width of django-axes' username column; case folding can lengthen a
# name ("ß" becomes "ss"), and PostgreSQL refuses an over-long value.
USERNAME_LENGTH = 255


def client_ip_address(request):
    """``AXES_CLIENT_IP_CALLABLE``: the client's address, never a forged one.

    The one the session layer worked out for this request (``state_of``).
    """
    return state_of(request).ip


def normalise(username):
    """The form a username is counted under: NFKC, case-folded, stripped."""
    username = unicodedata.normalize("NFKC", str(username))
    return username.casefold().strip()[:USERNAME_LENGTH]


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
    """``AXES_LOCKOUT_CALLABLE``: 429 Too Many Requests, saying when to retry.

    Every attempt while locked out is a failure too and starts the cool-off
    again (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``), so the wait is
    always the full cool-off from now. The lock still holds at the cool-off's
    last instant, hence ``Retry-After`` one second longer, and the time shown
    rounded up to the minute.
    """
    cool_off = math.ceil(get_cool_off(request).total_seconds())
    context = {"wait": _duration(cool_off), "retry_at": _minute_up(state_of(request).now, cool_off)}
    response = render(
        request, "accounts/lockout.html", context, status=HTTPStatus.TOO_MANY_REQUESTS
    )
    response["Retry-After"] = str(cool_off + 1)
    add_never_cache_headers(response)
    return response
