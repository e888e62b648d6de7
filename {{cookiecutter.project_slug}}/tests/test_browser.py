"""A real browser against the real servers (issue: "Real services and a real browser").

Chromium signs in through the forms of the project served by gunicorn over
TLS with production settings, and by ``manage.py runserver`` over plain HTTP
with the bake's ``.env``; it checks what the browser itself keeps and shows:
cookies and their attributes, Content-Security-Policy violations, the back
button after signing out, and the idle timeout in real time.
"""

import time

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

from tests.fixtures.browser import CSRF_COOKIE, SESSION_COOKIE, USERNAME, launch, sign_in

pytestmark = pytest.mark.browser

# The pages a signed-in visitor reaches from the home page (the admin's own
# login page included: it loads the admin's scripts with a nonce).
SIGNED_IN_PAGES = [
    "/",
    "/accounts/password/",
    "/accounts/sessions/",
    "/admin/login/",
    "/no-such-page/",
    "/",
]


def cookies_by_name(context):
    return {cookie["name"]: cookie for cookie in context.cookies()}


@pytest.mark.engine_independent  # TLS only
def test_the_certificate_is_trusted_only_through_the_pin(playwright, production_server):
    """The test's browser trusts the test certificate by its key, not by ignoring errors."""
    unpinned = launch(playwright)
    try:
        with pytest.raises(PlaywrightError, match="ERR_CERT_AUTHORITY_INVALID"):
            unpinned.new_page().goto(production_server.url + "/accounts/login/")
    finally:
        unpinned.close()


def test_sign_in_over_tls_with_production_settings(production_server, page):
    response = page.goto(production_server.url + "/accounts/login/")
    assert response.ok
    assert "max-age=31536000" in response.headers["strict-transport-security"]

    sign_in(page, production_server)

    assert page.url == production_server.url + "/"
    assert page.text_content("#current-user") == USERNAME


def test_cookies_the_browser_keeps(production_server, context, page):
    sign_in(page, production_server)

    # Script on the page sees the CSRF token, never the session key.
    visible = page.evaluate("document.cookie")
    assert SESSION_COOKIE not in visible
    assert f"{CSRF_COOKIE}=" in visible

    cookies = cookies_by_name(context)
    assert {SESSION_COOKIE, CSRF_COOKIE} <= set(cookies)
    for name, cookie in cookies.items():  # a capability's own cookie is as locked down
        assert name.startswith("__Host-") and cookie["secure"] is True, name
        assert cookie["httpOnly"] is (name != CSRF_COOKIE), name
        assert cookie["path"] == "/" and cookie["domain"] == "127.0.0.1", name
    for name, http_only in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        cookie = cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httpOnly"] is http_only, name
        assert cookie["sameSite"] == settings.BAKED_SESSION_COOKIE_SAMESITE, name
        assert cookie["path"] == "/", name
        assert cookie["domain"] == "127.0.0.1", name  # host-only: no Domain attribute
    if settings.BAKED_SESSION_EXPIRE_AT_BROWSER_CLOSE:
        assert cookies[SESSION_COOKIE]["expires"] == -1  # a browser-session cookie
    else:
        assert cookies[SESSION_COOKIE]["expires"] > time.time()


@pytest.mark.engine_independent  # the pages and their headers
@pytest.mark.parametrize("server_name", ["production_server", "dev_server"])
def test_no_csp_violation_on_any_page(request, server_name, context, csp, page):
    """Every page, signed out and in; the dev server also serves the static files."""
    server = request.getfixturevalue(server_name)
    responses = [page.goto(server.url + "/accounts/login/")]
    assert page.evaluate("typeof window.__cspViolation") == "function"  # the watch is on
    sign_in(page, server)
    responses += [page.goto(server.url + path) for path in SIGNED_IN_PAGES]
    page.click("#logout")
    page.wait_for_url(server.url + "/accounts/login/")
    # The page shown when the browser dropped the CSRF cookie.
    context.clear_cookies()
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", "wrong")
    with page.expect_response(server.url + "/accounts/login/") as refused:
        page.click("button[type=submit]")
    responses.append(refused.value)
    page.wait_for_load_state()

    for response in responses:
        if response.status == 404 and server_name == "dev_server":
            continue  # Django's technical 404 page (debug) opts out of the CSP
        headers = response.all_headers()
        assert "script-src 'self'" in headers["content-security-policy"], response.url
    assert [response.status for response in responses[-3:]] == [404, 200, 403]
    assert csp.violations == []


@pytest.mark.engine_independent
def test_the_csp_watch_sees_a_violation(production_server, csp, page):
    """The check above would pass vacuously if the watch were deaf: it is not."""
    page.goto(production_server.url + "/accounts/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
        }"""
    )
    deadline = time.monotonic() + 5
    while not (csp.events and csp.console) and time.monotonic() < deadline:
        page.wait_for_timeout(20)

    assert page.evaluate("window.injected") is None  # the CSP blocked it
    assert [event["directive"] for event in csp.events] == ["script-src-elem"]
    assert any("script-src" in message for message in csp.console)


def test_sign_out_clears_cookies_and_the_back_button_shows_nothing(
    production_server, context, page
):
    """With the back/forward cache on, as in users' browsers (see ``launch``)."""
    sign_in(page, production_server)
    response = page.goto(production_server.url + "/accounts/password/")
    assert "no-store" in response.headers["cache-control"]
    assert SESSION_COOKIE in cookies_by_name(context)
    page.evaluate("window.stillInMemory = true")  # survives only a restore from the cache

    with page.expect_response(production_server.url + "/accounts/logout/") as logout:
        page.click("#logout")
    assert "cookies" in logout.value.all_headers()["clear-site-data"]
    page.wait_for_url(production_server.url + "/accounts/login/")
    assert SESSION_COOKIE not in cookies_by_name(context)

    page.go_back(wait_until="commit")
    # Fetched again, so the server sends the signed-out browser to sign in.
    page.wait_for_url(production_server.url + "/accounts/login/?next=/accounts/password/")
    assert page.evaluate("window.stillInMemory") is None
    assert page.locator("#current-user").count() == 0
    assert "Signed in as" not in page.content()


def test_dev_server_sign_in_over_plain_http(dev_server, context, page, tmp_path):
    """The README's promise: sign in at http://127.0.0.1:8000 with the bake's .env."""
    assert dev_server.url.startswith("http://127.0.0.1:")
    response = page.goto(dev_server.url + "/accounts/login/")
    assert "strict-transport-security" not in response.headers  # HSTS 0 in .env

    sign_in(page, dev_server)

    assert page.text_content("#current-user") == USERNAME
    # Chromium stores Secure, __Host- cookies over HTTP on loopback.
    assert {SESSION_COOKIE, CSRF_COOKIE} <= set(cookies_by_name(context))
    # The stylesheet loaded (runserver serves static files in debug) and applied.
    background = page.eval_on_selector("header", "e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(29, 53, 87)"
    screenshot = tmp_path / "signed-in-home.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    print(f"signed-in home page: {screenshot}")


def test_idle_session_ends_in_the_browser(idle_server, context, page):
    sign_in(page, idle_server)
    assert page.text_content("#current-user") == USERNAME

    time.sleep(4)  # the server runs in another process: only real time reaches it
    page.goto(idle_server.url + "/")

    assert page.url == idle_server.url + "/accounts/login/?next=/"
    assert page.locator("#current-user").count() == 0
    assert SESSION_COOKIE not in cookies_by_name(context)
