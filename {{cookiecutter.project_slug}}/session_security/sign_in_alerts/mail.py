"""The alert mail: throttled per account, composed in the request, sent after the response.

``ALERT_LIMIT`` alerts per account in ``ALERT_WINDOW``; the next sign-in from a
new browser in that window sends one summary instead, and later ones nothing
(each is in the audit log and in the session list). The mail leaves from a
thread started when the response is closed, i.e. once it was sent: a slow or
failing mail server delays and fails no sign-in; the thread gives up after the
mailer's ``timeout`` (``MAIL_TIMEOUT`` when the mail URL sets none).
"""

import logging
import threading

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.urls import reverse

from session_security import counters
from session_security.audit import log_event
from session_security.device_names import describe
from session_security.sign_in_alerts import links

ALERT_LIMIT = 3
ALERT_WINDOW = 3600
MAIL_TIMEOUT = 10
KEY_PREFIX = "sign-in-alert"
log = logging.getLogger(__name__)
# Threads still sending (tests wait for them: ``wait_for_mail``).
sending = set()


def count(user, now):
    """This sign-in's number in the account's window; counters down: 1 (an alert is sent)."""
    try:
        return counters.hit(f"{KEY_PREFIX}:{user.pk}", ALERT_WINDOW, now)
    except Exception:  # the cache's or the database's error: tell the owner anyway
        log.warning("sign-in alert counters unavailable", exc_info=True)
        return 1


def compose(request, record, now):
    """The mail for this new-browser sign-in, or ``None`` (no address, or over the limit)."""
    user = record.user
    if not user.email:
        log_event("sign_in_alert", user=user.pk, record=record.pk, outcome="no_address")
        return None
    number = count(user, now)
    if number > ALERT_LIMIT + 1:
        log_event("sign_in_alert", user=user.pk, record=record.pk, outcome="throttled")
        return None
    summary = number == ALERT_LIMIT + 1
    context = {
        "user": user,
        "device": describe(record.user_agent),
        "ip": record.ip_address or "unknown",
        "time": record.created_at,
        "link": request.build_absolute_uri(
            reverse("sign_in_alerts:end", args=[links.make(record)])
        ),
        "sessions": request.build_absolute_uri(reverse("accounts:sessions")),
        "reset": request.build_absolute_uri(reverse("accounts:password_reset")),
        "limit": ALERT_LIMIT,
        "window": ALERT_WINDOW // 60,
    }
    name = "summary" if summary else "alert"
    body = render_to_string(f"sign_in_alerts/{name}_email.txt", context)
    subject = "More new sign-ins to your account" if summary else "New sign-in to your account"
    log_event("sign_in_alert", user=user.pk, record=record.pk, outcome=name)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def send(message):
    """Send it through the project's mailer, never raising (a failure is logged)."""
    try:
        connection = mailers.default
        if getattr(connection, "timeout", False) is None:  # SMTP without ?timeout=
            connection.timeout = MAIL_TIMEOUT
        connection.send_messages([message])
    except Exception as error:  # any mail failure: logged, the sign-in went through
        log_event(
            "sign_in_alert", level=logging.WARNING, outcome="failed", error=type(error).__name__
        )
    finally:
        sending.discard(threading.current_thread())


def send_later(message):
    """Start the thread that sends ``message`` (called when the response is closed)."""
    thread = threading.Thread(target=send, args=(message,), name="sign-in-alert", daemon=True)
    sending.add(thread)
    thread.start()
    return thread


def wait_for_mail(timeout=10):
    """Wait for the mails being sent (tests)."""
    for thread in list(sending):
        thread.join(timeout)
