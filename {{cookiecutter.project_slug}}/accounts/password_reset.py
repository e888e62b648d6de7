"""Password-reset mails, throttled per target and per client address (docs/accounts.md)."""

import logging
import unicodedata

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from session_security import audit, counters
from session_security.state import state_of

KEY_PREFIX = "password-reset"
log = logging.getLogger(__name__)


def normalise_address(address):
    """The form a target address is counted under: NFKC, case-folded, stripped."""
    return unicodedata.normalize("NFKC", str(address)).casefold().strip()


def throttled(request, address):
    """Count it: ``"client"``/``"address"`` over a limit; counters down: no mail either."""
    try:
        return _throttled(request, address)
    except Exception:  # the cache's or the database's error
        log.warning("password-reset counters unavailable", exc_info=True)
        return "store_unavailable"


def _throttled(request, address):
    window = settings.PASSWORD_RESET_WINDOW
    state = state_of(request)
    client = state.ip or "unknown"
    if (
        counters.hit(f"{KEY_PREFIX}:client:{client}", window, state.now)
        > settings.PASSWORD_RESET_CLIENT_LIMIT
    ):
        return "client"
    target = audit.key_hash(normalise_address(address))
    if (
        counters.hit(f"{KEY_PREFIX}:address:{target}", window, state.now)
        > settings.PASSWORD_RESET_ADDRESS_LIMIT
    ):
        return "address"
    return None


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view; a throttled request looks accepted and sends nothing."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        address = form.cleaned_data["email"]
        limit = throttled(self.request, address)
        if limit is None:
            return super().form_valid(form)  # sends the mail, if the address has an account
        audit.log_event(
            "password_reset_throttled",
            level=logging.WARNING,
            address_hash=audit.key_hash(normalise_address(address)),
            ip=state_of(self.request).ip,
            limit=limit,
        )
        return HttpResponseRedirect(self.get_success_url())
