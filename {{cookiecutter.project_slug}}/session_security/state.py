"""What the session layer knows about one request, in one place.

``SessionSecurityMiddleware`` sets ``request.session_security`` to a
``RequestState`` before anything else runs, and every part of the layer
(the policy, authentication, the audit log, device binding, the views) reads
from it. Each fact is worked out once: one ``now`` for the whole request, the
client address and User-Agent computed on first use, the registry row read
once (with its user), and the few flags that change what the response does.
"""

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
    # The session's registry row (``SessionRecord``, its user loaded with it),
    # or ``None`` for an anonymous visitor or a session that was refused.
    record: object = None
    # The user the registry row vouches for, once the session auth hash has
    # been checked (``None``: anonymous); ``UNRESOLVED``: Django's own
    # ``get_user`` decides (see ``authentication``).
    user: object = UNRESOLVED
    # A new auth hash to store: the session's was made with a fallback secret key.
    rehash: str = ""
    # The request carried the previous key within its rotation grace: read-only.
    grace: bool = False
    # A session that must prove more than its cookie, and did not: the
    # request is served anonymously, the session lives on (see the policy).
    withheld: bool = False
    # What the request proved beyond its cookie (see the session middleware's
    # ``proof_of_possession``); ``None`` when nothing more was asked.
    proof: object = None
    # The session row was created by this request (a sign-in).
    signed_in: bool = False
    # The response tells the browser to drop its (now empty) session cookie.
    cookie_deleted: bool = False

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
