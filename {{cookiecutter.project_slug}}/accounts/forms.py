from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms

from accounts.models import User


def password_matches(request, user, password):
    """``user``'s password, checked through ``authenticate()``: login throttling counts a miss."""
    found = authenticate(request, username=user.get_username(), password=password)
    return found is not None and found.pk == user.pk


class LoginForm(auth_forms.AuthenticationForm):
    """Django's, with one message for a refused sign-in: usernames ignore case, passwords do not."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": (
            "Your username and password didn't match. "
            "Passwords are case-sensitive; usernames are not."
        ),
    }


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, plus the offer to end the other sessions (ASVS 7.4.3)."""

    end_other_sessions = forms.BooleanField(
        required=False,
        initial=True,
        label="Sign out my other sessions",
        help_text="Recommended: anyone who knew your old password is signed out.",
    )

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not password_matches(self.request, self.user, old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, request=None, **kwargs):
        self.user, self.request = user, request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password_matches(self.request, self.user, password):
            raise forms.ValidationError("That is not your password.", code="password_incorrect")
        return password


class UserCreationForm(auth_forms.AdminUserCreationForm):
    """The admin's "add user" form for this user model (a look-alike name: "already exists")."""

    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User


class UserChangeForm(auth_forms.UserChangeForm):
    """The admin's user form for this user model (renaming onto a look-alike fails)."""

    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
