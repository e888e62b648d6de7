"""The session middleware plus device binding: the bound cookie as proof, the offer, the challenge.

No I/O of its own: the key comes with the registry row (docs/device-bound-sessions.md).
"""

from session_security.audit import log_event
from session_security.device_binding import protocol
from session_security.middleware.sessions import SessionSecurityMiddleware


class DeviceBoundSessionMiddleware(SessionSecurityMiddleware):
    def proof_of_possession(self, request, record):
        """Seconds since the bound cookie was issued; ``False`` without a valid one."""
        if protocol.key_of(record) is None:
            return None
        age = protocol.bound_cookie_age(request, record)
        return False if age is None else age

    def refuse_grace_write(self, request):
        if protocol.is_refresh(request):
            return None
        return super().refuse_grace_write(request)

    def report(self, request, record, plan):
        super().report(request, record, plan)
        # Refreshing is what a browser does without its bound cookie.
        if plan.withhold and not protocol.is_refresh(request):
            state = request.session_security
            log_event("dbsc_cookie_missing", record=record.pk, user=record.user_id, ip=state.ip)

    def protect(self, request, response):
        state = request.session_security
        record = state.record
        if record is not None and protocol.enabled():
            key = None if state.signed_in else protocol.key_of(record)  # new rows have none
            if state.signed_in:
                offer = protocol.registration_header(record)  # None: no endpoint routed here
                if offer:
                    response["Secure-Session-Registration"] = offer
            elif key is not None and protocol.challenge_due(state.proof):
                challenge = protocol.reusable_challenge(key, state.now)
                if challenge and "Secure-Session-Challenge" not in response:
                    response["Secure-Session-Challenge"] = protocol.challenge_header(
                        challenge, record
                    )
        return super().protect(request, response)
