"""Sign-in (a new key even over a live session: ASVS 7.2.4), sign-out, deactivation hooks."""

import logging

from django.conf import settings
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from session_security.audit import log_event
from session_security.registry import records
from session_security.session_data import RECORD_KEY, parse_record_id
from session_security.state import state_of


@receiver(user_logged_in, dispatch_uid="session_security.login")
def on_login(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    previous = parse_record_id(session.get(RECORD_KEY))
    if previous is not None:
        records.end(previous, "relogin", state_of(request).now)
    if session.session_key and session.session_key == request.COOKIES.get(
        settings.SESSION_COOKIE_NAME
    ):
        # login() kept the key: the same user signed in again.
        session.cycle_key()
    record = records.register(request, user)
    state_of(request).user = user
    log_event(
        "login",
        session_key=session.session_key,
        user=user.pk,
        record=record.pk,
        ip=record.ip_address,
    )


@receiver(user_logged_out, dispatch_uid="session_security.logout")
def on_logout(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    record = parse_record_id(session.get(RECORD_KEY))
    state = state_of(request)
    records.end(record, "logout", state.now)
    state.record, state.user = None, None
    log_event(
        "logout",
        session_key=session.session_key,
        user=getattr(user, "pk", None),
        record=record,
    )


@receiver(user_login_failed, dispatch_uid="session_security.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    log_event(
        "login_failed",
        level=logging.WARNING,
        username=str(credentials.get("username", ""))[:150],
        ip=state_of(request).ip if request is not None else None,
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="session_security.deactivated")
def on_user_saved(sender, instance, **kwargs):
    if not instance.is_active:
        ended = records.end_all(instance, "deactivated", timezone.now())
        if ended:
            log_event("session_ended", user=instance.pk, reason="deactivated", count=ended)
