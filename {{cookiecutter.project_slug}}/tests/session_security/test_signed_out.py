"""Why a browser was signed out: one line on the login page, and nothing more for a stale cookie.

The response that drops an ended session's cookie sets ``__Host-signed_out`` (a timeout, or
"ended"); the login page says it once and drops it. The attacker replays a copy of the cookie
(``stolen``) after the session ended: every deliberate way of ending it reads the same.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from session_security import signed_out
from session_security.models import SessionRecord
from session_security.registry import revocation
from tests.conftest import PASSWORD, HttpsClient, is_signed_in, session_cookie, sign_in

pytestmark = pytest.mark.django_db

IDLE_LINE = "You were signed out after 10 minutes without activity."
LIFETIME_LINE = "You were signed out: a session lasts at most 1 hour after signing in."
ENDED_LINE = "this session was ended on purpose"
CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def timeouts(settings):
    settings.SESSION_COOKIE_AGE = 3600
    settings.SESSION_IDLE_TIMEOUT = 600
    settings.SESSION_ROTATION_INTERVAL = 0
    settings.SESSION_REAUTH_WINDOW = 600


def signed_in_twice(clock):
    """Signed in on a phone, then a second later on a laptop, whose cookie the attacker copied."""
    phone, laptop = HttpsClient(), HttpsClient()
    sign_in(phone)
    clock.shift(1)
    sign_in(laptop)
    return {"phone": phone, "laptop": laptop, "stolen": session_cookie(laptop)}


def the_laptops_row(user):
    return SessionRecord.objects.filter(user=user).order_by("created_at").last()


def change_password(victim, user):
    new = "a brand new passphrase 7"
    data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    victim["phone"].post("/accounts/password/", {**data, "end_other_sessions": "on"})


# Every deliberate way the laptop's session ends (the last: the replay itself ends it).
WAYS = {
    "ended from the list": lambda v, u: v["phone"].post(
        f"/accounts/sessions/{the_laptops_row(u).pk}/end/"
    ),
    "others ended": lambda v, u: v["phone"].post("/accounts/sessions/end-others/"),
    "signed out everywhere": lambda v, u: v["phone"].post("/accounts/sessions/end-everywhere/"),
    "password changed": change_password,
    "ended by an administrator": lambda v, u: revocation.end_session(
        the_laptops_row(u), "ended_by_admin", timezone.now()
    ),
    "signed out there": lambda v, u: v["laptop"].post("/accounts/logout/"),
    "deactivated": lambda v, u: setattr(u, "is_active", False) or u.save(),
    "address changed": lambda v, u: None,  # the replay comes from elsewhere (binding enforced)
}


def replayed(stolen, path="/accounts/sessions/", address="127.0.0.1"):
    """The attacker's replay, followed to the login page: all that it learns."""
    attacker = HttpsClient(REMOTE_ADDR=address)
    attacker.cookies["__Host-sessionid"] = stolen
    first = attacker.get(path)
    page = attacker.get(first["Location"])
    notice = first.cookies.get(signed_out.COOKIE)
    return {
        "status": first.status_code,
        "location": first["Location"],
        "headers": sorted(name for name in first.headers if name != "Date"),
        "notice": notice and (notice.value, notice["max-age"], notice["samesite"]),
        "notice_flags": notice and (notice["secure"], notice["httponly"], notice["path"]),
        "page": CSRF_VALUE.sub("", page.text),
        "page_drops_the_notice": signed_out.COOKIE in page.cookies
        and page.cookies[signed_out.COOKIE]["max-age"] == 0,
    }


def test_a_stale_cookie_learns_only_that_its_session_ended(user, engine, timeouts, clock, settings):
    seen = {}
    for way, end_it in WAYS.items():
        settings.SESSION_BIND_IP = "enforce" if way == "address changed" else "off"
        victim = signed_in_twice(clock)
        end_it(victim, user)
        seen[way] = replayed(victim["stolen"], address="203.0.113.9")
        user.is_active = True
        user.set_password(PASSWORD)
        user.save()

    first = seen["ended from the list"]
    assert first["status"] == 302
    assert first["location"] == "/accounts/login/?next=/accounts/sessions/"  # no reason in it
    assert first["notice"] == ("ended", 60, settings.SESSION_COOKIE_SAMESITE)
    assert first["notice_flags"] == (True, True, "/")
    assert ENDED_LINE in first["page"]
    assert first["page_drops_the_notice"]
    # Every way reads the same, byte for byte (but the CSRF token).
    differ = {way: r for way, r in seen.items() if r != first and way != "signed out there"}
    assert differ == {}
    # A sign-out deleted the stored session: its cookie reads as one this site never issued.
    never_issued = replayed("k" * 32, address="203.0.113.9")
    assert never_issued["notice"] is None and ENDED_LINE not in never_issued["page"]
    assert seen["signed out there"] == (first if engine == "signed_cookies" else never_issued)


def test_an_ended_session_past_its_idle_time_reads_as_a_timeout(user, engine, timeouts, clock):
    """Whether somebody ended it, or nobody used it, the clock alone is told."""
    victim = signed_in_twice(clock)
    WAYS["ended from the list"](victim, user)
    clock.shift(601)
    ended_then_idle = replayed(victim["stolen"])
    untouched = HttpsClient()
    sign_in(untouched)
    stolen = session_cookie(untouched)
    clock.shift(601)
    idle = replayed(stolen)
    assert ended_then_idle["notice"][0] == idle["notice"][0] == "idle_timeout"
    assert ended_then_idle["page"] == idle["page"]
    assert IDLE_LINE in idle["page"]


# (requests every 500 s, then a last pause): idle, or busy until the absolute end.
@pytest.mark.parametrize(("busy", "pause", "line"), [(0, 601, IDLE_LINE), (7, 100, LIFETIME_LINE)])
def test_each_timeout_is_said_once_to_that_browser(
    any_client, user, engine, timeouts, clock, busy, pause, line
):
    sign_in(any_client)
    for _ in range(busy):
        clock.shift(500)
        assert is_signed_in(any_client.get("/"))
    clock.shift(pause)
    sent = any_client.get("/")
    assert sent["Location"] == "/accounts/login/?next=/"
    with CaptureQueriesContext(connection) as queries:
        page = any_client.get(sent["Location"])
    assert line in page.text
    assert not [q for q in queries if not q["sql"].startswith("SELECT")]  # nothing stored
    assert settings_cookie(page) is None  # no session made to carry it
    assert line not in any_client.get("/accounts/login/").text  # said once
    assert line not in HttpsClient().get("/accounts/login/").text  # to that browser only


def settings_cookie(response):
    morsel = response.cookies.get("__Host-sessionid")
    return morsel.value if morsel and morsel.value else None


def test_a_signed_in_request_and_a_sign_out_set_no_notice(client, user, engine, timeouts):
    sign_in(client)
    assert signed_out.COOKIE not in client.get("/").cookies
    bye = client.post("/accounts/logout/")
    assert signed_out.COOKIE not in bye.cookies
    assert "You were signed out" not in client.get(bye["Location"]).text


@pytest.mark.parametrize("value", ["ended_by_admin", "password_changed", "<b>hi</b>", ""])
def test_a_forged_notice_says_nothing(client, value):
    client.cookies[signed_out.COOKIE] = value
    page = client.get("/accounts/login/").text
    assert 'id="signed-out"' not in page
    assert "<b>hi</b>" not in page
