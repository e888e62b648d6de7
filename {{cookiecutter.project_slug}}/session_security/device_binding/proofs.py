"""The browser's registration and refresh proofs: JWTs, checked with PyJWT (ES256, RS256 only)."""

import jwt
from django.core import signing
from django.utils.crypto import constant_time_compare

from session_security.device_binding.protocol import (
    ALGORITHMS,
    REGISTRATION_CHALLENGE_AGE,
    REGISTRATION_SALT,
    authorization_for,
    challenge_age,
    challenge_lifetime,
)

TOKEN_TYPE = "dbsc+jwt"  # noqa: S105 - a JWT "typ", not a secret
MAX_TOKEN_LENGTH = 8192


class ProofError(Exception):
    """A registration or refresh proof that does not hold up."""


class ChallengeExpired(ProofError):
    """A proof for a challenge that is too old: answered with a fresh one (403)."""


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


def verify_refresh(token, key, now):
    """Check a refresh JWT against the registered ``key`` and its pending challenge."""
    header = _header(token)
    if header["alg"] != key.algorithm:
        raise ProofError("the algorithm differs from the registered key's")
    claims = _decode(token, key.public_key, header["alg"])
    if not key.challenge or not constant_time_compare(str(claims["jti"]), key.challenge):
        raise ProofError("not the challenge this session was given (replayed or foreign)")
    if challenge_age(key, now) > challenge_lifetime():
        raise ChallengeExpired("the challenge expired")
    return claims["jti"]
