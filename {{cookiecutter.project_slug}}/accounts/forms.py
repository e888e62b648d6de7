from django import forms
from django.contrib.auth import forms as auth_forms


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, plus the offer to end the other sessions (ASVS 7.4.3)."""

    end_other_sessions = forms.BooleanField(
        required=False,
        initial=True,
        label="Sign out my other sessions",
        help_text="Recommended: anyone who knew your old password is signed out.",
    )


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autofocus": True})
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="password_incorrect")
        return password
