"""The project's sign-in page, handing a right password over to allauth's next steps."""

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import perform_password_login
from allauth.account.models import EmailAddress, Login

from accounts import views


def hand_over(request, user, redirect_url):
    """allauth's steps after the password: the address's verification, then the second factor.

    An account with an address on record (every sign-up) must have verified one; one an
    administrator made (``createsuperuser``, the admin) may have none to verify.
    """
    verification = "mandatory" if EmailAddress.objects.filter(user=user).exists() else "none"
    login = Login(user=user, email_verification=verification, redirect_url=redirect_url)
    return perform_password_login(request, {"username": user.get_username()}, login)


class LoginView(views.LoginView):
    """The project's page and form (and lockout); signing in is allauth's flow from there."""

    def get_context_data(self, **kwargs):
        sign_up_open = get_adapter(self.request).is_open_for_signup(self.request)
        return {**super().get_context_data(**kwargs), "sign_up_open": sign_up_open}

    def form_valid(self, form):
        return hand_over(self.request, form.get_user(), self.get_success_url())


class PasswordChangeView(views.PasswordChangeView):
    """The project's (this session continues), plus allauth's mail to the account's address."""

    def form_valid(self, form):
        response = super().form_valid(form)
        adapter = get_adapter(self.request)
        adapter.send_notification_mail("account/email/password_changed", form.user)
        return response
