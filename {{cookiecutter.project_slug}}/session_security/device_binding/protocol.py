"""Device Bound Session Credentials (DBSC), the server's side: headers, challenges, bound cookie.

How and why: docs/device-bound-sessions.md.
"""

from django.conf import settings
from django.core import signing
from django.urls import NoReverseMatch, reverse
from django.utils.crypto import get_random_string, salted_hmac

from session_security.state import state_of

BOUND_COOKIE = "__Host-sessionbound"
ALGORITHMS = ("ES256", "RS256")
# Offered on the sign-in response alone (Chrome registers once per offer it sees); good this long.
REGISTRATION_CHALLENGE_AGE = 300
# A refresh challenge handed out on a 403 stays good for at least this long.
REFRESH_CHALLENGE_AGE = 120
# The next challenge is sent ahead this long before expiry (Chrome refreshes within 120 s of it).
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
    """The ``DeviceKey`` the session of ``record`` is bound to, or ``None``.

    Read with the row on every request (cached on it, ``None`` included): no query, and no
    ``DoesNotExist`` raised and caught for each unbound session.
    """
    if record is None:
        return None
    relation = record._meta.get_field("device_key")
    if relation.is_cached(record):
        return relation.get_cached_value(record)
    return getattr(record, "device_key", None)


def authorization_for(record):
    """The value bound to this sign-in, which the registration must echo."""
    return salted_hmac(
        "session_security.dbsc.authorization", str(record.pk), algorithm="sha256"
    ).hexdigest()[:32]


def challenge_lifetime():
    """How long a refresh challenge is good for: a bound cookie's life plus a browser's delay."""
    return settings.SESSION_DEVICE_BOUND_COOKIE_AGE + REFRESH_CHALLENGE_AGE


def new_challenge():
    return get_random_string(CHALLENGE_LENGTH)


def challenge_age(key, now):
    if not key.challenge or key.challenge_at is None:
        return None
    return (now - key.challenge_at).total_seconds()


def reusable_challenge(key, now):
    """The challenge handed out, while still good: nobody can swap the one the browser signs."""
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
    """The offer to bind the session; ``None`` where no endpoint can take it up."""
    path = endpoint("register")
    if path is None:
        return None
    challenge = signing.dumps(str(record.pk), salt=REGISTRATION_SALT)
    return (
        f'({" ".join(ALGORITHMS)});path="{path}";challenge="{challenge}";'
        f'authorization="{authorization_for(record)}"'
    )


def endpoint(name):
    """The path of the layer's endpoint ``name``; ``None`` under a URLconf without them."""
    try:
        return reverse(f"device_binding:{name}")
    except NoReverseMatch:
        return None


def is_refresh(request):
    return request.path == endpoint("refresh")


def challenge_header(challenge, record):
    return f'"{challenge}";id="{record.pk}"'


def bound_cookie_age(request, record):
    """Seconds since the bound cookie for ``record`` was issued; ``None``: missing, forged, expired
    or another session's."""
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
