"""What the layer knows about one request (``request.session_security``), each fact once."""

from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone

from session_security.clientip import client_ip, user_agent

# ``RequestState.user`` before authentication has been decided.
UNRESOLVED = object()


@dataclass(eq=False)
class RequestState:
    request: object = field(repr=False)
    now: object = field(default_factory=timezone.now)
    record: object = None  # the registry row, its user loaded; None: anonymous or refused
    user: object = UNRESOLVED  # the verified user; None: anonymous; UNRESOLVED: Django decides
    rehash: str = ""  # a new auth hash to store (the old one used a fallback secret key)
    grace: bool = False  # the previous key, within its rotation grace: read-only
    withheld: bool = False  # lacks a proof of possession it needs: served anonymously
    proof: object = None  # what the request proved beyond its cookie; None: nothing asked
    signed_in: bool = False  # this request created the row (a sign-in)
    cookie_deleted: bool = False  # the response drops the (now empty) session cookie
    signed_out: str = ""  # why this request's session ended, as its browser is told (signed_out.py)

    @cached_property
    def ip(self):
        """The client address, through ``TRUSTED_PROXY_COUNT`` proxies."""
        return client_ip(self.request)

    @cached_property
    def user_agent(self):
        return user_agent(self.request)

    @property
    def record_id(self):
        return self.record.pk if self.record is not None else None


def state_of(request):
    """The request's ``RequestState``, made on first use (requests built by hand)."""
    state = getattr(request, "session_security", None)
    if state is None:
        state = request.session_security = RequestState(request)
    return state
