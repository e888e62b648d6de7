"""On each sign-in: recognise the browser; a new one (not the account's first) gets a mail.

The work is decided here and applied by ``SignInAlertMiddleware``: the cookie
goes on the response, the mail leaves after it.
"""

from dataclasses import dataclass

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from session_security.sign_in_alerts import mail, recognition
from session_security.sign_in_alerts.models import NewBrowserSignIn
from session_security.state import state_of

EVENTS = ["sign_in_alert", "sign_in_alert_link_refused", "sign_in_alert_link_used"]
PENDING = "sign_in_alert"


@dataclass
class Pending:
    browser: str  # the id the response's cookie carries
    message: object = None  # the mail to send once the response is out


@receiver(user_logged_in, dispatch_uid="sign_in_alerts.login")
def on_login(sender, request, user, **kwargs):
    state = state_of(request)
    record = state.record
    if record is None or getattr(request, "session", None) is None:
        return
    browser = recognition.browser_id(request) or recognition.new_browser_id()
    pending = Pending(browser)
    if recognition.recognise(user, browser, state.now) == "new":
        NewBrowserSignIn.objects.create(record=record)
        pending.message = mail.compose(request, record, state.now)
    setattr(request, PENDING, pending)
