"""allauth's adapter: the layer's sudo window, the project's lockout, usernames and backend."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.forms import password_matches
from accounts.models import USERNAME_TAKEN, User
from accounts.usernames import username_key
from session_security import recent_auth
from session_security.state import state_of

# The backend a session signed in by allauth alone (a passkey, a confirmed address) names: the
# first backend with ``get_user`` would be django-axes', which finds nobody.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return settings.ACCOUNT_SIGNUP_OPEN

    def is_reauthentication_required(self, *, app, **kwargs):
        """One sudo mode: the layer's window decides for allauth's pages (email, MFA) too."""
        return not recent_auth.is_recent(context.request)

    def reauthenticate(self, user, password):
        """allauth's "confirm your password" through ``authenticate()``: django-axes counts it."""
        return password_matches(context.request, user, password)

    def get_client_ip(self, request):
        """The address the layer read (through ``DJANGO_TRUSTED_PROXY_COUNT`` proxies): in
        allauth's rate limits and its mails' "the change originates from"."""
        return state_of(request).ip

    def login(self, request, user):
        if not hasattr(user, "backend"):
            user.backend = MODEL_BACKEND
        super().login(request, user)

    def clean_username(self, username, shallow=False):
        """allauth compares names ignoring ASCII case; the project's key ignores every case."""
        username = super().clean_username(username, shallow=shallow)
        if not shallow and User.objects.filter(username_key=username_key(username)).exists():
            raise ValidationError(USERNAME_TAKEN)
        return username
