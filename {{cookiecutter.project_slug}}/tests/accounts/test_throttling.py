"""Login throttling (ASVS 6.3.1): django-axes locks a username *and* address pair.

After ``AXES_FAILURE_LIMIT`` failures for one username from one client
address, that pair gets a 429 page (even with the right password) until the
cool-off has passed; the same user elsewhere and other users at that address
sign in as usual. The username is counted case-folded and stripped, and the
address is the one read through the trusted proxies, so neither a changed
spelling nor a forged ``X-Forwarded-For`` entry dodges the lock or moves it
onto someone else.
"""

import datetime
import io
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from accounts.throttling import normalise, normalised_username
from tests.config.test_settings import PRODUCTION, load
from tests.conftest import PASSWORD, AsgiHttpsClient, HttpsClient, is_signed_in

pytestmark = pytest.mark.django_db

LIMIT = 5
WRONG = "wrong password"
COOL_OFF = 900
HERE = "203.0.113.10"
ELSEWHERE = "198.51.100.20"
PROXY = "10.0.0.1"
START = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def throttling(settings):
    """The baked defaults, stated here so the counts below are explicit."""
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=COOL_OFF)


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user(username="bob", password=PASSWORD)


def at(address, **headers):
    return HttpsClient(REMOTE_ADDR=address, **headers)


class AsgiClientAt(AsgiHttpsClient):
    """An ASGI client connecting from ``address`` (the scope's ``client``)."""

    def __init__(self, address, forwarded_for=None):
        super().__init__()
        self.address, self.forwarded_for = address, forwarded_for

    def generic(self, *args, **kwargs):
        if self.forwarded_for:
            kwargs["headers"] = {
                **(kwargs.get("headers") or {}),
                "X-Forwarded-For": self.forwarded_for,
            }
        return super().generic(*args, **kwargs)

    def _base_scope(self, **request):
        return {**super()._base_scope(**request), "client": [self.address, 50000]}


@pytest.fixture(params=["wsgi", "asgi"])
def client_at(request):
    """``client_at(address, forwarded_for=None)`` under each handler: the
    middleware (axes' included) runs its sync path under WSGI and its async
    one under ASGI (uvicorn)."""

    def make(address, forwarded_for=None):
        if request.param == "asgi":
            return AsgiClientAt(address, forwarded_for)
        headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
        return HttpsClient(REMOTE_ADDR=address, **headers)

    return make


def attempt(client, username="alice", password=WRONG):
    return client.post("/accounts/login/", {"username": username, "password": password})


def fail(client, times=LIMIT, username="alice"):
    """``times`` wrong passwords; returns the last response."""
    for _ in range(times):
        response = attempt(client, username)
    return response


def assert_locked(response):
    assert response.status_code == 429, response.status_code
    assert "Too many sign-in attempts" in response.text


def assert_signs_in(client, username="alice", typed=None):
    response = attempt(client, typed or username, PASSWORD)
    assert response.status_code == 302, response.status_code
    assert is_signed_in(client.get("/"), username)


def assert_not_signed_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- The pair lock ---------------------------------------------------------


def test_failures_below_the_limit_show_the_form_again(user):
    client = at(HERE)
    for _ in range(LIMIT - 1):
        response = attempt(client)
        assert response.status_code == 200
        assert "didn&#x27;t match" in response.text or "didn't match" in response.text
    assert_signs_in(client)


def test_the_limit_locks_the_pair_even_for_the_right_password(user, client_at):
    client = client_at(HERE)
    assert_locked(fail(client))
    assert_locked(attempt(client, password=PASSWORD))
    assert_not_signed_in(client)


def test_the_same_user_elsewhere_still_signs_in(user, client_at):
    """Guessing alice's password from one address cannot lock alice out elsewhere."""
    attacker = client_at(HERE)
    assert_locked(fail(attacker, LIMIT * 4))
    assert_signs_in(client_at(ELSEWHERE))
    # ... and her success there does not lift the attacker's lock.
    assert_locked(attempt(attacker, password=PASSWORD))


def test_another_user_at_the_locked_address_still_signs_in(user, bob, client_at):
    client = client_at(HERE)
    assert_locked(fail(client))
    assert_signs_in(client_at(HERE), "bob")


def test_unknown_usernames_are_locked_the_same_way(user):
    """The lock page says nothing about whether the account exists."""
    with time_machine.travel(START, tick=False):
        known = fail(at(HERE), username="alice")
        unknown = fail(at(HERE), username="nobody")
    assert_locked(known)
    assert_locked(unknown)
    assert known.content == unknown.content


{% if cookiecutter.allauth == "yes" %}def test_the_admin_login_checks_no_password(user):
    """It sends to the sign-in page (and its second factor): nothing to guess there."""
    client = at(HERE)
    for _ in range(LIMIT):
        response = client.post(
            "/admin/login/", {"username": "alice", "password": "wrong", "next": "/admin/"}
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert attempt(client, password=PASSWORD).status_code == 302  # nothing was counted
{% else %}def test_the_admin_login_is_throttled_too(user):
    client = at(HERE)
    for _ in range(LIMIT):
        response = client.post(
            "/admin/login/", {"username": "alice", "password": "wrong", "next": "/admin/"}
        )
    assert_locked(response)
    assert_locked(attempt(client, password=PASSWORD))
{% endif %}

# --- The lockout page --------------------------------------------------------


def test_lockout_page_says_when_to_try_again(user, client_at):
    with time_machine.travel(START, tick=False):
        response = fail(client_at(HERE))
    assert response.status_code == 429
    text = re.sub(r"\s+", " ", response.text)
    assert "Please wait 15 minutes and try again (after 09:15 UTC)" in text
    assert response["Retry-After"] == str(COOL_OFF + 1)
    assert "no-store" in response["Cache-Control"]
    rendered = {template.name for template in response.templates}
    assert {"accounts/lockout.html", "base.html"} <= rendered


def test_lockout_page_passes_the_strict_csp(user):
    response = fail(at(HERE))
    assert response.status_code == 429
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    body = response.text.lower()
    assert "<script" not in body and "<style" not in body and " style=" not in body
    assert not re.search(r"<[^>]*\son\w+\s*=", body)  # no inline event handlers


def test_lockout_page_wording_follows_the_cool_off(user, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=45)
    with time_machine.travel(START + datetime.timedelta(seconds=20), tick=False):
        response = fail(at(HERE))
    text = re.sub(r"\s+", " ", response.text)
    # 09:01:05 is shown as the next whole minute, never earlier than the real end.
    assert "Please wait 45 seconds and try again (after 09:02 UTC)" in text
    assert response["Retry-After"] == "46"


# --- Spelling of the username ------------------------------------------------

VARIANTS = ["ALICE", " alice ", "Alice\t", "aLiCe", "\u00a0alice", "ａｌｉｃｅ"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_changed_spelling_counts_against_the_same_lock(user, variant):
    client = at(HERE)
    fail(client, LIMIT - 1)
    assert_locked(attempt(client, variant))
    assert_locked(attempt(client, "alice", PASSWORD))


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_changed_spelling_cannot_dodge_an_existing_lock(user, variant):
    client = at(HERE)
    fail(client)
    assert_locked(attempt(client, variant, PASSWORD))
    assert_not_signed_in(client)


def test_failures_under_mixed_spellings_add_up(user):
    client = at(HERE)
    for variant in VARIANTS[: LIMIT - 1]:
        assert attempt(client, variant).status_code == 200
    assert_locked(attempt(client, VARIANTS[LIMIT - 1]))


def test_sign_in_with_surrounding_spaces_works(user):
    """Django's login form strips the username before checking the password."""
    assert_signs_in(at(HERE), "alice", typed=" alice ")
    assert AccessAttempt.objects.count() == 0


def test_any_case_signs_in_and_any_case_is_counted_against_the_same_pair(user):
    """Usernames ignore case (tests/accounts/test_usernames.py): "ALICE" with a wrong
    password is a failure counted against alice, and with the right one signs
    in as alice, clearing the pair's count."""
    client = at(HERE)
    assert attempt(client, "ALICE", WRONG).status_code == 200
    attempt_row = AccessAttempt.objects.get()
    assert (attempt_row.username, attempt_row.failures_since_start) == ("alice", 1)
    assert_signs_in(client, typed="ALICE")
    assert not AccessAttempt.objects.exists()


def test_a_name_that_grows_when_case_folded_is_still_counted(user):
    """Case folding turns "ß" into "ss": 150 of them (the form's maximum) become 300
    characters, wider than axes' column, which PostgreSQL would refuse."""
    client = at(HERE)
    assert_locked(fail(client, username="ß" * 150))
    assert AccessAttempt.objects.get().username == "s" * 255


def test_the_normaliser():
    assert normalise(" Alice\t") == "alice"
    assert normalise("ＡＬＩＣＥ") == "alice"  # fullwidth letters, folded by NFKC
    assert normalise("Straße") == "strasse"
    assert len(normalise("ß" * 200)) == 255  # axes' column width
    assert normalised_username(None, {"username": " BOB "}) == "bob"
    assert normalised_username(None, {"password": "x"}) is None


# --- Behind a trusted proxy ----------------------------------------------------


@pytest.fixture
def through_proxy(settings, client_at):
    """``through_proxy(forwarded_for)``: a client behind our one trusted proxy."""
    settings.TRUSTED_PROXY_COUNT = 1
    return lambda forwarded_for: client_at(PROXY, forwarded_for)


def test_behind_a_proxy_the_lock_follows_the_client_address(user, through_proxy):
    assert_locked(fail(through_proxy(HERE)))
    # Every client shares the proxy's REMOTE_ADDR; only the one that failed is locked.
    assert_signs_in(through_proxy(ELSEWHERE))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HERE}


def test_forging_the_leftmost_entry_cannot_unlock(user, through_proxy):
    assert_locked(fail(through_proxy(HERE)))
    # The client claims to be elsewhere; the proxy appends the real address.
    forged = through_proxy(f"{ELSEWHERE}, {HERE}")
    assert_locked(attempt(forged, password=PASSWORD))
    assert_not_signed_in(forged)


def test_forging_the_leftmost_entry_cannot_lock_out_another_address(user, through_proxy):
    attacker = through_proxy(f"{ELSEWHERE}, {HERE}")
    assert_locked(fail(attacker))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HERE}
    assert_signs_in(through_proxy(ELSEWHERE))


def test_without_trusted_proxies_forwarded_for_is_ignored(user, client_at):
    attacker = client_at(HERE, forwarded_for=ELSEWHERE)
    assert_locked(fail(attacker))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HERE}
    assert_signs_in(client_at(ELSEWHERE))


# --- Cool-off and reset ------------------------------------------------------


def test_the_lock_ends_after_the_cool_off(user):
    client = at(HERE)
    with time_machine.travel(START, tick=False) as clock:
        assert_locked(fail(client))
        clock.shift(COOL_OFF + 1)
        assert_signs_in(client)


def test_the_lock_holds_through_the_cool_off(user):
    client = at(HERE)
    with time_machine.travel(START, tick=False) as clock:
        assert_locked(fail(client))
        clock.shift(COOL_OFF - 1)
        assert_locked(attempt(client, password=PASSWORD))


def test_an_attempt_while_locked_restarts_the_cool_off(user):
    """AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT: hammering keeps the pair locked."""
    client = at(HERE)
    with time_machine.travel(START, tick=False) as clock:
        assert_locked(fail(client))
        clock.shift(COOL_OFF - 60)
        assert_locked(attempt(client, password=PASSWORD))
        clock.shift(120)  # past the first cool-off, inside the restarted one
        assert_locked(attempt(client, password=PASSWORD))
        clock.shift(COOL_OFF + 1)
        assert_signs_in(client)


def test_a_successful_sign_in_resets_the_pairs_failures(user):
    """AXES_RESET_ON_SUCCESS: the count starts again after a sign-in."""
    client = at(HERE)
    fail(client, LIMIT - 1)
    assert_signs_in(client)
    assert not AccessAttempt.objects.filter(username="alice", ip_address=HERE).exists()
    client.post("/accounts/logout/")
    assert fail(client, LIMIT - 1).status_code == 200
    assert_locked(attempt(client))


def test_a_sign_in_elsewhere_resets_only_that_pair(user):
    fail(at(HERE), LIMIT - 1)
    assert_signs_in(at(ELSEWHERE))
    assert_locked(attempt(at(HERE)))


def test_an_operator_can_lift_a_lock(user):
    """Usernames are stored as the lock counts them: lower case, stripped."""
    client = at(HERE)
    assert_locked(fail(client, username=" ALICE "))
    call_command("axes_reset_username", "alice", stdout=io.StringIO())
    assert_signs_in(client)


def test_stored_attempts_hold_no_secrets(user):
    token = "csrf-token-value-123"
    data = {"username": "alice", "password": "hunter2-guess", "csrfmiddlewaretoken": token}
    at(HERE).post("/accounts/login/?next=/", data)
    stored = AccessAttempt.objects.get()
    assert "hunter2-guess" not in stored.post_data
    assert token not in stored.post_data
    assert "csrfmiddlewaretoken=****" in stored.post_data


# --- Configuration -------------------------------------------------------------


def test_axes_is_wired_in_as_its_documentation_asks(settings):
    assert "axes" in settings.INSTALLED_APPS
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True


def test_axes_checks_pass_with_the_deployment_checks():
    messages = checks.run_checks(include_deployment_checks=True)
    assert not [m for m in messages if m.id.startswith("axes")], messages


def test_axes_migrations_are_complete():
    call_command("makemigrations", "axes", "--check", "--dry-run", verbosity=0)


def test_defaults_from_the_environment(monkeypatch):
    s = load(monkeypatch, **PRODUCTION)
    assert s["AXES_FAILURE_LIMIT"] == 5
    assert s["AXES_COOLOFF_TIME"] == datetime.timedelta(seconds=900)


def test_values_from_the_environment(monkeypatch):
    s = load(monkeypatch, **PRODUCTION, DJANGO_LOGIN_FAILURE_LIMIT="10", DJANGO_LOGIN_COOL_OFF="60")
    assert s["AXES_FAILURE_LIMIT"] == 10
    assert s["AXES_COOLOFF_TIME"] == datetime.timedelta(seconds=60)


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"DJANGO_LOGIN_FAILURE_LIMIT": "many"}, "DJANGO_LOGIN_FAILURE_LIMIT='many'"),
        ({"DJANGO_LOGIN_FAILURE_LIMIT": "0"}, "DJANGO_LOGIN_FAILURE_LIMIT='0' is not allowed"),
        ({"DJANGO_LOGIN_COOL_OFF": "15m"}, "DJANGO_LOGIN_COOL_OFF='15m' is not allowed"),
        ({"DJANGO_LOGIN_COOL_OFF": "0"}, "DJANGO_LOGIN_COOL_OFF='0' is not allowed"),
    ],
)
def test_a_wrong_value_stops_start_up_naming_it(monkeypatch, environment, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load(monkeypatch, **(PRODUCTION | environment))


# --- Password re-entry: sudo mode and password change ------------------------


def test_guessing_on_the_confirm_password_page_is_throttled(user):
    """A stolen session cannot guess the password on the sudo-mode page instead."""
    thief = at(HERE)
    assert_signs_in(thief)
    for _ in range(LIMIT):
        response = thief.post("/accounts/confirm-password/", {"password": WRONG})
    assert_locked(response)
    assert_locked(thief.post("/accounts/confirm-password/", {"password": PASSWORD}))
    assert_locked(attempt(at(HERE), password=PASSWORD))
    assert_signs_in(at(ELSEWHERE))


def test_guessing_the_old_password_on_the_change_form_is_throttled(user):
    client = at(HERE)
    assert_signs_in(client)  # within the re-authentication window
    new = "a brand new passphrase 7"
    data = {"old_password": WRONG, "new_password1": new, "new_password2": new}
    for _ in range(LIMIT):
        response = client.post("/accounts/password/", data)
    assert_locked(response)
    assert_locked(client.post("/accounts/password/", {**data, "old_password": PASSWORD}))
