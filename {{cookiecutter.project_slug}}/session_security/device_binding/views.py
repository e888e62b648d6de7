"""The DBSC endpoints, called by the browser: no CSRF token (a signed proof instead), never 5xx."""

import logging
import uuid

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from session_security import counters
from session_security.audit import log_event
from session_security.device_binding import proofs, protocol
from session_security.device_binding.models import DeviceKey
from session_security.device_binding.proofs import ChallengeExpired, ProofError
from session_security.models import SessionRecord
from session_security.policy import Policy
from session_security.registry import records
from session_security.state import state_of

# Refresh attempts allowed per minute, per session and per client address.
REFRESH_LIMIT_PER_SESSION = 12
REFRESH_LIMIT_PER_ADDRESS = 60


def answer(data, status=200):
    response = JsonResponse(data, status=status)
    patch_cache_control(response, no_store=True)
    return response


def refused(request, record, error, status=400):
    log_event(
        "dbsc_proof_failed",
        level=logging.WARNING,
        record=record.pk if record else None,
        ip=state_of(request).ip,
        error=str(error)[:200],
    )
    return answer({"error": "invalid_proof"}, status=status)


def bound_answer(request, record, challenge):
    """The answer that hands out a bound cookie, and the next challenge ahead."""
    response = answer(protocol.instructions(request, record))
    protocol.set_bound_cookie(response, record)
    response["Secure-Session-Challenge"] = protocol.challenge_header(challenge, record)
    return response


def challenge_required(record, challenge):
    response = answer({"error": "challenge_required"}, status=403)
    response["Secure-Session-Challenge"] = protocol.challenge_header(challenge, record)
    return response


@csrf_exempt
@require_POST
def register(request):
    state = state_of(request)
    record = state.record
    if not protocol.enabled() or record is None or state.grace:
        return answer({"error": "no_session"}, status=401)
    if protocol.key_of(record) is not None:
        return refused(request, record, "already bound")
    try:
        token = proofs.read_token(request)
        if token is None:
            raise ProofError("no Secure-Session-Response header")
        jwk, algorithm = proofs.verify_registration(token, record)
    except ProofError as error:
        return refused(request, record, error)
    # The first refresh's challenge is stored in the same write, and sent ahead.
    challenge, now = protocol.new_challenge(), state.now
    key = DeviceKey(
        record=record,
        public_key=jwk,
        algorithm=algorithm,
        bound_at=now,
        challenge=challenge,
        challenge_at=now,
    )
    try:
        with transaction.atomic():
            key.save(force_insert=True)
    except IntegrityError:  # a concurrent registration bound it first
        return refused(request, record, "already bound")
    # The middleware answers next: a bound session is not offered registration again.
    record.device_key = key
    log_event("dbsc_registered", record=record.pk, user=record.user_id, algorithm=algorithm)
    return bound_answer(request, record, challenge)


def over_limit(request, session_id):
    state = state_of(request)
    minute = int(state.now.timestamp() // 60)
    limits = (
        (f"dbsc:refresh:{session_id}:{minute}", REFRESH_LIMIT_PER_SESSION),
        (f"dbsc:refresh-ip:{state.ip}:{minute}", REFRESH_LIMIT_PER_ADDRESS),
    )
    try:
        return any(counters.hit(key, 90, state.now) > limit for key, limit in limits)
    except Exception:  # noqa: BLE001 - a counter outage must not block refreshes
        return False


@csrf_exempt
@require_POST
def refresh(request):
    try:
        session_id = uuid.UUID(request.headers.get("Sec-Secure-Session-Id", ""))
    except ValueError:
        return answer({"error": "unknown_session"}, status=400)
    if over_limit(request, session_id):
        response = answer({"error": "rate_limited"}, status=429)
        response["Retry-After"] = "60"
        return response
    record = SessionRecord.objects.select_related("device_key").filter(pk=session_id).first()
    now = state_of(request).now
    reason = Policy.from_settings().end_reason(record, now)
    key = protocol.key_of(record)
    if reason or key is None:
        if record is not None and reason and record.ended_at is None:
            records.end(record.pk, reason, now)
        log_event("dbsc_ended", record=session_id, reason=reason or "not_bound")
        return answer(protocol.terminate(session_id))
    try:
        token = proofs.read_token(request)
    except ProofError as error:
        return refused(request, record, error)
    if token is None:
        return challenge_required(record, issue_challenge(key, now))
    try:
        jti = proofs.verify_refresh(token, key, now)
    except ChallengeExpired as error:
        # A browser that slept past its challenge gets a fresh one, not the end.
        log_event("dbsc_proof_failed", level=logging.INFO, record=record.pk, error=str(error))
        return challenge_required(record, issue_challenge(key, now, reuse=False))
    except ProofError as error:
        return refused(request, record, error)
    # One write consumes this challenge and stores the next, sent ahead.
    challenge = protocol.new_challenge()
    consumed = DeviceKey.objects.filter(pk=record.pk, challenge=jti).update(
        challenge=challenge, challenge_at=now
    )
    if not consumed:
        return refused(request, record, "challenge already used")
    log_event("dbsc_refreshed", record=record.pk, user=record.user_id)
    return bound_answer(request, record, challenge)


def issue_challenge(key, now, *, reuse=True):
    """The challenge for a 403: the stored one while it is good, else a new one."""
    challenge = protocol.reusable_challenge(key, now) if reuse else None
    if challenge is None:
        challenge = protocol.new_challenge()
        DeviceKey.objects.filter(pk=key.pk).update(challenge=challenge, challenge_at=now)
    return challenge
