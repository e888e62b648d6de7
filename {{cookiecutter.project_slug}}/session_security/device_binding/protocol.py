"""Device Bound Session Credentials (DBSC), the server's side.

A browser that supports DBSC (Chrome) answers our ``Secure-Session-Registration``
header by generating a key pair it never lets go of, and registering the
public key. From then on the session needs, besides its long-lived cookie, a
short-lived *bound cookie*; to get a new one the browser must sign a fresh
challenge with the private key. A session cookie copied off the machine stops
working when the bound cookie expires (``SESSION_DEVICE_BOUND_COOKIE_AGE``,
minutes) and cannot be renewed elsewhere.

It does not protect against malware acting *on* the device, which can use the
browser itself. Browsers without DBSC ignore the header and keep working as
before: their sessions are simply not bound.

This module holds the protocol: the headers, the challenges, the bound cookie
and the instructions document. ``proofs`` checks the browser's signed JWTs,
``views`` serves the two endpoints, ``middleware`` enforces; the registered
key and the pending challenge are a ``DeviceKey`` (``models``), read with the
session's registry row on every request.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import get_random_string, salted_hmac

from session_security.state import state_of

BOUND_COOKIE = "__Host-sessionbound"
ALGORITHMS = ("ES256", "RS256")
# Chrome registers once per offer it sees, even while an earlier registration
# is still in flight: offered on both the login redirect and the page it leads
# to, it made two attempts. So registration is offered on the sign-in response
# alone: one sign-in, one offer, one registration, and no state to keep.
# A registration challenge is good for this long.
REGISTRATION_CHALLENGE_AGE = 300
# A refresh challenge handed out on a 403 stays good for at least this long.
REFRESH_CHALLENGE_AGE = 120
# Chrome refreshes a bound cookie proactively within 120 s of its expiry; the
# next challenge is sent ahead on responses from a little before that, so
# that the refresh is one signed request instead of a 403 and a retry.
CHALLENGE_AHEAD_LEAD = 180
CHALLENGE_LENGTH = 43
EXCLUDED_PATHS = ("/static",)

REGISTRATION_SALT = "session_security.dbsc.registration"
COOKIE_SALT = "session_security.dbsc.cookie"


# The audit events of device binding (added to the audit log's own at start-up).
EVENTS = (
    "dbsc_registered",
    "dbsc_refreshed",
    "dbsc_proof_failed",
    "dbsc_cookie_missing",
    "dbsc_ended",
)


def enabled():
    return settings.SESSION_DEVICE_BOUND


def key_of(record):
    """The ``DeviceKey`` the session of ``record`` is bound to, or ``None``."""
    return getattr(record, "device_key", None)


def authorization_for(record):
    """The value bound to this sign-in, which the registration must echo."""
    return salted_hmac(
        "session_security.dbsc.authorization", str(record.pk), algorithm="sha256"
    ).hexdigest()[:32]


def challenge_lifetime():
    """How long a stored refresh challenge is good for.

    A challenge sent ahead with a bound cookie must still be good when that
    cookie runs out and the browser signs it: the cookie's lifetime plus the
    time a browser may take. Each challenge is answered once at most.
    """
    return settings.SESSION_DEVICE_BOUND_COOKIE_AGE + REFRESH_CHALLENGE_AGE


def new_challenge():
    return get_random_string(CHALLENGE_LENGTH)


def challenge_age(key, now):
    if not key.challenge or key.challenge_at is None:
        return None
    return (now - key.challenge_at).total_seconds()


def reusable_challenge(key, now):
    """The challenge already handed out, while it stays good long enough to answer.

    Handing out the same one again (it is useless without the private key)
    means nobody who knows the session id can replace the challenge the
    browser is signing right now and make its proof fail.
    """
    age = challenge_age(key, now)
    if age is None or age > challenge_lifetime() - REFRESH_CHALLENGE_AGE:
        return None
    return key.challenge


def challenge_due(bound_cookie_age):
    """Whether a bound cookie this old is close enough to expiry to send the challenge."""
    if bound_cookie_age is None:
        return False
    return settings.SESSION_DEVICE_BOUND_COOKIE_AGE - bound_cookie_age <= CHALLENGE_AHEAD_LEAD


def registration_header(record):
    challenge = signing.dumps(str(record.pk), salt=REGISTRATION_SALT)
    path = reverse("device_binding:register")
    return (
        f'({" ".join(ALGORITHMS)});path="{path}";challenge="{challenge}";'
        f'authorization="{authorization_for(record)}"'
    )


def is_refresh(request):
    return request.path == reverse("device_binding:refresh")


def challenge_header(challenge, record):
    return f'"{challenge}";id="{record.pk}"'


def bound_cookie_age(request, record):
    """Seconds since the request's bound cookie for ``record`` was issued.

    ``None`` when there is none, or it is forged, expired, or another
    session's (an attacker's own bound cookie paired with a stolen session
    cookie is worth nothing).
    """
    value = request.COOKIES.get(BOUND_COOKIE)
    if not value:
        return None
    try:
        owner = signing.loads(
            value, salt=COOKIE_SALT, max_age=settings.SESSION_DEVICE_BOUND_COOKIE_AGE
        )
    except signing.BadSignature:
        return None
    if owner != str(record.pk):
        return None
    # Verified above: the value is "payload:timestamp:signature".
    issued = signing.b62_decode(value.rsplit(":", 2)[1])
    return state_of(request).now.timestamp() - issued


def cookie_attributes():
    return f"Path=/; Secure; HttpOnly; SameSite={settings.SESSION_COOKIE_SAMESITE}"


def set_bound_cookie(response, record):
    response.set_cookie(
        BOUND_COOKIE,
        signing.dumps(str(record.pk), salt=COOKIE_SALT),
        max_age=settings.SESSION_DEVICE_BOUND_COOKIE_AGE,
        path="/",
        secure=True,
        httponly=True,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )


def instructions(request, record):
    """The session instructions document both endpoints answer with."""
    host = request.get_host().split(":")[0]
    return {
        "session_identifier": str(record.pk),
        "refresh_url": reverse("device_binding:refresh"),
        "scope": {
            "origin": f"{request.scheme}://{request.get_host()}",
            "include_site": False,
            "scope_specification": [
                {"type": "exclude", "domain": host, "path": path} for path in EXCLUDED_PATHS
            ],
        },
        "credentials": [
            {"type": "cookie", "name": BOUND_COOKIE, "attributes": cookie_attributes()}
        ],
    }


def terminate(record_id):
    """The refresh answer that ends the browser's bound session."""
    return {"session_identifier": str(record_id), "continue": False}
