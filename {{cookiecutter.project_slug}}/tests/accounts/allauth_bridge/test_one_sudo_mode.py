"""One sudo mode (ASVS 7.5.1): allauth's sensitive pages and the project's share one window.

allauth asks its adapter whether a page needs the password again: the answer is the layer's
window (``SESSION_REAUTH_WINDOW``), opened by a confirmation on either side and closed for both
at once; allauth's own record of a recent authentication never suffices. Seen from the thief's
side, who holds a copy of a cookie signed in longer ago than the window (``stolen``).
"""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from session_security.models import SessionRecord
from tests.accounts.allauth_bridge.conftest import SECRET, attacker, totp_code
from tests.conftest import PASSWORD, HttpsClient, session_cookie, sign_in

pytestmark = pytest.mark.django_db

# Shorter than any timeout allauth might apply on its own (it defaults to 300 s).
WINDOW = 120
REAUTHENTICATE = "/accounts/reauthenticate/"
MFA_REAUTHENTICATE = "/accounts/2fa/reauthenticate/"
SECOND = "alice@work.example.org"


@pytest.fixture
def victim(client, verified, engine, settings, clock):
    """alice (two addresses) signed in on her phone and her laptop, whose cookie the thief
    copied; then more than the window passes."""
    settings.SESSION_REAUTH_WINDOW = WINDOW
    EmailAddress.objects.create(user=verified, email=SECOND, primary=False, verified=True)
    sign_in(client)
    laptop = HttpsClient()
    sign_in(laptop)
    clock.shift(WINDOW + 1)
    return {"phone": client, "laptop": laptop, "stolen": session_cookie(laptop)}


def addresses(user):
    return sorted(EmailAddress.objects.filter(user=user).values_list("email", "primary"))


def authenticators(user):
    return sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True))


# A sensitive request on allauth's pages: (method, path, data). allauth adds no address to an
# account with a second factor; the last three need the app and recovery codes to exist.
SENSITIVE = {
    "add an address": ("post", "/accounts/email/", {"action_add": "", "email": "x@evil.test"}),
    "remove an address": ("post", "/accounts/email/", {"action_remove": "", "email": SECOND}),
    "make an address primary": (
        "post",
        "/accounts/email/",
        {"action_primary": "", "email": SECOND},
    ),
    "activate an app": ("get", "/accounts/2fa/totp/activate/", {}),
    "add a passkey": ("get", "/accounts/2fa/webauthn/add/", {}),
    "deactivate the app": ("post", "/accounts/2fa/totp/deactivate/", {}),
    "see the recovery codes": ("get", "/accounts/2fa/recovery-codes/", {}),
    "new recovery codes": ("post", "/accounts/2fa/recovery-codes/generate/", {}),
}
WITH_SECOND_FACTOR = ("deactivate the app", "see the recovery codes", "new recovery codes")


def send(client, name):
    method, path, data = SENSITIVE[name]
    return getattr(client, method)(path, data)


def assert_sent_to_reauthenticate(response):
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(REAUTHENTICATE), response["Location"]


@pytest.mark.parametrize("name", SENSITIVE)
def test_a_stolen_cookie_gets_no_sensitive_allauth_page(victim, verified, name):
    if name in WITH_SECOND_FACTOR:
        TOTP.activate(verified, SECRET)
        RecoveryCodes.activate(verified)
    before = (addresses(verified), authenticators(verified))
    assert_sent_to_reauthenticate(send(attacker(victim["stolen"]), name))
    assert (addresses(verified), authenticators(verified)) == before


def live(user):
    return SessionRecord.objects.active(timezone.now()).filter(user=user)


def ends_others_at_once(phone):
    """The project's action: carried out, not answered with its in-place password form."""
    response = phone.post("/accounts/sessions/end-others/")
    assert response.status_code == 302, response.status_code
    assert response["Location"] == "/accounts/sessions/"


def test_allauths_password_confirmation_opens_the_projects_window(victim, verified):
    phone = victim["phone"]
    assert phone.post("/accounts/sessions/end-others/").status_code == 200  # asked in place
    confirmed = phone.post(REAUTHENTICATE, {"password": PASSWORD})
    assert confirmed.status_code == 302
    ends_others_at_once(phone)
    assert live(verified).count() == 1


def test_allauths_app_code_confirmation_opens_the_projects_window(victim, totp, clock):
    phone = victim["phone"]
    confirmed = phone.post(MFA_REAUTHENTICATE, {"code": totp_code()})
    assert confirmed.status_code == 302, confirmed.status_code
    ends_others_at_once(phone)
    assert live(totp).count() == 1


def test_a_wrong_app_code_opens_nothing(victim, totp):
    phone = victim["phone"]
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06}"
    assert phone.post(MFA_REAUTHENTICATE, {"code": wrong}).status_code == 200
    assert_sent_to_reauthenticate(send(phone, "make an address primary"))


def test_the_projects_confirmation_opens_allauths_pages(victim, verified):
    phone = victim["phone"]
    assert_sent_to_reauthenticate(send(phone, "add an address"))
    phone.post("/accounts/confirm-password/", {"password": PASSWORD, "next": "/accounts/email/"})
    assert send(phone, "add an address").status_code == 302
    assert "x@evil.test" in dict(addresses(verified))


def test_the_projects_in_place_form_opens_allauths_pages(victim, verified):
    phone = victim["phone"]
    done = phone.post("/accounts/sessions/end-others/", {"confirm-password": PASSWORD})
    assert done.status_code == 302
    assert send(phone, "remove an address").status_code == 302
    assert SECOND not in dict(addresses(verified))


@pytest.mark.parametrize("side", ["allauth", "project"])
def test_the_window_closes_for_both_at_once(victim, verified, clock, side):
    """Opened on either side, closed on both after ``SESSION_REAUTH_WINDOW`` (allauth's own
    record of the confirmation, younger than its default timeout, does not keep it open)."""
    phone = victim["phone"]
    if side == "allauth":
        phone.post(REAUTHENTICATE, {"password": PASSWORD})
    else:
        phone.post("/accounts/confirm-password/", {"password": PASSWORD, "next": "/"})
    clock.shift(WINDOW - 1)
    assert send(phone, "make an address primary").status_code == 302
    clock.shift(2)
    assert_sent_to_reauthenticate(send(phone, "add an address"))
    assert "x@evil.test" not in dict(addresses(verified))
    asked = phone.post("/accounts/sessions/end-others/")
    assert asked.status_code == 200 and 'name="confirm-password"' in asked.text
    assert live(verified).count() == 2
