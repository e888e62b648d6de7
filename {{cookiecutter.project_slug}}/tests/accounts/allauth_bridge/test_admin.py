"""The admin's sign-in is the project's, so a second factor cannot be skipped there."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.conftest import PASSWORD, is_signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_with_totp(django_user_model):
    staff = django_user_model.objects.create_user(
        username="root", password=PASSWORD, is_staff=True, is_superuser=True
    )
    TOTP.activate(staff, generate_totp_secret())
    assert Authenticator.objects.filter(user=staff).exists()
    return staff


def test_the_admins_password_form_cannot_skip_the_second_factor(client, staff_with_totp):
    form = {"username": "root", "password": PASSWORD, "next": "/admin/"}
    response = client.post("/admin/login/?next=/admin/", form)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 302  # not signed in
    assert not is_signed_in(client.get("/"), "root")


def test_the_sign_in_page_asks_the_admin_for_the_second_factor(client, staff_with_totp):
    form = {"username": "root", "password": PASSWORD}
    response = client.post("/accounts/login/?next=/admin/", form)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302
