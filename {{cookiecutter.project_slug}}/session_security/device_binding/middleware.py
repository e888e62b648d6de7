"""Device binding's part of each response: the offer and the challenge ahead.

Kept apart from the session middleware, which decides whether a request may
use its session at all (a bound session without its bound cookie is
withheld there). This middleware only adds headers, from what the request
state already holds, and never touches a store:

- ``Secure-Session-Registration`` on the sign-in response, the one moment a
  session is new and unbound (see ``device_binding``);
- ``Secure-Session-Challenge`` on responses to a bound session whose bound
  cookie is close to expiry, carrying the challenge the refresh endpoint
  stored when it issued that cookie: Chrome then signs it straight away, and
  a refresh costs one request instead of a 403 and a retry.
"""

from session_security.device_binding import protocol
from session_security.middleware.base import NativeMiddleware
from session_security.state import state_of


class DeviceBindingMiddleware(NativeMiddleware):
    def after(self, request, response):
        state = state_of(request)
        record = state.record
        if record is None or not protocol.enabled():
            return response
        if state.signed_in and not record.device_bound:
            response["Secure-Session-Registration"] = protocol.registration_header(record)
        elif record.device_bound and protocol.challenge_due(state.bound_cookie_age):
            challenge = protocol.reusable_challenge(record, state.now)
            if challenge and "Secure-Session-Challenge" not in response:
                response["Secure-Session-Challenge"] = protocol.challenge_header(challenge, record)
        return response
