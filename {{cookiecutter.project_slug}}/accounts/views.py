"""Sign-in, sign-out, passwords, the session list and the home page, on Django's views."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.middleware import csrf
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from accounts.confirmation import recent_auth_required
from accounts.forms import LoginForm, PasswordChangeForm
from session_security import signed_out
from session_security.device_names import describe
from session_security.models import SessionRecord
from session_security.registry import records, revocation
{%- if cookiecutter.sign_in_alerts == "yes" %}
from session_security.sign_in_alerts import listing
{%- endif %}
from session_security.state import state_of

# A fixed moment to measure durations from (no clock read to say "30 minutes").
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Sent on sign-out: the browser drops its cache, cookies and storage (ASVS 14.3.1).
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def in_words(seconds):
    """``1800``: "30 minutes", ``5400``: "1 hour, 30 minutes" (Django's ``timesince``)."""
    return timesince(EPOCH, EPOCH + timedelta(seconds=seconds), depth=2).replace("\xa0", " ")


def policy_in_words():
    """The timeouts in force, as the pages say them."""
    return {
        "idle": in_words(settings.SESSION_IDLE_TIMEOUT),
        "lifetime": in_words(settings.SESSION_COOKIE_AGE),
        "at_browser_close": settings.SESSION_EXPIRE_AT_BROWSER_CLOSE,
    }


@login_required
def home(request):
    record = state_of(request).record  # read with the session: no query
    context = {"policy": policy_in_words(), "ends_at": record.expires_at if record else None}
    return render(request, "home.html", context)


class LoginView(auth_views.LoginView):
    """Django's, saying once why this browser was signed out, if it was."""

    form_class = LoginForm
    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs):
        reason = signed_out.take(self.request)  # said in the template, in one line
        context = super().get_context_data(**kwargs)
        return {**context, "signed_out": reason, "policy": policy_in_words()}

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        signed_out.forget(self.request, response)
        return response


class LogoutView(auth_views.LogoutView):
    """POST-only (Django's own rule); tells the browser to drop what it kept."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Keeps this session under a new key, hash and row; ends the others unless the user unticks.

    The form's current password is the re-authentication (ASVS 7.5.1), through ``authenticate()``
    like the confirmation page's: asked once, never twice, whenever the session signed in.
    """

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
{%- if cookiecutter.sign_in_alerts == "yes" %}
    active = listing.with_marks(active)
{%- endif %}
    current = state.record_id
    rows = [
        {
            "record": record,
            "device": describe(record.user_agent),
            "current": record.pk == current,
            "last_active": last_active(record.last_seen_at, state.now),
        }
        for record in active.order_by("-last_seen_at")
    ]
{%- if cookiecutter.sign_in_alerts == "yes" %}
    listing.mark(rows, current, state.now)
{%- endif %}
    return render(request, "accounts/sessions.html", {"rows": rows})


def last_active(seen, now):
    """ "just now", or "5 minutes ago" (to the minute: the last-seen time is that coarse)."""
    return (
        "just now" if (now - seen).total_seconds() < 60 else f"{timesince(seen, now, depth=1)} ago"
    )


@require_POST
@recent_auth_required
def end_session(request, record_id):
    state = state_of(request)
    try:
        record = SessionRecord.objects.active(state.now).get(pk=record_id, user=request.user)
    except (SessionRecord.DoesNotExist, ValueError) as error:
        raise Http404("No such session.") from error
    revocation.end_session(record, "ended_by_user", state.now)
    if record.pk == state.record_id:  # this browser's own session: as a sign-out
        logout(request)
        response = redirect("accounts:login")
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
    signed_in = record.created_at.strftime("%Y-%m-%d %H:%M")
    device = describe(record.user_agent)
    messages.success(request, f"Signed out {device}, signed in {signed_in} UTC.")
    return redirect("accounts:sessions")


@require_POST
@recent_auth_required
def end_other_sessions(request):
    state = state_of(request)
    count = revocation.end_other_sessions(request.user, state.record_id, "ended_by_user", state.now)
    text = f"Signed out {plural(count, 'other session')}." if count else "No other session to end."
    messages.success(request, text)
    return redirect("accounts:sessions")


@require_POST
@recent_auth_required
def sign_out_everywhere(request):
    revocation.sign_out_everywhere(request.user, "signed_out_everywhere", state_of(request).now)
    logout(request)
    # A page says so: the browser drops every cookie of this response, a message's too.
    response = redirect("accounts:signed_out_everywhere")
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


def plural(count, noun):
    return f"{count} {noun}" + ("" if count == 1 else "s")


def csrf_failure(request, reason=""):
    """Explain the common case: the browser refused our Secure cookies."""
    context = {
        "reason": reason,
        "cookie_missing": reason == csrf.REASON_NO_CSRF_COOKIE,
        "cookie_name": settings.CSRF_COOKIE_NAME,
    }
    return render(request, "accounts/csrf_failure.html", context, status=403)
