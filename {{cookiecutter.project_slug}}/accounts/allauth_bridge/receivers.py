"""Each authentication step allauth records: a new session key, or the sudo window opened."""

from allauth.account.signals import authentication_step_completed
from django.dispatch import receiver

from session_security import recent_auth
from session_security.audit import log_event

EVENTS = ["reauthenticated"]


@receiver(authentication_step_completed, dispatch_uid="allauth_bridge.step")
def on_authentication_step(sender, request, user, method, **kwargs):
    if request.user.is_authenticated and request.user.pk == user.pk:
        # A re-authentication (password, TOTP, a passkey): the layer's window, for both.
        recent_auth.confirmed(request)
        log_event("reauthenticated", user=user.pk, method=method)
        return
    # A step toward signing in (the password before the second factor), from an anonymous
    # session or another account's: a key planted before it, or seen during it, is worth
    # nothing after it (session fixation, ASVS 7.2.4).
    request.session.cycle_key()
