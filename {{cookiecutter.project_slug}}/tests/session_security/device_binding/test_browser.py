"""Device-bound sessions (DBSC) end to end, in a real Chromium.

Debian's Chromium 156 with DBSC switched on (software keys: Linux has no
TPM provider) signs in to the project served by gunicorn over TLS with
production settings. Chromium registers a key, then renews the short-lived
bound cookie itself by signing the server's challenges; a copy of every
cookie it holds stops working when the bound cookie expires, and cannot be
renewed without the key. Signing out ends the browser's bound session.
A Chromium without DBSC uses the same server as if DBSC did not exist.

Two witnesses throughout: the server's audit log (``event=dbsc_...`` lines;
record ids there are keyed hashes, see ``record_tag``) and Chromium's own
DevTools events (``Network.deviceBoundSessionEventOccurred``). The bound
cookie lives a few seconds only: Chromium renews it proactively once it is
within two minutes of expiry, so here every request refreshes it, and a wait
past its age makes the next page wait for a refresh (a "deferred" request).

Runs on the run's session engine and on ``signed_cookies``.
"""

import time

import httpx
import pytest
from django.conf import settings
from django.utils.crypto import salted_hmac

from tests.fixtures.browser import (
    SESSION_COOKIE,
    USERNAME,
    launch,
    sign_in,
    tls_production_server,
)
from tests.session_security.device_binding.dbsc import BOUND_COOKIE, BrowserKey, challenge_of

pytestmark = pytest.mark.browser

COOKIE_AGE = 10  # seconds: the smallest DJANGO_SESSION_DEVICE_BOUND_COOKIE_AGE allowed
# Playwright's own --enable-features (see playwright-core's chromiumSwitches):
# dropped, so that ours takes effect, and its two features kept in ours.
PLAYWRIGHT_FEATURES = "--enable-features=CDPScreenshotNewSurface,SkipListAccountsWithoutGaiaCookies"
DBSC_FEATURES = (
    # RefreshQuota/false: Chromium otherwise signs at most 6 refreshes per 9 minutes.
    "DeviceBoundSessions:RefreshQuota/false",
    "EnableBoundSessionCredentialsSoftwareKeysForManualTesting",
    "DeviceBoundSessionsDevTools",
    "CDPScreenshotNewSurface",
    "SkipListAccountsWithoutGaiaCookies",
)
# The bake's engine, and signed_cookies (where the bound cookie rides in the
# session cookie itself). Unless it is the bake's engine, signed_cookies is the
# same run in every bake: ``standalone``.
ENGINES = [settings.SESSION_ENGINE_NAME]
if settings.SESSION_ENGINE_NAME != "signed_cookies":
    ENGINES.append(pytest.param("signed_cookies", marks=pytest.mark.standalone))


# --- Fixtures -----------------------------------------------------------------


@pytest.fixture(scope="module")
def dbsc_browser(playwright, tls_certificate):
    """A Chromium that speaks DBSC and trusts the test certificate by its key.

    The certificate must really verify: with ``--ignore-certificate-errors``
    (or over plain HTTP) Chromium ignores the registration header.
    """
    browser = launch(
        playwright,
        f"--ignore-certificate-errors-spki-list={tls_certificate.spki_sha256}",
        f"--enable-features={','.join(DBSC_FEATURES)}",
        drop_defaults=[PLAYWRIGHT_FEATURES],
    )
    yield browser
    browser.close()


@pytest.fixture(scope="module", params=ENGINES)
def dbsc_server(request, tmp_path_factory):
    """Production settings with DBSC on and a bound cookie that lives seconds."""
    server = tls_production_server(
        request,
        tmp_path_factory,
        DJANGO_SESSION_ENGINE=request.param,
        DJANGO_SESSION_DEVICE_BOUND="on",
        DJANGO_SESSION_DEVICE_BOUND_COOKIE_AGE=COOKIE_AGE,
        DJANGO_SESSION_ROTATION_INTERVAL=0,
    )
    with server:
        yield server


class DevTools:
    """What Chromium's DevTools report about bound sessions and requests."""

    def __init__(self, context, page):
        self.events = []  # Network.deviceBoundSessionEventOccurred, in order
        self.usages = {}  # request URL -> how its bound sessions were used
        self.urls = {}  # request id -> URL
        cdp = context.new_cdp_session(page)
        cdp.on("Network.deviceBoundSessionEventOccurred", self._on_event)
        cdp.on("Network.requestWillBeSent", self._on_sent)
        cdp.on("Network.requestWillBeSentExtraInfo", self._on_request)
        cdp.send("Network.enable")
        cdp.send("Network.enableDeviceBoundSessions", {"enable": True})
        self.cdp = cdp

    def _on_event(self, event):
        self.events.append(event)

    def _on_sent(self, request):
        self.urls[request["requestId"]] = request["request"]["url"]

    def _on_request(self, info):
        usages = [usage["usage"] for usage in info.get("deviceBoundSessionUsages", [])]
        url = self.urls.get(info["requestId"])
        if usages and url:
            self.usages.setdefault(url, []).append(usages)

    def of_kind(self, kind, session_id=None):
        return [
            event[f"{kind}EventDetails"]
            for event in self.events
            if f"{kind}EventDetails" in event
            and (session_id is None or event.get("sessionId") == session_id)
        ]

    def refreshes(self, session_id):
        return [
            event
            for event in self.of_kind("refresh", session_id)
            if event["refreshResult"] == "Refreshed"
        ]


@pytest.fixture
def dbsc_context(dbsc_browser):
    context = dbsc_browser.new_context()
    context.set_default_timeout(10_000)
    yield context
    context.close()


# --- Helpers ------------------------------------------------------------------


def eventually(page, predicate, timeout=5.0):
    """Poll ``predicate`` until true or timed out.

    Waits through ``page``: Playwright's sync API delivers DevTools events
    only while one of its calls runs (never during ``time.sleep``).
    """
    deadline = time.monotonic() + timeout
    while not (result := predicate()) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    return result


def record_tag(server, session_id):
    """The audit log's name for a registry record (``audit.key_hash``, server's key)."""
    secret = server.env["DJANGO_SECRET_KEY"]
    return salted_hmac(
        "session_security.audit", session_id, secret=secret, algorithm="sha256"
    ).hexdigest()[:16]


class ServerLog:
    """The audit lines a server wrote since this watch started."""

    def __init__(self, server):
        self.server = server
        self.start = len(server.log())

    def lines(self, event, record=None):
        wanted = {f"event={event}"} | ({f"record={record}"} if record else set())
        return [
            line
            for line in self.server.log()[self.start :].splitlines()
            if wanted <= set(line.split())
        ]

    def count(self, event, record=None):
        return len(self.lines(event, record))

    def forbidden_refreshes(self):
        """Refresh requests answered 403 (a challenge asked for): Django logs each."""
        new = self.server.log()[self.start :].splitlines()
        return sum(1 for line in new if "Forbidden: /dbsc/refresh" in line)

    def assert_no_server_error(self):
        """Not one 5xx (Django logs them at ERROR, 4xx at WARNING) since the server started."""
        lines = self.server.log().splitlines()
        assert [line for line in lines if " ERROR " in line or "[ERROR]" in line] == []


def cookies_by_name(context):
    return {cookie["name"]: cookie for cookie in context.cookies()}


def attacker_with(server, cookies):
    """A plain HTTP client holding a copy of ``cookies`` (from ``context.cookies()``)."""
    jar = httpx.Cookies()
    for cookie in cookies:
        jar.set(cookie["name"], cookie["value"], domain=cookie["domain"], path=cookie["path"])
    return httpx.Client(
        base_url=server.url, cookies=jar, verify=False, follow_redirects=False, timeout=10
    )


def signed_in_as(response):
    return response.status_code == 200 and f'id="current-user">{USERNAME}<' in response.text


# --- Tests --------------------------------------------------------------------


def test_chromium_binds_refreshes_and_ends_the_session(dbsc_server, dbsc_context):
    server, context = dbsc_server, dbsc_context
    page = context.new_page()
    devtools = DevTools(context, page)
    log = ServerLog(server)

    # Sign-in: the login redirect offers registration; Chromium registers a key.
    sign_in(page, server)
    created = eventually(page, lambda: devtools.of_kind("creation"))
    assert created, (devtools.events, server.log())
    assert len(created) == 1, created  # one offer, one registration attempt
    assert created[0]["fetchResult"] == "Success", created
    session = created[0]["newSession"]
    session_id = session["key"]["id"]
    record = record_tag(server, session_id)
    assert session["refreshUrl"] == server.url + "/dbsc/refresh"
    assert session["inclusionRules"]["origin"] == server.url
    assert [craving["name"] for craving in session["cookieCravings"]] == [BOUND_COOKIE]
    excluded = [rule["pathPrefix"] for rule in session["inclusionRules"]["urlRules"]]
    assert "/static" in excluded  # static files never wait for a refresh
    assert eventually(page, lambda: log.count("dbsc_registered", record) == 1), server.log()

    cookies = cookies_by_name(context)
    assert {SESSION_COOKIE, BOUND_COOKIE} <= set(cookies)
    bound = cookies[BOUND_COOKIE]
    assert (bound["secure"], bound["httpOnly"], bound["path"]) == (True, True, "/")
    assert bound["expires"] - time.time() <= COOKIE_AGE
    assert page.text_content("#current-user") == USERNAME

    # The attacker copies every cookie; for now the copy works (the window DBSC allows).
    stolen = context.cookies()
    with attacker_with(server, stolen) as attacker:
        assert signed_in_as(attacker.get("/"))

    # Past the bound cookie's age: Chromium holds the page, refreshes, then loads it.
    page.wait_for_timeout((COOKIE_AGE + 1) * 1000)  # real time: the server is another process
    assert BOUND_COOKIE not in cookies_by_name(context)  # expired in the browser too
    refreshed_before = log.count("dbsc_refreshed", record)
    page.goto(server.url + "/")
    assert page.url == server.url + "/"
    assert page.text_content("#current-user") == USERNAME
    # The page request waited for the refresh.
    assert devtools.usages[server.url + "/"][-1] == ["Deferred"], devtools.usages
    assert BOUND_COOKIE in cookies_by_name(context)
    assert log.count("dbsc_refreshed", record) > refreshed_before
    # Both witnesses agree: every refresh Chromium made, the server signed off on.
    assert eventually(
        page, lambda: len(devtools.refreshes(session_id)) == log.count("dbsc_refreshed", record)
    ), (devtools.of_kind("refresh"), log.lines("dbsc_refreshed"))
    refreshes = devtools.refreshes(session_id)
    assert any(not refresh["wasFullyProactiveRefresh"] for refresh in refreshes), refreshes
    assert len(devtools.of_kind("creation")) == 1  # still the one registration
    assert log.count("dbsc_proof_failed") == 0
    # Each refresh was one signed request: Chromium signed the challenge sent
    # ahead (with the bound cookie it replaces), never asking for one (403).
    assert log.forbidden_refreshes() == 0, server.log()

    # The attacker, after the copied bound cookie expired: anonymous...
    with attacker_with(server, stolen) as attacker:
        home = attacker.get("/")
        assert home.status_code == 302
        assert home.headers["Location"] == "/accounts/login/?next=/"
        # ...and a refresh needs the key: the challenge comes, a proof from another key fails.
        asked = attacker.post("/dbsc/refresh", headers={"Sec-Secure-Session-Id": session_id})
        assert asked.status_code == 403
        proof = BrowserKey().refresh_proof(challenge_of(asked))
        answered = attacker.post(
            "/dbsc/refresh",
            headers={"Sec-Secure-Session-Id": session_id, "Secure-Session-Response": proof},
        )
        assert answered.status_code == 400
        assert BOUND_COOKIE not in answered.cookies
        assert signed_in_as(attacker.get("/")) is False
    assert log.count("dbsc_proof_failed", record) == 1

    # Sign-out (Clear-Site-Data: "storage") ends the bound session in Chromium.
    with page.expect_response(server.url + "/accounts/logout/") as logout:
        page.click("#logout")
    assert "storage" in logout.value.all_headers()["clear-site-data"]
    page.wait_for_url(server.url + "/accounts/login/")
    ended = eventually(page, lambda: devtools.of_kind("termination", session_id))
    assert ended, devtools.events
    print(
        f"[{server.env['DJANGO_SESSION_ENGINE']}] Chromium made {len(refreshes)} refresh(es), "
        f"then ended the bound session: {ended}"
    )
    # Seen: "StoragePartitionCleared" (Clear-Site-Data); "ServerRequested" would mean a
    # refresh racing the sign-out was answered "continue": false first.
    assert ended[0]["deletionReason"] in ("StoragePartitionCleared", "ServerRequested")
    events_then = len(devtools.events)
    refreshes_then = log.count("dbsc_refreshed", record)

    page.goto(server.url + "/")
    assert page.url == server.url + "/accounts/login/?next=/"
    assert not {SESSION_COOKIE, BOUND_COOKIE} & set(cookies_by_name(context))
    page.wait_for_timeout(300)
    assert devtools.events[events_then:] == []  # nothing left to refresh
    assert log.count("dbsc_refreshed", record) == refreshes_then
    # The server ended it too: a refresh for it now is told not to continue.
    with attacker_with(server, []) as attacker:
        late = attacker.post("/dbsc/refresh", headers={"Sec-Secure-Session-Id": session_id})
    assert late.status_code == 200
    assert late.json() == {"session_identifier": session_id, "continue": False}
    log.assert_no_server_error()


def test_chromium_without_dbsc_uses_the_site_as_before(dbsc_server, browser):
    """The plain launch (``browser``): the offer is ignored and nothing is bound."""
    server = dbsc_server
    log = ServerLog(server)
    context = browser.new_context()
    try:
        page = context.new_page()
        offers = []
        page.on(
            "response",
            lambda response: offers.append(response.headers.get("secure-session-registration")),
        )
        sign_in(page, server)
        assert any(offers)  # offered, as to every browser
        for path in ("/accounts/password/", "/accounts/sessions/", "/"):
            assert page.goto(server.url + path).ok, path
        assert page.text_content("#current-user") == USERNAME
        assert BOUND_COOKIE not in cookies_by_name(context)
        page.click("#logout")
        page.wait_for_url(server.url + "/accounts/login/")
    finally:
        context.close()

    assert log.count("login") == 1
    assert log.count("logout") == 1
    assert log.lines("dbsc_registered") == []
    assert log.lines("dbsc_cookie_missing") == []
    log.assert_no_server_error()
