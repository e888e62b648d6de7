"""The two DBSC endpoints: registration and refresh (see ``device_binding``).

Both are called by the browser itself, not by a page: they carry no CSRF
token (a signed proof stands in for it) and answer JSON. Neither ever
answers 5xx: Chrome backs off from a failing server, and a wrong proof is
the client's fault, not ours.
"""

import logging
import uuid

from django.core.cache import cache
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.crypto import get_random_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from session_security import device_binding, registry
from session_security.audit import log_event
from session_security.clientip import client_ip
from session_security.device_binding import ProofError
from session_security.models import SessionRecord
from session_security.policy import Policy

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
        ip=client_ip(request),
        error=str(error)[:200],
    )
    return answer({"error": "invalid_proof"}, status=status)


@csrf_exempt
@require_POST
def register(request):
    record = getattr(request, "session_record", None)
    if not device_binding.enabled() or record is None or getattr(request, "session_grace", False):
        return answer({"error": "no_session"}, status=401)
    if record.device_bound:
        return refused(request, record, "already bound")
    try:
        token = device_binding.read_token(request)
        if token is None:
            raise ProofError("no Secure-Session-Response header")
        jwk, algorithm = device_binding.verify_registration(token, record)
    except ProofError as error:
        return refused(request, record, error)
    claimed = SessionRecord.objects.filter(pk=record.pk, device_public_key__isnull=True).update(
        device_public_key=jwk, device_algorithm=algorithm, device_bound_at=timezone.now()
    )
    if not claimed:
        return refused(request, record, "already bound")
    # The middleware reads this object as it answers: a bound session is not
    # offered registration again (Chrome would try, and be refused).
    record.device_public_key, record.device_algorithm = jwk, algorithm
    log_event("dbsc_registered", record=record.pk, user=record.user_id, algorithm=algorithm)
    response = answer(device_binding.instructions(request, record))
    device_binding.set_bound_cookie(response, record)
    return response


def over_limit(request, session_id):
    minute = int(timezone.now().timestamp() // 60)
    for key, limit in (
        (f"dbsc:refresh:{session_id}:{minute}", REFRESH_LIMIT_PER_SESSION),
        (f"dbsc:refresh-ip:{client_ip(request)}:{minute}", REFRESH_LIMIT_PER_ADDRESS),
    ):
        try:
            cache.add(key, 0, timeout=90)
            if cache.incr(key) > limit:
                return True
        except Exception:  # noqa: BLE001 - a cache outage must not block refreshes
            return False
    return False


def pending_challenge(record, now):
    """The challenge already handed out, while it is young enough to answer.

    Handing out the same one again (it is useless without the private key)
    means nobody who knows the session id can replace the challenge the
    browser is signing right now and make its proof fail.
    """
    if not record.device_challenge or record.device_challenge_at is None:
        return None
    age = (now - record.device_challenge_at).total_seconds()
    return record.device_challenge if age < device_binding.REFRESH_CHALLENGE_AGE / 2 else None


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
    record = SessionRecord.objects.filter(pk=session_id).first()
    now = timezone.now()
    reason = Policy.from_settings().end_reason(record, now)
    if reason or not record.device_bound:
        if record is not None and reason and record.ended_at is None:
            registry.end(record.pk, reason)
        log_event("dbsc_ended", record=session_id, reason=reason or "not_bound")
        return answer(device_binding.terminate(session_id))
    try:
        token = device_binding.read_token(request)
    except ProofError as error:
        return refused(request, record, error)
    if token is None:
        challenge = pending_challenge(record, now)
        if challenge is None:
            challenge = get_random_string(43)
            SessionRecord.objects.filter(pk=record.pk).update(
                device_challenge=challenge, device_challenge_at=now
            )
        response = answer({"error": "challenge_required"}, status=403)
        response["Secure-Session-Challenge"] = device_binding.challenge_header(challenge, record)
        return response
    try:
        jti = device_binding.verify_refresh(token, record, now)
    except ProofError as error:
        return refused(request, record, error)
    consumed = SessionRecord.objects.filter(pk=record.pk, device_challenge=jti).update(
        device_challenge=""
    )
    if not consumed:
        return refused(request, record, "challenge already used")
    log_event("dbsc_refreshed", record=record.pk, user=record.user_id)
    response = answer(device_binding.instructions(request, record))
    device_binding.set_bound_cookie(response, record)
    return response
