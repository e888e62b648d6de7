"""The user's session list (ASVS 7.5.2), the registry's cost and its cleanup."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from session_security.models import Session, SessionRecord
from tests.conftest import HttpsClient, sign_in

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def test_the_list_shows_each_session_readably(user, engine, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    desktop = HttpsClient(
        HTTP_USER_AGENT=CHROME, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )
    phone = HttpsClient(
        HTTP_USER_AGENT=IPHONE, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    sign_in(desktop)
    sign_in(phone)
    page = desktop.get("/accounts/sessions/").text
    assert "Chrome 156 on Linux" in page
    assert "Mobile Safari 17 on iPhone" in page
    assert "203.0.113.5" in page and "198.51.100.7" in page
    assert "6.6.6.6" not in page  # the forged entry is not the client's address
    assert page.count("(this session)") == 1
    current_row = page.split("(this session)")[0].rsplit("<tr", 1)[1]
    assert "Chrome 156" in current_row


def test_the_list_shows_only_live_sessions_of_this_user(user, engine, django_user_model):
    django_user_model.objects.create_user(username="bob", password="irrelevant passphrase 1")
    mine = HttpsClient()
    sign_in(mine)
    other = HttpsClient()
    sign_in(other)
    other.post("/accounts/logout/")
    page = mine.get("/accounts/sessions/").text
    assert page.count('action="/accounts/sessions/') == 1 + 2  # one row + the two buttons


def test_registry_holds_no_session_keys(client, user, engine):
    sign_in(client)
    key = client.cookies["__Host-sessionid"].value
    row = SessionRecord.objects.values().get(user=user)
    assert key not in repr(row)


# Django's clearsessions runs the same cleanup, through the engine's ``clear_expired()``.
@pytest.mark.parametrize("command", ["clear_expired_sessions", "clearsessions"])
def test_clear_expired_sessions_deletes_exactly_the_expired(
    user, engine, django_user_model, command
):
    start = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        kept, ended, expired = HttpsClient(), HttpsClient(), HttpsClient()
        sign_in(expired)
        clock.shift(3600)
        sign_in(kept)
        sign_in(ended)
        ended.post("/accounts/logout/")
        clock.shift(86400 - 1800)  # the first sign-in is past its lifetime, the second is not
        before = set(SessionRecord.objects.values_list("pk", "end_reason"))
        assert len(before) == 3
        call_command(command)
        remaining = SessionRecord.objects.all()
        assert [r.end_reason for r in remaining] == [""]
        assert remaining[0].created_at == start + datetime.timedelta(seconds=3600)
        if engine in ("db", "cached_db"):  # the stored sessions too
            assert Session.objects.count() == 1
