"""Session middleware that enforces the policy on every request.

``SessionSecurityMiddleware`` takes the place of Django's
``SessionMiddleware``: it loads the session and, before anything else reads
it, reads the session's registry row (with its user, in one query) and asks
the policy for a ``Plan`` (revoked? idle? past its absolute end? bound to
another address? a rotated-out key? credentials changed?). A small executor
carries the plan out, one for sync and one for async requests, so the rules
exist once. A session that fails is flushed, so authentication after it sees
an anonymous visitor. A request made with the previous key within its
rotation grace is read-only: an unsafe method is answered 409 without
reaching the view. On the way out it saves the session and sets the cookie
as Django does, and marks authenticated responses ``no-store``.

It runs natively in both modes: under ASGI it awaits the async session and
ORM APIs instead of hopping to a thread, as ``MiddlewareMixin`` would.
"""

import logging
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from session_security.audit import key_hash, log_event
from session_security.device_binding import protocol
from session_security.middleware import authentication
from session_security.middleware.base import NativeMiddleware
from session_security.middleware.responses import renewed_while_sending, store_unavailable
from session_security.policy import Outcome, Policy
from session_security.registry import records, secret_keys
from session_security.session_data import GENERATION_KEY, RECORD_KEY, parse_record_id
from session_security.state import RequestState
from session_security.storage.base import SessionStoreUnavailable

TIMEOUT_REASONS = ("idle_timeout", "absolute_timeout")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class SessionSecurityMiddleware(NativeMiddleware, SessionMiddleware):
    """A drop-in for Django's ``SessionMiddleware`` (the admin checks for a
    subclass of it); it reimplements the whole request cycle itself, so none
    of the parent's ``MiddlewareMixin`` thread hops happen under ASGI."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
        self.policy = Policy.from_settings()

    # --- request -----------------------------------------------------------

    def start(self, request):
        request.session = self.SessionStore(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        request.session_security = RequestState(request)
        return request.session

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        session = self.start(request)
        try:
            accessed = session.accessed
            record_id = parse_record_id(session.get(RECORD_KEY))
            if record_id is None and session.get(SESSION_KEY) is None:
                session.accessed = accessed  # anonymous: nothing here varies on the cookie
                if session.unverified_record:  # data that no key verifies any more
                    records.end_if_key_retired(parse_record_id(session.unverified_record))
            else:
                record = records.read(session, record_id) if record_id else None
                self.execute(request, record, self.judge(request, record))
            response = self.refuse_grace_write(request) or self.get_response(request)
            return self.finish(request, response)
        except SessionStoreUnavailable as error:
            return store_unavailable(request, error)

    async def __acall__(self, request):
        session = self.start(request)
        try:
            accessed = session.accessed
            record_id = parse_record_id(await session.aget(RECORD_KEY))
            if record_id is None and session.get(SESSION_KEY) is None:  # loaded: no I/O
                session.accessed = accessed
                if session.unverified_record:
                    record_id = parse_record_id(session.unverified_record)
                    await records.aend_if_key_retired(record_id)
            else:
                record = await records.aread(session, record_id) if record_id else None
                await self.aexecute(request, record, self.judge(request, record))
            response = self.refuse_grace_write(request) or await self.get_response(request)
            return await self.afinish(request, response)
        except SessionStoreUnavailable as error:
            return store_unavailable(request, error)

    def process_exception(self, request, exception):
        # A view that writes the session (login, logout) during an outage.
        if isinstance(exception, SessionStoreUnavailable):
            return store_unavailable(request, exception)
        return None

    def judge(self, request, record):
        """The plan for this request's session (no I/O: the session is loaded)."""
        state, session = request.session_security, request.session
        credentials = authentication.verify(session, record) if record else None
        bound = record is not None and record.device_bound
        if bound:
            state.bound_cookie_age = protocol.bound_cookie_age(request, record)
        plan = self.policy.evaluate(
            record,
            session.get(GENERATION_KEY),
            state.now,
            ip=state.ip if self.policy.bind_ip != "off" else None,
            user_agent=state.user_agent if self.policy.bind_user_agent != "off" else "",
            credentials_valid=credentials is not None and credentials.valid,
            key_retired=record is not None and secret_keys.retired(record.key_fingerprint),
            bound_cookie_valid=not bound or state.bound_cookie_age is not None,
        )
        if plan.serves_session:
            state.record, state.user = record, credentials.user
            state.rehash = credentials.rehash
            state.grace = plan.grace
        else:
            state.user = None
        return plan

    # --- carrying out the plan ---------------------------------------------

    def execute(self, request, record, plan):
        state, session = request.session_security, request.session
        self.report(request, record, plan)
        if plan.end and record is not None and record.ended_at is None:
            records.end(record.pk, plan.reason)
        if plan.flush:
            session.flush()
        if plan.withhold:
            self.withhold(request, record)
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
            self.log_rotation(old_key, session.session_key, record)

    async def aexecute(self, request, record, plan):
        """``execute`` with the async session and ORM APIs."""
        state, session = request.session_security, request.session
        self.report(request, record, plan)
        if plan.end and record is not None and record.ended_at is None:
            await records.aend(record.pk, plan.reason)
        if plan.flush:
            await session.aflush()
        if plan.withhold:
            self.withhold(request, record)
        if plan.touch:
            await records.atouch(record, state.now)
        if state.rehash:
            await session.acycle_key()
            await session.aset(HASH_SESSION_KEY, state.rehash)
            await records.aresigned(record)
        if plan.rotate:
            generation = await records.aclaim_rotation(record, state.now)
            if generation is None:
                state.grace = True
                return
            old_key = session.session_key
            await session.arotate_key(generation, self.policy.rotation_grace)
            self.log_rotation(old_key, session.session_key, record)

    def withhold(self, request, record):
        """A device-bound session without its bound cookie: serve it anonymously.

        The session itself lives on (its owner's browser is refreshing the
        bound cookie right now, or will on its next request); only this
        request, perhaps made with a copied cookie, gets nothing.
        """
        request.session = self.SessionStore()
        request.session_security.withheld = True

    def refuse_grace_write(self, request):
        """The 409 answer for an unsafe request in the grace, or ``None``.

        The DBSC refresh is exempt: it is authenticated by its own signed
        proof, not by the session cookie it happens to carry.
        """
        state = request.session_security
        if not state.grace or request.method in SAFE_METHODS or protocol.is_refresh(request):
            return None
        return renewed_while_sending(request)

    # --- audit -------------------------------------------------------------

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
            event = "timeout" if plan.reason in TIMEOUT_REASONS else "session_ended"
            log_event(
                event,
                session_key=session_key,
                record=record.pk if record else None,
                user=record.user_id if record else None,
                reason=plan.reason,
            )
        elif plan.outcome is Outcome.REFUSED:
            log_event("stale_key", session_key=session_key, record=record.pk, user=record.user_id)
        elif plan.withhold and not protocol.is_refresh(request):
            # Refreshing is what a browser does without its bound cookie.
            log_event("dbsc_cookie_missing", record=record.pk, user=record.user_id, ip=state.ip)

    def log_rotation(self, old_key, new_key, record):
        log_event(
            "rotation",
            session_key=old_key,
            new_session=key_hash(new_key),
            record=record.pk,
            user=record.user_id,
            generation=record.generation + 1,
        )

    # --- response ----------------------------------------------------------

    def finish(self, request, response):
        self.protect(request, response, authenticated=request.session.get(SESSION_KEY) is not None)
        if self.needs_save(request, response):
            try:
                request.session.save()
            except UpdateError as error:
                raise SessionInterrupted(
                    "The request's session was deleted before the request completed."
                ) from error
            self.set_cookie(request, response)
        return response

    async def afinish(self, request, response):
        authenticated = await request.session.aget(SESSION_KEY) is not None
        self.protect(request, response, authenticated=authenticated)
        if self.needs_save(request, response):
            try:
                await request.session.asave()
            except UpdateError as error:
                raise SessionInterrupted(
                    "The request's session was deleted before the request completed."
                ) from error
            self.set_cookie(request, response)
        return response

    def protect(self, request, response, *, authenticated):
        """Before the save: keep the grace read-only, no-store, cookie deletion, Vary."""
        session, state = request.session, request.session_security
        if state.grace:
            # Never hand a request made with the previous key the new one,
            # nor let it write: it may be a replayed cookie.
            session.modified = False
        if authenticated or session.modified:
            # Authenticated pages must not outlive the session in any cache.
            patch_cache_control(response, no_store=True, private=True)
        state.cookie_deleted = self.delete_stale_cookie(request, response)
        if session.accessed or state.cookie_deleted or self.needs_save(request, response):
            patch_vary_headers(response, ("Cookie",))

    def delete_stale_cookie(self, request, response):
        """Tell the browser to drop a cookie whose session is empty (ended, refused)."""
        state = request.session_security
        if (
            settings.SESSION_COOKIE_NAME not in request.COOKIES
            or not request.session.is_empty()
            or state.withheld
        ):
            return False
        response.delete_cookie(
            settings.SESSION_COOKIE_NAME,
            path=settings.SESSION_COOKIE_PATH,
            domain=settings.SESSION_COOKIE_DOMAIN,
            samesite=settings.SESSION_COOKIE_SAMESITE,
        )
        return True

    def needs_save(self, request, response):
        session, state = request.session, request.session_security
        return (
            not state.cookie_deleted
            and not state.withheld
            and (session.modified or settings.SESSION_SAVE_EVERY_REQUEST)
            and not session.is_empty()
            and response.status_code < 500
        )

    def set_cookie(self, request, response):
        session = request.session
        if session.get_expire_at_browser_close():
            max_age, expires = None, None
        else:
            max_age = session.get_expiry_age()
            expires = http_date(time.time() + max_age)
        response.set_cookie(
            settings.SESSION_COOKIE_NAME,
            session.session_key,
            max_age=max_age,
            expires=expires,
            domain=settings.SESSION_COOKIE_DOMAIN,
            path=settings.SESSION_COOKIE_PATH,
            secure=settings.SESSION_COOKIE_SECURE or None,
            httponly=settings.SESSION_COOKIE_HTTPONLY or None,
            samesite=settings.SESSION_COOKIE_SAMESITE,
        )
