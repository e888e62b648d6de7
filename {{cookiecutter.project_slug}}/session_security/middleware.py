"""Session middleware that enforces the policy on every request.

``SessionSecurityMiddleware`` takes the place of Django's
``SessionMiddleware``: it loads the session, and before anything else reads
it, checks the session's registry row against the policy (revoked? idle?
past its absolute end? bound to another address? a rotated-out key?). A
session that fails is flushed, so ``AuthenticationMiddleware`` after it sees
an anonymous visitor. On the way out it saves the session and sets the
cookie as Django does, and marks authenticated responses ``no-store``.

It runs natively in both modes: under ASGI it awaits the async session and
ORM APIs instead of hopping to a thread, as ``MiddlewareMixin`` would.
"""

import logging
import time
from importlib import import_module

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from session_security import device_binding, registry
from session_security.audit import key_hash, log_event
from session_security.backends.base import SessionStoreUnavailable
from session_security.clientip import client_ip, user_agent
from session_security.keys import GENERATION_KEY, RECORD_KEY
from session_security.models import SessionRecord
from session_security.policy import Policy, Verdict

# Seconds a client should wait before retrying while the store is down.
RETRY_AFTER = 30

TIMEOUT_REASONS = ("idle_timeout", "absolute_timeout")


def store_unavailable(request, error):
    """The 503 page shown while the session store cannot be reached.

    Rendered without the request: its context processors would read the
    session, which is exactly what cannot be done now.
    """
    log_event(
        "store_unavailable", level=logging.WARNING, path=request.path, error=type(error).__name__
    )
    response = HttpResponse(render_to_string("session_security/unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    patch_cache_control(response, no_store=True)
    return response


class SessionSecurityMiddleware(SessionMiddleware):
    """A drop-in for Django's ``SessionMiddleware`` (the admin checks for a
    subclass of it); it reimplements the whole request cycle itself, so none
    of the parent's ``MiddlewareMixin`` thread hops happen under ASGI."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
        self.SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
        self.policy = Policy.from_settings()

    # --- request -----------------------------------------------------------

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        request.session = self.SessionStore(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        try:
            self.enforce(request)
            response = self.get_response(request)
            return self.finish(request, response)
        except SessionStoreUnavailable as error:
            return store_unavailable(request, error)

    async def __acall__(self, request):
        request.session = self.SessionStore(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        try:
            await self.aenforce(request)
            response = await self.get_response(request)
            return await self.afinish(request, response)
        except SessionStoreUnavailable as error:
            return store_unavailable(request, error)

    def process_exception(self, request, exception):
        # A view that writes the session (login, logout) during an outage.
        if isinstance(exception, SessionStoreUnavailable):
            return store_unavailable(request, exception)
        return None

    def judge(self, request, record, generation):
        return self.policy.evaluate(
            record,
            generation,
            timezone.now(),
            ip=client_ip(request),
            user_agent=user_agent(request),
        )

    # What ``classify`` tells the request to do with its session.
    END, REFUSE, WITHHOLD, GRACE, LIVE = "end", "refuse", "withhold", "grace", "live"

    def classify(self, request, record, decision):
        """Turn the policy's decision into one action, logging why (no I/O)."""
        session = request.session
        self.log_mismatches(request, record, decision)
        if decision.verdict is Verdict.ENDED:
            self.log_end(session.session_key, record, decision.reason)
            return self.END
        if decision.verdict is Verdict.REFUSED:
            log_event(
                "stale_key", session_key=session.session_key, record=record.pk, user=record.user_id
            )
            return self.REFUSE
        if record.device_bound and not device_binding.bound_cookie_valid(request, record):
            self.withhold(request, record)
            return self.WITHHOLD
        request.session_record = record
        if decision.verdict is Verdict.GRACE:
            request.session_grace = True
            return self.GRACE
        return self.LIVE

    def enforce(self, request):
        session = request.session
        accessed = session.accessed
        pk = registry.parse_record_id(session.get(RECORD_KEY))
        if pk is None and session.get(SESSION_KEY) is None:
            session.accessed = accessed  # anonymous: nothing here varies on the cookie
            return
        record = SessionRecord.objects.filter(pk=pk).first() if pk else None
        decision = self.judge(request, record, session.get(GENERATION_KEY))
        action = self.classify(request, record, decision)
        if action == self.END:
            registry.end(pk, decision.reason)
        if action in (self.END, self.REFUSE):
            session.flush()
        if action != self.LIVE:
            return
        now = timezone.now()
        if decision.refresh_last_seen:
            registry.touch(record, now)
        if decision.rotate:
            generation = registry.claim_rotation(record, now)
            if generation is None:  # a concurrent request rotated first
                request.session_grace = True
                return
            old_key = session.session_key
            session.rotate_key(generation, self.policy.rotation_grace)
            self.log_rotation(old_key, session.session_key, record)

    async def aenforce(self, request):
        """``enforce`` with the async session and ORM APIs."""
        session = request.session
        accessed = session.accessed
        pk = registry.parse_record_id(await session.aget(RECORD_KEY))
        if pk is None and await session.aget(SESSION_KEY) is None:
            session.accessed = accessed
            return
        record = await SessionRecord.objects.filter(pk=pk).afirst() if pk else None
        decision = self.judge(request, record, await session.aget(GENERATION_KEY))
        action = self.classify(request, record, decision)
        if action == self.END:
            await registry.aend(pk, decision.reason)
        if action in (self.END, self.REFUSE):
            await session.aflush()
        if action != self.LIVE:
            return
        now = timezone.now()
        if decision.refresh_last_seen:
            await registry.atouch(record, now)
        if decision.rotate:
            generation = await registry.aclaim_rotation(record, now)
            if generation is None:
                request.session_grace = True
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
        if not device_binding.is_refresh(request):  # refreshing is what browsers do then
            log_event(
                "dbsc_cookie_missing", record=record.pk, user=record.user_id, ip=client_ip(request)
            )
        request.session = self.SessionStore()
        request.session_withheld = True

    # --- audit -------------------------------------------------------------

    def log_mismatches(self, request, record, decision):
        for name in decision.mismatches:
            log_event(
                "binding_mismatch",
                level=logging.WARNING,
                session_key=request.session.session_key,
                record=record.pk,
                user=record.user_id,
                binding=name,
                mode=self.policy.binding_mode(name),
                expected=record.ip_address if name == "ip" else record.user_agent,
                seen=client_ip(request) if name == "ip" else user_agent(request),
            )

    def log_end(self, session_key, record, reason):
        event = "timeout" if reason in TIMEOUT_REASONS else "session_ended"
        log_event(
            event,
            session_key=session_key,
            record=record.pk if record else None,
            user=record.user_id if record else None,
            reason=reason,
        )

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
        session = request.session
        self.prepare(request, response, authenticated=session.get(SESSION_KEY) is not None)
        if self.needs_save(request, response):
            try:
                session.save()
            except UpdateError as error:
                raise SessionInterrupted(
                    "The request's session was deleted before the request completed."
                ) from error
            self.set_cookie(request, response)
        return response

    async def afinish(self, request, response):
        session = request.session
        authenticated = await session.aget(SESSION_KEY) is not None
        self.prepare(request, response, authenticated=authenticated)
        if self.needs_save(request, response):
            try:
                await session.asave()
            except UpdateError as error:
                raise SessionInterrupted(
                    "The request's session was deleted before the request completed."
                ) from error
            self.set_cookie(request, response)
        return response

    def prepare(self, request, response, *, authenticated):
        """Everything before the save: grace, no-store, Vary, cookie deletion."""
        session = request.session
        if getattr(request, "session_grace", False):
            # Never hand a request made with the previous key the new one,
            # nor let it write: it may be a replayed cookie.
            session.modified = False
        if authenticated or session.modified:
            # Authenticated pages must not outlive the session in any cache.
            patch_cache_control(response, no_store=True, private=True)
        record = getattr(request, "session_record", None)
        if record is not None and device_binding.should_offer(record, timezone.now()):
            response["Secure-Session-Registration"] = device_binding.registration_header(record)
        need_vary = session.accessed
        withheld = getattr(request, "session_withheld", False)
        if settings.SESSION_COOKIE_NAME in request.COOKIES and session.is_empty() and not withheld:
            response.delete_cookie(
                settings.SESSION_COOKIE_NAME,
                path=settings.SESSION_COOKIE_PATH,
                domain=settings.SESSION_COOKIE_DOMAIN,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
            need_vary = True
            request.session_cookie_deleted = True
        if need_vary or self.needs_save(request, response):
            patch_vary_headers(response, ("Cookie",))

    def needs_save(self, request, response):
        session = request.session
        return (
            not getattr(request, "session_cookie_deleted", False)
            and not getattr(request, "session_withheld", False)
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


class SecurityHeadersMiddleware:
    """Headers Django has no setting for: Permissions-Policy and CORP."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
        self.headers = {
            "Permissions-Policy": settings.PERMISSIONS_POLICY,
            "Cross-Origin-Resource-Policy": settings.CROSS_ORIGIN_RESOURCE_POLICY,
        }

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        return self.add_headers(self.get_response(request))

    async def __acall__(self, request):
        return self.add_headers(await self.get_response(request))

    def add_headers(self, response):
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        return response
