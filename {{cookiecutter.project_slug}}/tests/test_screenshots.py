"""The main pages at a desktop and a phone width, in a real Chromium, kept as screenshots.

Each page must fit its width (no sideways scrolling) and log no Content-Security-Policy
violation. The PNGs are test artefacts, never committed: in ``$SCREENSHOTS_DIR`` when it is set
(CI uploads that folder), else in pytest's temporary folder (the path is printed; ``-s``).
"""

import time

import pytest

from tests.fixtures.browser import PASSWORD, USERNAME, CspWatch, sign_in, tls_production_server

pytestmark = [pytest.mark.browser, pytest.mark.engine_independent]  # the pages' layout

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
# Seconds of sudo mode on this server, to reach the confirmation page.
WINDOW = 1


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    overrides = {"DJANGO_SESSION_REAUTH_WINDOW": WINDOW, "DJANGO_SESSION_ROTATION_INTERVAL": 0}
    with tls_production_server(request, tmp_path_factory, **overrides) as server:
        yield server


class Camera:
    """Screenshots of one browser's pages at one width, each checked for fit."""

    def __init__(self, browser, width, folder):
        self.width, self.folder = width, folder
        columns, rows = WIDTHS[width]
        self.context = browser.new_context(viewport={"width": columns, "height": rows})
        self.context.set_default_timeout(10_000)
        self.csp = CspWatch(self.context)
        self.page = self.context.new_page()

    def shoot(self, name):
        page = self.page
        page.wait_for_load_state()
        sideways = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert sideways <= 0, f"{self.width} {name}: {sideways} px wider than the screen"
        path = self.folder / f"{self.width}-{name}.png"
        page.screenshot(path=path, full_page=True)
        assert path.read_bytes().startswith(b"\x89PNG")
        return path


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_main_pages_fit_the_screen(browser, server, screenshots, width):
    me, other = Camera(browser, width, screenshots), Camera(browser, width, screenshots)
    page = me.page
    page.goto(server.url + "/accounts/login/")
    me.shoot("login")
    page.fill("#id_username", USERNAME.upper())
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")
    assert page.locator(".errorlist li").count() == 1  # one message, and it is right
    assert "usernames are not" in page.text_content(".errorlist")
    me.shoot("login-refused")

    sign_in(page, server)
    assert "30 minutes" in page.text_content("#session-policy")
    me.shoot("home")
    sign_in(other.page, server)  # a second session, for the list
    page.goto(server.url + "/accounts/sessions/")
    assert page.locator("table.sessions tbody tr").count() == 2
    # Dates and times never wrap: one line box each.
    lines = page.eval_on_selector_all(
        "table.sessions time", "all => all.map(time => time.getClientRects().length)"
    )
    assert set(lines) == {1}, lines
    me.shoot("sessions")
    page.goto(server.url + "/accounts/password/")
    me.shoot("password-change")

    time.sleep(WINDOW + 0.5)
    page.goto(server.url + "/accounts/sessions/")
    page.click("#end-others")
    page.wait_for_selector("#confirm-purpose")
    me.shoot("confirm-password")
    page.fill("#id_confirm-password", PASSWORD)
    page.click("#confirm")
    page.wait_for_selector(".message")
    me.shoot("sessions-after-ending")

    other.page.goto(server.url + "/")
    assert other.page.locator("#signed-out").count() == 1
    other.shoot("login-signed-out")

    assert me.csp.violations == [] and other.csp.violations == []
    print(f"screenshots ({width}): {screenshots}")
    page.click("#logout")
    page.wait_for_url(server.url + "/accounts/login/")
    me.context.close()
    other.context.close()
