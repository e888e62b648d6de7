"""Rotating ``DJANGO_SECRET_KEY``: move the old key to the fallbacks, then retire it.

While the old key is listed in ``DJANGO_SECRET_KEY_FALLBACKS`` every signed-in
user keeps working, and the first request re-signs the session under the new
key (Django's session hash check re-keys it; a signed cookie is re-issued).
Once the old key is gone, a session signed only with it is refused: the user
is sent to the login page (never a 500).

What the key signs differs by engine: the cookie itself (``signed_cookies``),
the stored data (``db``, ``cached_db``) and, on every engine, the session's
authentication hash, which is all there is for ``cache``.
"""

import io
from importlib import import_module

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.core import signing
from django.core.management import call_command
from django.utils import timezone

from session_security.models import SessionRecord
from tests.conftest import (
    HttpsClient,
    assert_refused,
    is_signed_in,
    replay,
    session_cookie,
    sign_in,
)
from tests.fixtures.servers import AppServer, Browser, replay_on, running

OLD_KEY = "old-key-" + "o1" * 28
NEW_KEY = "new-key-" + "n2" * 28
SIGNED_COOKIE_SALT = "django.contrib.sessions.backends.signed_cookies"


def signed_with(cookie, key):
    """Whether a signed-cookie session verifies with ``key`` alone."""
    try:
        signing.loads(
            cookie,
            key=key,
            fallback_keys=[],
            salt=SIGNED_COOKIE_SALT,
            serializer=signing.JSONSerializer,
        )
    except signing.BadSignature:
        return False
    return True


def stored_session(settings, cookie):
    """The session data the store holds for ``cookie``, read with the current keys."""
    return import_module(settings.SESSION_ENGINE).SessionStore(cookie).load()


@pytest.fixture
def old_key(settings):
    settings.SECRET_KEY = OLD_KEY
    settings.SECRET_KEY_FALLBACKS = []


def deploy(settings, key, *fallbacks):
    settings.SECRET_KEY = key
    settings.SECRET_KEY_FALLBACKS = list(fallbacks)


@pytest.mark.django_db
def test_the_old_key_as_fallback_keeps_sessions_and_re_signs_them(
    engine, old_key, settings, client, user
):
    sign_in(client)
    before = session_cookie(client)

    deploy(settings, NEW_KEY, OLD_KEY)
    assert is_signed_in(client.get("/"))
    after = session_cookie(client)
    assert after and after != before  # re-keyed, and re-issued to the browser
    if engine == "signed_cookies":
        assert signed_with(before, OLD_KEY) and not signed_with(before, NEW_KEY)
        assert signed_with(after, NEW_KEY)

    # Retire the old key: the re-signed session needs only the new one, and its
    # row says so (it stays in the session list).
    deploy(settings, NEW_KEY)
    assert SessionRecord.objects.active(timezone.now()).filter(user=user).count() == 1
    data = stored_session(settings, after)
    assert data[HASH_SESSION_KEY] == user.get_session_auth_hash()
    assert is_signed_in(client.get("/"))


@pytest.mark.django_db
def test_a_session_signed_only_with_a_retired_key_is_refused(
    engine, old_key, settings, client, user
):
    sign_in(client)
    cookie = session_cookie(client)

    deploy(settings, NEW_KEY)
    assert_refused(client.get("/"))
    # The row ends when the refusal is first seen, so the session list no
    # longer shows a session that cannot be used.
    record = SessionRecord.objects.get(user=user)
    assert (record.ended_at is not None, record.end_reason) == (True, "secret_key_retired")
    assert not SessionRecord.objects.active(timezone.now()).exists()
    assert_refused(client.get("/"))  # for good, not once
    assert_refused(replay(cookie))  # and a kept copy fares no better

    # Listing the old key again would have kept it: the key is what refused it.
    other = HttpsClient()
    deploy(settings, OLD_KEY)
    sign_in(other)
    deploy(settings, NEW_KEY, OLD_KEY)
    assert is_signed_in(other.get("/"))


@pytest.mark.standalone  # on signed_cookies, whatever the bake's engine
def test_rotating_the_key_across_restarts(app_env):
    """Three deployments of one project: the old key; the new key with the
    old one as fallback; the new key alone. One user stays active through the
    rotation, another signed in before it and comes back after it.

    On ``signed_cookies``, where the cookie itself carries the signature; the
    other engines are covered in-process above.
    """
    engine = "signed_cookies"
    before = AppServer(app_env(engine, DJANGO_SECRET_KEY=OLD_KEY))
    during = AppServer(
        app_env(engine, DJANGO_SECRET_KEY=NEW_KEY, DJANGO_SECRET_KEY_FALLBACKS=OLD_KEY)
    )
    after = AppServer(app_env(engine, DJANGO_SECRET_KEY=NEW_KEY))
    with running(before, during, after), Browser() as active, Browser() as away:
        active.sign_in(before)
        away.sign_in(before)
        first_cookie, away_cookie = active.session_cookie, away.session_cookie
        assert signed_with(first_cookie, OLD_KEY)

        # During the rotation: still signed in, and the cookie is re-issued
        # under the new key.
        assert active.whoami(during) == "alice"
        assert active.session_cookie != first_cookie
        assert signed_with(active.session_cookie, NEW_KEY)

        # After it: the re-signed session lives on; one signed only with the
        # retired key is refused (it was still good while the key was listed).
        assert active.whoami(after) == "alice"
        assert replay_on(during, away_cookie) == "alice"
        assert away.whoami(after) is None
        assert replay_on(after, away_cookie) is None


@pytest.mark.django_db
def test_rows_of_sessions_never_seen_again_end_at_the_next_cleanup(engine, old_key, settings, user):
    away = HttpsClient()
    sign_in(away)
    deploy(settings, NEW_KEY)
    assert not SessionRecord.objects.active(timezone.now()).exists()  # gone from the list at once
    out = io.StringIO()
    call_command("clear_expired_sessions", stdout=out)
    assert "Ended 1 session(s) signed with a retired secret key." in out.getvalue()
    assert not SessionRecord.objects.exists()  # ended, then deleted with the ended ones


@pytest.mark.django_db
def test_a_forged_cookie_cannot_end_someone_elses_session(engine, settings, user):
    """The id read from data that fails its signature proves nothing: only a row
    signed with a retired key (dead anyway) may be ended on its word."""
    victim = HttpsClient()
    sign_in(victim)
    record = SessionRecord.objects.get(user=user)
    forged = signing.dumps(
        {"_ss_record": str(record.pk)}, key="not-our-key", salt=SIGNED_COOKIE_SALT, compress=True
    )
    replay(forged)
    record.refresh_from_db()
    assert record.ended_at is None
    assert is_signed_in(victim.get("/"))
