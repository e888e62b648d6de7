"""Sudo mode: ``recent_auth_required``, and its confirmation: a page for GETs, a form in place.

An action gets the form posting back to itself, carried out once the password is right: never a
redirect, which would turn the POST into a GET.
"""

from functools import partial, wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import ConfirmPasswordForm
from session_security import recent_auth

# The in-place form's fields are named ``confirm-...``: the action's own fields keep their names.
PREFIX = "confirm"
# What the page says the password is for, by the action's URL name (others: a general line).
ACTIONS = {
    "accounts:end_session": "end that session",
    "accounts:end_other_sessions": "sign out all your other sessions",
    "accounts:sign_out_everywhere": "sign out everywhere, this browser included",
}
# Not carried over to the form in place: the CSRF token is the page's own.
NOT_CARRIED = ("csrfmiddlewaretoken",)


@login_required
def confirm_password(request):
    """The gate for pages: prove the password again, then go on (to this site only)."""
    form = ConfirmPasswordForm(request.user, request.POST or None, request=request)
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=True):
        target = "accounts:sessions"
    if request.method == "POST" and form.is_valid():
        recent_auth.confirmed(request)
        return redirect(target)
    return render(request, "accounts/confirm_password.html", {"form": form, "next": target})


def confirm_action(request, action):
    """The gate for an action posted outside the window: the form here, then ``action()``.

    The action's own fields go back with the password (file uploads do not). A wrong password
    is counted by login throttling, as on the page.
    """
    answered = f"{PREFIX}-password" in request.POST
    form = ConfirmPasswordForm(
        request.user, request.POST if answered else None, request=request, prefix=PREFIX
    )
    if answered and form.is_valid():
        recent_auth.confirmed(request)
        return action()
    carried = [
        (name, value)
        for name in request.POST
        if name not in NOT_CARRIED and not name.startswith(f"{PREFIX}-")
        for value in request.POST.getlist(name)
    ]
    match = request.resolver_match
    context = {
        "form": form,
        "action": request.get_full_path(),
        "carried": carried,
        "purpose": ACTIONS.get(match.view_name) if match else None,
    }
    return render(request, "accounts/confirm_password.html", context)


def recent_auth_required(view):
    """Ask for the password first, unless it was entered within the window.

    A page (GET) is sent to the confirmation page, and back. An action (POST) is answered with
    the confirmation form in place, posting back to the same URL: a redirect would turn the
    action into a GET, which must never change anything.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if recent_auth.is_recent(request):
            return view(request, *args, **kwargs)
        if request.method == "POST":
            return confirm_action(request, partial(view, request, *args, **kwargs))
        return redirect_to_login(request.get_full_path(), reverse("accounts:confirm_password"))

    return wrapper
