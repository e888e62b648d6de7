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

This module holds the protocol: the headers, the proofs (signed JWTs, checked
with PyJWT; only ES256 and RS256), the bound cookie and the instructions
document. ``views`` serves the two endpoints; ``middleware`` enforces.
"""

import time

import jwt
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, get_random_string, salted_hmac

BOUND_COOKIE = "__Host-sessionbound"
ALGORITHMS = ("ES256", "RS256")
TOKEN_TYPE = "dbsc+jwt"  # noqa: S105 - a JWT "typ", not a secret
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
MAX_TOKEN_LENGTH = 8192
EXCLUDED_PATHS = ("/static",)

REGISTRATION_SALT = "session_security.dbsc.registration"
COOKIE_SALT = "session_security.dbsc.cookie"


class ProofError(Exception):
    """A registration or refresh proof that does not hold up."""


class ChallengeExpired(ProofError):
    """A proof for a challenge that is too old: answered with a fresh one (403)."""


def enabled():
    return settings.SESSION_DEVICE_BOUND


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


def challenge_age(record, now):
    if not record.device_challenge or record.device_challenge_at is None:
        return None
    return (now - record.device_challenge_at).total_seconds()


def reusable_challenge(record, now):
    """The challenge already handed out, while it stays good long enough to answer.

    Handing out the same one again (it is useless without the private key)
    means nobody who knows the session id can replace the challenge the
    browser is signing right now and make its proof fail.
    """
    age = challenge_age(record, now)
    if age is None or age > challenge_lifetime() - REFRESH_CHALLENGE_AGE:
        return None
    return record.device_challenge


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


def read_token(request):
    """The JWT from ``Secure-Session-Response`` (bare, or a quoted sf-string)."""
    value = request.headers.get("Secure-Session-Response", "").strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value:
        return None
    if len(value) > MAX_TOKEN_LENGTH:
        raise ProofError("token too long")
    return value


def _header(token):
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise ProofError(f"malformed token: {error}") from error
    if header.get("typ") != TOKEN_TYPE:
        raise ProofError(f"typ is {header.get('typ')!r}, not {TOKEN_TYPE!r}")
    if header.get("alg") not in ALGORITHMS:
        raise ProofError(f"algorithm {header.get('alg')!r} is not allowed")
    return header


def _decode(token, jwk, algorithm):
    try:
        key = jwt.PyJWK(jwk, algorithm=algorithm)
        return jwt.decode(token, key.key, algorithms=[algorithm], options={"require": ["jti"]})
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
        raise ProofError(f"signature or claims rejected: {error}") from error


def verify_registration(token, record):
    """Check a registration JWT; returns ``(public_jwk, algorithm)``."""
    header = _header(token)
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or "d" in jwk:
        raise ProofError("the header carries no public key")
    claims = _decode(token, jwk, header["alg"])
    try:
        challenged = signing.loads(
            str(claims["jti"]), salt=REGISTRATION_SALT, max_age=REGISTRATION_CHALLENGE_AGE
        )
    except signing.BadSignature as error:
        raise ProofError("unknown or expired challenge") from error
    if challenged != str(record.pk):
        raise ProofError("the challenge belongs to another session")
    if not constant_time_compare(str(claims.get("authorization", "")), authorization_for(record)):
        raise ProofError("the authorization does not match this sign-in")
    return jwk, header["alg"]


def verify_refresh(token, record, now):
    """Check a refresh JWT against the key registered for ``record``."""
    header = _header(token)
    if header["alg"] != record.device_algorithm:
        raise ProofError("the algorithm differs from the registered key's")
    claims = _decode(token, record.device_public_key, header["alg"])
    if not record.device_challenge or not constant_time_compare(
        str(claims["jti"]), record.device_challenge
    ):
        raise ProofError("not the challenge this session was given (replayed or foreign)")
    if challenge_age(record, now) > challenge_lifetime():
        raise ChallengeExpired("the challenge expired")
    return claims["jti"]


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
    return time.time() - signing.b62_decode(value.rsplit(":", 2)[1])


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
