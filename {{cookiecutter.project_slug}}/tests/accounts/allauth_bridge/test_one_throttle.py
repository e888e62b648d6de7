"""One throttle (ASVS 6.3.1): a password guess on allauth's pages counts toward django-axes' lock.

allauth's "confirm your password" checks it through ``authenticate()``, so guesses there and on
the project's sign-in and confirmation pages add up to one lock on the username and address
pair, answered one way: the project's 429 page with ``Retry-After``, never allauth's own
"too many attempts" form. A thief holding a stolen session cannot guess on one page after the
other.
"""

import datetime

import pytest

from tests.accounts.allauth_bridge.conftest import MFA, attacker, password_step, totp_code
from tests.conftest import PASSWORD, HttpsClient, is_signed_in, session_cookie, sign_in

pytestmark = pytest.mark.django_db

LIMIT = 5
COOL_OFF = 900
WINDOW = 600
WRONG = "wrong password"
HERE = "203.0.113.10"
REAUTHENTICATE = "/accounts/reauthenticate/"
CONFIRM = "/accounts/confirm-password/"


@pytest.fixture(autouse=True)
def throttling(settings):
    """The baked defaults, stated here so the counts below are explicit."""
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=COOL_OFF)
    settings.SESSION_REAUTH_WINDOW = WINDOW


@pytest.fixture
def thief(user, clock):
    """A copy of alice's cookie, used from HERE after her sudo window has closed."""
    owner = HttpsClient(REMOTE_ADDR=HERE)
    sign_in(owner)
    clock.shift(WINDOW + 1)
    client = attacker(session_cookie(owner))
    client.defaults["REMOTE_ADDR"] = HERE
    return client


def guess_on_allauth(client, password=WRONG):
    return client.post(REAUTHENTICATE, {"password": password})


def guess_on_sign_in(password=WRONG):
    return HttpsClient(REMOTE_ADDR=HERE).post(
        "/accounts/login/", {"username": "alice", "password": password}
    )


def guess_on_confirmation(client, password=WRONG):
    return client.post(CONFIRM, {"password": password, "next": "/"})


def assert_asked_again(response):
    """A miss below the limit: the form again, no allauth rate-limit message."""
    assert response.status_code == 200, response.status_code
    assert 'name="password"' in response.text
    assert "too many" not in response.text.lower()


def assert_locked(response):
    """The project's lockout answer, whichever page was guessed on."""
    assert response.status_code == 429, response.status_code
    assert "Too many sign-in attempts" in response.text
    assert response["Retry-After"] == str(COOL_OFF + 1)


def assert_window_closed(client):
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)


def test_guesses_on_allauths_confirmation_and_the_sign_in_page_add_up(thief):
    for _ in range(3):
        assert_asked_again(guess_on_allauth(thief))
    assert_asked_again(guess_on_sign_in())
    assert_locked(guess_on_sign_in())
    # Locked for the right password too, on every page.
    assert_locked(guess_on_sign_in(PASSWORD))
    assert_locked(guess_on_allauth(thief, PASSWORD))
    assert_window_closed(thief)


def test_guesses_on_the_projects_confirmation_and_allauths_add_up(thief):
    for _ in range(3):
        assert_asked_again(guess_on_confirmation(thief))
    assert_asked_again(guess_on_allauth(thief))
    assert_locked(guess_on_allauth(thief))
    assert_locked(guess_on_allauth(thief, PASSWORD))
    assert_locked(guess_on_confirmation(thief, PASSWORD))
    assert_window_closed(thief)


def test_allauths_confirmation_alone_locks_like_the_sign_in_page(thief):
    answers = [guess_on_allauth(thief) for _ in range(LIMIT + 3)]
    for answer in answers[: LIMIT - 1]:
        assert_asked_again(answer)
    for answer in answers[LIMIT - 1 :]:
        assert_locked(answer)
    assert_locked(guess_on_sign_in(PASSWORD))


def test_the_second_factors_codes_are_limited_per_account(client, totp, clock):
    """Someone with the password cannot try the 10^6 codes: after 5 wrong ones in 5 minutes,
    not even the right code signs in, from this browser or another; then it does."""
    password_step(client)
    for _ in range(5):
        assert client.post(MFA, {"code": "000000"}).status_code == 200
    assert client.post(MFA, {"code": totp_code()}).status_code == 200  # refused, right code
    other = HttpsClient(REMOTE_ADDR="198.51.100.7")
    password_step(other)
    assert other.post(MFA, {"code": totp_code()}).status_code == 200
    assert not is_signed_in(client.get("/")) and not is_signed_in(other.get("/"))
    clock.shift(301)
    assert other.post(MFA, {"code": totp_code()}).status_code == 302
    assert is_signed_in(other.get("/"))
