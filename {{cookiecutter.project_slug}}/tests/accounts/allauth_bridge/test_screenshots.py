"""allauth's pages in the project's layout, at a desktop and a phone width, in a real Chromium.

As ``tests/test_screenshots.py`` does for the project's own pages: each page fits its width,
logs no Content-Security-Policy violation, and is kept as a PNG (``$SCREENSHOTS_DIR``).
"""

import pytest

from tests.fixtures.browser import sign_in, tls_production_server
from tests.test_screenshots import WIDTHS, Camera

pytestmark = pytest.mark.browser

# Signed-in pages, each with a line only allauth's page has (it rendered, in the layout).
PAGES = {
    "two-factor": ("/accounts/2fa/", "Authenticator App"),
    "totp-activate": ("/accounts/2fa/totp/activate/", "Authenticator code"),
    "email": ("/accounts/email/", "Email Addresses"),
    "reauthenticate": ("/accounts/reauthenticate/", "Confirm Access"),
}


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    with tls_production_server(request, tmp_path_factory) as server:
        yield server


@pytest.mark.parametrize("width", list(WIDTHS))
def test_allauths_pages_fit_the_screen_in_the_projects_layout(browser, server, screenshots, width):
    camera = Camera(browser, width, screenshots)
    page = camera.page
    page.goto(server.url + "/accounts/login/")
    assert page.locator("#passkey_login").count() == 1 and page.locator("#sign-up").count() == 1
    page.click("#sign-up")
    page.wait_for_selector("#id_password2")
    assert page.locator("header .brand").count() == 1  # the project's header
    camera.shoot("sign-up")

    sign_in(page, server)
    for name, (path, marker) in PAGES.items():
        page.goto(server.url + path)
        assert page.locator("header .brand").count() == 1, name
        assert marker in page.text_content("main"), name
        camera.shoot(name)
    assert camera.csp.violations == []
    camera.context.close()
