"""Sign-in always issues a new key; sign-out kills the old one everywhere.

Each test runs on every engine and plays the attacker: it keeps a copy of a
cookie and shows the server refuses it once it should.
"""

import pytest
from django.conf import settings
from django.utils import timezone

from session_security.models import SessionRecord
from tests.conftest import (
    PASSWORD,
    assert_refused,
    is_signed_in,
    replay,
    session_cookie,
    sign_in,
)

pytestmark = pytest.mark.django_db


def test_sign_in_and_see_who_is_signed_in(client, user, engine):
    sign_in(client)
    response = client.get("/")
    assert is_signed_in(response)
    assert SessionRecord.objects.active(timezone.now()).filter(user=user).count() == 1


def test_wrong_password_stays_anonymous(client, user, engine):
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert_refused(client.get("/"))


@pytest.mark.parametrize("username", ["alice", "ALICE", "nobody"])
def test_a_refused_sign_in_says_one_clear_thing(client, user, username):
    page = client.post("/accounts/login/", {"username": username, "password": "wrong"}).text
    assert page.count('class="errorlist') == 1
    assert "Passwords are case-sensitive; usernames are not." in page
    assert "may be case-sensitive" not in page


@pytest.mark.parametrize(
    ("idle", "age", "said"),
    [(1800, 86400, ("30 minutes", "1 day")), (900, 5400, ("15 minutes", "1 hour, 30 minutes"))],
)
def test_the_home_page_states_the_timeouts_in_force(client, user, settings, idle, age, said):
    settings.SESSION_IDLE_TIMEOUT, settings.SESSION_COOKIE_AGE = idle, age
    sign_in(client)
    text = " ".join(client.get("/").text.split())
    assert f"after <strong>{said[0]}</strong> without activity" in text
    assert f"at the latest <strong>{said[1]}</strong> after you signed in" in text


def test_planted_key_never_becomes_authenticated(client, user, engine):
    """Session fixation: the attacker plants a key, the victim signs in with it."""
    client.get("/accounts/login/")
    client.session["planted"] = True  # an anonymous session exists...
    client.session.save()
    planted = session_cookie(client) or client.session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = planted
    sign_in(client)
    assert session_cookie(client) != planted
    assert_refused(replay(planted))


def test_signing_in_again_over_a_live_session_rotates_the_key(any_client, user, engine):
    """Django's login() keeps the key when the same user signs in again (ASVS 7.2.4)."""
    sign_in(any_client)
    first = session_cookie(any_client)
    sign_in(any_client)
    second = session_cookie(any_client)
    assert second and second != first
    assert is_signed_in(any_client.get("/"))
    assert_refused(replay(first))
    # The earlier session's registry row is over, the new one is live.
    assert SessionRecord.objects.active(timezone.now()).filter(user=user).count() == 1


def test_csrf_token_rotates_on_sign_in(client, user, engine):
    client.get("/accounts/login/")
    before = client.cookies[settings.CSRF_COOKIE_NAME].value
    sign_in(client)
    after = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert before != after


def test_logout_is_post_only(client, user, engine):
    sign_in(client)
    assert client.get("/accounts/logout/").status_code == 405
    assert is_signed_in(client.get("/"))


def test_logout_ends_the_session_for_a_captured_cookie(any_client, user, engine):
    sign_in(any_client)
    stolen = session_cookie(any_client)
    assert is_signed_in(replay(stolen))  # the copy works while the session lives
    response = any_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert_refused(replay(stolen))
    assert_refused(any_client.get("/"))
    record = SessionRecord.objects.get(user=user)
    assert record.end_reason == "logout"


def test_authenticated_pages_are_not_stored(any_client, user, engine):
    sign_in(any_client)
    response = any_client.get("/")
    # The home view has no cache decorator of its own: this is the middleware.
    assert "no-store" in response["Cache-Control"]


def test_logout_link_on_every_authenticated_page(client, user, engine):
    """ASVS 7.4.4: a visible sign-out on each authenticated page."""
    sign_in(client)
    for path in ("/", "/accounts/password/"):
        response = client.get(path)
        assert response.status_code == 200
        assert 'action="/accounts/logout/"' in response.text


def test_real_argon2_login_works(client, user, engine, settings):
    """The test settings hash with MD5 for speed; production hashes with Argon2."""
    from config import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user.set_password(PASSWORD)
    user.save()
    assert user.password.startswith("argon2")
    sign_in(client)
    assert is_signed_in(client.get("/"))


def test_session_keys_are_long_random_tokens(client, user, engine):
    """ASVS 7.2.3: store keys are 32 characters of [a-z0-9] from a CSPRNG (~165 bits)."""
    keys = set()
    for _ in range(5):
        sign_in(client)
        keys.add(session_cookie(client))
        client.post("/accounts/logout/")
    assert len(keys) == 5
    if engine != "signed_cookies":
        assert all(len(key) == 32 and key.isalnum() and key == key.lower() for key in keys)
