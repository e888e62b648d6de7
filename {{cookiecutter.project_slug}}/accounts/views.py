"""Sign-in, sign-out, password change and the home page.

Django's views do the work; these add what the session layer needs: logout
answers with ``Clear-Site-Data`` (ASVS 14.3.1), a password change ends the
user's other sessions, and a CSRF failure explains the usual cause.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.middleware import csrf
from django.shortcuts import render
from django.urls import reverse_lazy

from session_security import registry
from session_security.audit import log_event
from session_security.keys import RECORD_KEY


@login_required
def home(request):
    return render(request, "home.html")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = False


class LogoutView(auth_views.LogoutView):
    """POST-only (Django's own rule); tells the browser to drop what it kept."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Keeps this session (with a new key) and ends every other one.

    Django's view already re-keys the current session and its session hash
    check refuses the others; ending their registry rows as well makes the
    session list accurate and covers every engine explicitly.
    """

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        current = registry.parse_record_id(self.request.session.get(RECORD_KEY))
        ended = registry.end_all(self.request.user, "password_change", keep=current)
        log_event(
            "session_ended",
            session_key=self.request.session.session_key,
            user=self.request.user.pk,
            reason="password_change",
            count=ended,
        )
        messages.success(self.request, "Password changed. Your other sessions were signed out.")
        return response


def csrf_failure(request, reason=""):
    """Explain the common case: the browser refused our Secure cookies."""
    context = {
        "reason": reason,
        "cookie_missing": reason == csrf.REASON_NO_CSRF_COOKIE,
        "cookie_name": settings.CSRF_COOKIE_NAME,
    }
    return render(request, "accounts/csrf_failure.html", context, status=403)
