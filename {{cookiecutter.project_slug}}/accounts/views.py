"""Sign-in, sign-out, passwords, the session list and the home page, on Django's views."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.middleware import csrf
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.forms import ConfirmPasswordForm, PasswordChangeForm
from session_security import recent_auth
from session_security.device_names import describe
from session_security.models import SessionRecord
from session_security.registry import records, revocation
from session_security.state import state_of

# Sent on sign-out: the browser drops its cache, cookies and storage (ASVS 14.3.1).
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@login_required
def home(request):
    return render(request, "home.html")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"


class LogoutView(auth_views.LogoutView):
    """POST-only (Django's own rule); tells the browser to drop what it kept."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


@method_decorator(recent_auth.recent_auth_required, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Keeps this session under a new key, hash and row; ends the others unless the user unticks."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        state = state_of(self.request)
        user, current = form.user, state.record
        keep_others = not form.cleaned_data["end_other_sessions"]
        form.save(commit=False)
        user.save(end_sessions=False)
        revocation.password_changed(user, state.now, keep=current.pk, keep_others=keep_others)
        update_session_auth_hash(self.request, user)  # a new key and hash for this session
        records.end(current.pk, "password_changed", state.now)
        records.register(self.request, user)
        if keep_others:
            messages.success(self.request, "Password changed. Your other sessions continue.")
        else:
            messages.success(self.request, "Password changed. Your other sessions were signed out.")
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A reset ends every session: saving the new password raises the epoch."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@login_required
def sessions(request):
    """The user's active sessions, on any engine (ASVS 7.5.2)."""
    state = state_of(request)
    active = SessionRecord.objects.active(state.now).filter(user=request.user)
    active = active.select_related(*SessionRecord.read_with)  # one query for the list
    current = state.record_id
    rows = [
        {"record": record, "device": describe(record.user_agent), "current": record.pk == current}
        for record in active.order_by("-last_seen_at")
    ]
    return render(request, "accounts/sessions.html", {"rows": rows})


@require_POST
@recent_auth.recent_auth_required
def end_session(request, record_id):
    state = state_of(request)
    try:
        record = SessionRecord.objects.active(state.now).get(pk=record_id, user=request.user)
    except (SessionRecord.DoesNotExist, ValueError) as error:
        raise Http404("No such session.") from error
    revocation.end_session(record, "ended_by_user", state.now)
    if record.pk == state.record_id:
        logout(request)
        return redirect("accounts:login")
    messages.success(request, f"Signed out {describe(record.user_agent)}.")
    return redirect("accounts:sessions")


@require_POST
@recent_auth.recent_auth_required
def end_other_sessions(request):
    state = state_of(request)
    count = revocation.end_other_sessions(request.user, state.record_id, "ended_by_user", state.now)
    messages.success(request, f"{count} other session(s) signed out.")
    return redirect("accounts:sessions")


@require_POST
@recent_auth.recent_auth_required
def sign_out_everywhere(request):
    revocation.sign_out_everywhere(request.user, "signed_out_everywhere", state_of(request).now)
    logout(request)
    response = redirect("accounts:login")
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


@login_required
def confirm_password(request):
    """The sudo-mode gate: prove the password again, then go on."""
    form = ConfirmPasswordForm(request.user, request.POST or None, request=request)
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=True):
        target = "accounts:sessions"
    if request.method == "POST" and form.is_valid():
        recent_auth.confirmed(request)
        return redirect(target)
    return render(request, "accounts/confirm_password.html", {"form": form, "next": target})


def csrf_failure(request, reason=""):
    """Explain the common case: the browser refused our Secure cookies."""
    context = {
        "reason": reason,
        "cookie_missing": reason == csrf.REASON_NO_CSRF_COOKIE,
        "cookie_name": settings.CSRF_COOKIE_NAME,
    }
    return render(request, "accounts/csrf_failure.html", context, status=403)
