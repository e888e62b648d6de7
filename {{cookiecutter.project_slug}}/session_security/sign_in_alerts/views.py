"""The mail's link: a page naming the session, and one button (a POST) that ends it.

A GET never ends anything (mail scanners and previews fetch links). The link
needs no sign-in (the owner may be locked out); it names one session of one
user, works once and expires with that session's absolute lifetime.
"""

import logging

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from session_security.audit import log_event
from session_security.device_names import describe
from session_security.models import SessionRecord
from session_security.registry import revocation
from session_security.sign_in_alerts import kept, links, recognition
from session_security.sign_in_alerts.models import NewBrowserSignIn
from session_security.state import state_of

REASON = "sign_in_alert"


def page(request, outcome, record=None, status=200):
    context = {"outcome": outcome, "record": record}
    if record is not None:
        context["device"] = describe(record.user_agent)
    response = render(request, "sign_in_alerts/end.html", context, status=status)
    response["Referrer-Policy"] = "no-referrer"  # the link's token stays out of other requests
    return response


def find(token):
    """The session the link names (with its alert), or ``None``."""
    named = links.read(token)
    if named is None:
        return None
    record_id, user_id = named
    try:
        alert = NewBrowserSignIn.objects.select_related("record__user").get(
            record_id=record_id, record__user_id=user_id
        )
    except (NewBrowserSignIn.DoesNotExist, ValidationError, ValueError):
        return None
    return alert


@never_cache
@require_http_methods(["GET", "POST"])
def end(request, token):
    state = state_of(request)
    alert = find(token)
    if alert is None:
        log_event("sign_in_alert_link_refused", level=logging.WARNING, ip=state.ip)
        return page(request, "invalid", status=404)
    record = alert.record
    if alert.link_used_at is not None:
        return page(request, "used", record)
    if not SessionRecord.objects.active(state.now).filter(pk=record.pk).exists():
        return page(request, "gone", record)
    if request.method == "GET":
        return page(request, "confirm", record)
    claimed = NewBrowserSignIn.objects.filter(pk=record.pk, link_used_at__isnull=True)
    if not claimed.update(link_used_at=state.now):  # a second press at once: it works once
        return page(request, "used", record)
    revocation.end_session(record, REASON, state.now)
    log_event("sign_in_alert_link_used", record=record.pk, user=record.user_id, ip=state.ip)
    return page(request, "ended", record)


@never_cache
@require_http_methods(["GET"])
def keep(request):
    """After a sign-out: this browser's id again (``kept.py``), then where it was going."""
    following = request.GET.get("next", "")
    response = HttpResponseRedirect(following if kept.local(following) else "/")
    browser = kept.restore(request, request.GET.get("pass", ""))
    if browser:
        recognition.set_cookie(response, browser)
    return response
