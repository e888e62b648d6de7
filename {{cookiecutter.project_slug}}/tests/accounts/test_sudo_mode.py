"""Sudo mode (ASVS 7.5.1): the password again before sensitive changes, asked once.

An action posted outside ``SESSION_REAUTH_WINDOW`` gets the confirmation form in place, posting
back to the action, which is carried out once the password is right. Seen from the owner's side
and the thief's, who holds a copy of a cookie (``stolen``) signed in more than the window ago.
"""

import datetime
from urllib.parse import unquote

import pytest
import time_machine
from django.utils import timezone

from accounts.confirmation import confirm_action
from session_security.models import SessionRecord
from tests.conftest import (
    PASSWORD,
    HttpsClient,
    assert_refused,
    is_signed_in,
    replay,
    session_cookie,
    sign_in,
)

pytestmark = pytest.mark.django_db

WINDOW = 600
ACTIONS = ["end_one", "end_others", "end_everywhere"]


@pytest.fixture
def victim(client, user, engine, settings):
    """The user signed in on two devices; the thief copied the laptop's cookie."""
    settings.SESSION_REAUTH_WINDOW = WINDOW
    sign_in(client)
    laptop = HttpsClient()
    sign_in(laptop)
    return {"phone": client, "laptop": laptop, "stolen": session_cookie(laptop)}


@pytest.fixture
def later():
    """Past the window (the idle timeout is longer)."""
    moment = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=WINDOW + 1)
    with time_machine.travel(moment, tick=False):
        yield


def live(user):
    return SessionRecord.objects.active(timezone.now()).filter(user=user)


def action_path(action, user, target="laptop"):
    """The action's URL; ``end_one`` ends the laptop's row (or the phone's)."""
    rows = live(user).order_by("created_at")
    row = rows.last() if target == "laptop" else rows.first()
    return {
        "end_one": f"/accounts/sessions/{row.pk}/end/",
        "end_others": "/accounts/sessions/end-others/",
        "end_everywhere": "/accounts/sessions/end-everywhere/",
    }[action]


def assert_asks_for_the_password(response, path):
    assert response.status_code == 200
    assert f'action="{path}"' in response.text  # posts back to the action itself
    assert 'name="confirm-password"' in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text


@pytest.mark.parametrize("action", ACTIONS)
def test_after_the_window_the_action_is_carried_out_once_the_password_is_confirmed(
    victim, user, action, later
):
    phone = victim["phone"]
    path = action_path(action, user)
    assert is_signed_in(phone.get("/"))
    asked = phone.post(path)
    assert_asks_for_the_password(asked, path)
    assert is_signed_in(replay(victim["stolen"]))  # nothing ended yet
    wrong = phone.post(path, {"confirm-password": "nope"})
    assert_asks_for_the_password(wrong, path)
    assert "That is not your password." in wrong.text
    assert live(user).count() == 2

    done = phone.post(path, {"confirm-password": PASSWORD})

    assert done.status_code == 302
    assert_refused(replay(victim["stolen"]))
    if action == "end_everywhere":
        # There, or through a redirect that goes there next (its ``next``, quoted).
        assert unquote(done["Location"]).endswith("/accounts/signed-out-everywhere/")
        assert not live(user).exists()
    else:
        assert done["Location"] == "/accounts/sessions/"
        page = phone.get("/accounts/sessions/")
        assert is_signed_in(page)
        assert "Signed out " in page.text
        assert live(user).count() == 1
        # The password is fresh now: the next action is not asked for it again.
        assert phone.post("/accounts/sessions/end-others/").status_code == 302


@pytest.mark.parametrize("action", ["end_one", "end_everywhere"])
def test_a_thief_with_an_old_session_cannot_end_the_owners_sessions(
    victim, user, action, later, settings
):
    thief = HttpsClient()
    thief.cookies[settings.SESSION_COOKIE_NAME] = victim["stolen"]
    path = action_path(action, user, target="phone")
    assert is_signed_in(thief.get("/"))  # the stolen session still browses
    assert_asks_for_the_password(thief.post(path), path)
    assert_asks_for_the_password(thief.post(path, {"confirm-password": "a guess"}), path)
    assert is_signed_in(victim["phone"].get("/"))  # nothing ended
    assert live(user).count() == 2
    user.refresh_from_db()
    assert user.session_epoch == 0


def test_guessing_on_the_form_in_place_is_throttled(victim, user, later, settings):
    """Each wrong password counts as a failed sign-in: the thief is locked out, nothing ends."""
    settings.AXES_FAILURE_LIMIT = 3
    thief = HttpsClient()
    thief.cookies[settings.SESSION_COOKIE_NAME] = victim["stolen"]
    path = action_path("end_everywhere", user)
    answers = [thief.post(path, {"confirm-password": f"guess {n}"}) for n in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert thief.post(path, {"confirm-password": PASSWORD}).status_code == 429
    assert is_signed_in(victim["phone"].get("/"))
    assert live(user).count() == 2


def test_the_confirmation_in_place_needs_the_csrf_token(victim, user, later):
    phone = HttpsClient(enforce_csrf_checks=True)
    phone.cookies = victim["phone"].cookies
    path = action_path("end_everywhere", user)
    response = phone.post(path, {"confirm-password": PASSWORD})
    assert response.status_code == 403
    assert is_signed_in(replay(victim["stolen"]))
    assert live(user).count() == 2


def test_the_form_in_place_carries_the_actions_own_fields(user, rf):
    request = rf.post("/somewhere/?page=2", {"choice": ["a", "b"], "csrfmiddlewaretoken": "t"})
    request.user, request.resolver_match = user, None
    page = confirm_action(request, action=lambda: pytest.fail("not confirmed yet")).content
    assert b'action="/somewhere/?page=2"' in page
    assert b'name="choice" value="a"' in page and b'name="choice" value="b"' in page
    assert b'value="t"' not in page  # the CSRF token is the page's own


# --- The confirmation page, for pages (GET) ---------------------------------


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "http://testserver/", "/\\evil.example"]
)
def test_the_confirmation_page_never_sends_off_site(client, user, target):
    sign_in(client)
    response = client.post("/accounts/confirm-password/", {"password": PASSWORD, "next": target})
    assert response["Location"] == "/accounts/sessions/"


@pytest.mark.parametrize("action", ACTIONS)
def test_a_next_to_an_action_is_never_carried_out_as_a_get(victim, user, action, later):
    """A link to the page with ``next`` set to an action: confirming does not end anything."""
    phone = victim["phone"]
    path = action_path(action, user)
    confirmed = phone.post("/accounts/confirm-password/", {"password": PASSWORD, "next": path})
    assert confirmed["Location"] == path  # this site's own URL: followed, as a GET
    assert phone.get(path).status_code == 405
    assert is_signed_in(replay(victim["stolen"]))
    assert is_signed_in(phone.get("/"))
    assert live(user).count() == 2


# --- The password change: the current password, once ------------------------


def test_the_password_change_asks_for_the_password_once(victim, user, later):
    phone = victim["phone"]
    page = phone.get("/accounts/password/")
    assert page.status_code == 200  # no detour through the confirmation page
    assert page.text.count('type="password"') == 3  # current, new, new again
    new = "a brand new passphrase 7"
    data = {"old_password": "a guess", "new_password1": new, "new_password2": new}
    data["end_other_sessions"] = "on"
    refused = phone.post("/accounts/password/", data)
    assert refused.status_code == 200
    assert "Your old password was entered incorrectly" in refused.text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert is_signed_in(replay(victim["stolen"]))

    done = phone.post("/accounts/password/", {**data, "old_password": PASSWORD})

    assert done["Location"] == "/"
    user.refresh_from_db()
    assert user.check_password(new)
    assert_refused(replay(victim["stolen"]))
    # Proving the password counts as re-authentication: ending sessions asks nothing more.
    assert phone.post("/accounts/sessions/end-others/")["Location"] == "/accounts/sessions/"
