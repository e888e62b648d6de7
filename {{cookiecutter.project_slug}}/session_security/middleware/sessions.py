"""``SessionSecurityMiddleware``: loads the session, enforces the policy before anything reads it.

The I/O is written once, synchronously: under ASGI one thread hop per request that has a cookie.
"""

import logging
from importlib import import_module

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.middleware import SessionMiddleware

from session_security.audit import key_hash, log_event
from session_security.middleware import authentication, cookies
from session_security.middleware.base import NativeMiddleware
from session_security.middleware.responses import renewed_while_sending, store_unavailable
from session_security.policy import TIMEOUTS, Outcome, Policy
from session_security.registry import records, secret_keys
from session_security.session_data import GENERATION_KEY, RECORD_KEY, parse_record_id
from session_security.state import RequestState
from session_security.storage.base import SessionStoreUnavailable

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class SessionSecurityMiddleware(NativeMiddleware, SessionMiddleware):
    """A drop-in for Django's ``SessionMiddleware`` (the admin checks for it); sync and async."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
        self.policy = Policy.from_settings()

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        try:
            self.enforce(request)
            response = self.refuse_grace_write(request) or self.get_response(request)
            if self.protect(request, response):
                cookies.save(request, response)
            return response
        except SessionStoreUnavailable as error:
            return store_unavailable(request, error)

    async def __acall__(self, request):
        try:
            if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
                await sync_to_async(self.enforce)(request)
            else:
                self.enforce(request)  # no session to load: no I/O
            response = self.refuse_grace_write(request) or await self.get_response(request)
            if self.protect(request, response):
                await sync_to_async(cookies.save)(request, response)
            return response
        except SessionStoreUnavailable as error:
            return store_unavailable(request, error)

    def process_exception(self, request, exception):
        # A view that writes the session (login, logout) during an outage.
        if isinstance(exception, SessionStoreUnavailable):
            return store_unavailable(request, exception)
        return None

    def enforce(self, request):
        """Load the session and carry out the policy's plan, before anything reads it."""
        session = request.session = self.SessionStore(
            request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        )
        state = request.session_security = RequestState(request)
        accessed = session.accessed
        record_id = parse_record_id(session.get(RECORD_KEY))
        if record_id is None and session.get(SESSION_KEY) is None:
            session.accessed = accessed  # anonymous: nothing here varies on the cookie
            if session.unverified_record:  # data that no key verifies any more
                records.end_if_key_retired(parse_record_id(session.unverified_record), state.now)
            return
        record = records.read(session, record_id) if record_id else None
        self.execute(request, record, self.judge(request, record))

    def judge(self, request, record):
        """The plan for this request's session (no I/O: the session is loaded)."""
        state, session = request.session_security, request.session
        credentials = authentication.verify(session, record) if record else None
        state.proof = self.proof_of_possession(request, record) if record else None
        plan = self.policy.evaluate(
            record,
            session.get(GENERATION_KEY),
            state.now,
            ip=state.ip if self.policy.bind_ip != "off" else None,
            user_agent=state.user_agent if self.policy.bind_user_agent != "off" else "",
            credentials_valid=credentials is not None and credentials.valid,
            key_retired=record is not None and secret_keys.retired(record.key_fingerprint),
            possession_proven=state.proof is not False,
        )
        if plan.serves_session:
            state.record, state.user = record, credentials.user
            state.rehash = credentials.rehash
            state.grace = plan.grace
        else:
            state.user = None
        return plan

    def proof_of_possession(self, request, record):
        """``None``: the cookie is all. A subclass binding sessions to more returns ``False`` when
        the proof is missing (the session is then withheld), else the proof (``state.proof``)."""
        return None

    def execute(self, request, record, plan):
        """Carry out the plan: end, flush, withhold, touch, re-hash, rotate."""
        state, session = request.session_security, request.session
        self.report(request, record, plan)
        if plan.end:
            state.signed_out = self.policy.told_reason(record, plan.reason, state.now)
            if record is not None and record.ended_at is None:
                records.end(record.pk, plan.reason, state.now)
        if plan.flush:
            session.flush()
        if plan.withhold:
            request.session, state.withheld = self.SessionStore(), True
        if plan.touch:
            records.touch(record, state.now)
        if state.rehash:  # Django's answer to a hash made with a fallback key
            session.cycle_key()
            session[HASH_SESSION_KEY] = state.rehash
            records.resigned(record)
        if plan.rotate:
            generation = records.claim_rotation(record, state.now)
            if generation is None:  # a concurrent request rotated first
                state.grace = True
                return
            old_key = session.session_key
            session.rotate_key(generation, self.policy.rotation_grace)
            log_event(
                "rotation",
                session_key=old_key,
                new_session=key_hash(session.session_key),
                record=record.pk,
                user=record.user_id,
                generation=record.generation + 1,
            )

    def refuse_grace_write(self, request):
        """The 409 answer for an unsafe request made in the grace, or ``None``."""
        state = request.session_security
        if not state.grace or request.method in SAFE_METHODS:
            return None
        return renewed_while_sending(request)

    def report(self, request, record, plan):
        """One audit line per thing worth knowing about this session."""
        session_key = request.session.session_key
        state = request.session_security
        for name in plan.mismatches:
            log_event(
                "binding_mismatch",
                level=logging.WARNING,
                session_key=session_key,
                record=record.pk,
                user=record.user_id,
                binding=name,
                mode=self.policy.binding_mode(name),
                expected=record.ip_address if name == "ip" else record.user_agent,
                seen=state.ip if name == "ip" else state.user_agent,
            )
        if plan.outcome is Outcome.ENDED:
            event = "timeout" if plan.reason in TIMEOUTS else "session_ended"
            log_event(
                event,
                session_key=session_key,
                record=record.pk if record else None,
                user=record.user_id if record else None,
                reason=plan.reason,
            )
        elif plan.outcome is Outcome.REFUSED:
            log_event("stale_key", session_key=session_key, record=record.pk, user=record.user_id)

    def protect(self, request, response):
        """Before the save (no I/O); returns whether the session is to be saved."""
        return cookies.protect(request, response)
