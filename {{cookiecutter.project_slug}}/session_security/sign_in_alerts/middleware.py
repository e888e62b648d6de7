"""Applies a sign-in's outcome: the browser cookie on the response, the mail after it.

And sends a sign-out's redirect through ``keep/`` (``kept.py``), which keeps
the browser's id across the sign-out's ``Clear-Site-Data``. No I/O here.
"""

from session_security.middleware.base import NativeMiddleware
from session_security.sign_in_alerts import kept, mail, recognition
from session_security.sign_in_alerts.receivers import PENDING


class SignInAlertMiddleware(NativeMiddleware):
    def after(self, request, response):
        pending = getattr(request, PENDING, None)
        if pending is None:
            if response.has_header("Clear-Site-Data"):
                kept.carry(request, response)
            return response
        recognition.set_cookie(response, pending.browser)
        if pending.message is not None:
            # Closed by the server once the response is sent: the mail never delays it.
            message = pending.message
            response._resource_closers.append(lambda: mail.send_later(message))
        return response
