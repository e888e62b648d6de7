"""Device binding's system check: a bound cookie too short for Chrome to keep up."""

import pytest

from tests.session_security.test_checks import ids

pytestmark = pytest.mark.django_db


def test_a_bound_cookie_chrome_cannot_keep_up_with_is_flagged(settings):
    settings.SESSION_DEVICE_BOUND = True
    settings.SESSION_DEVICE_BOUND_COOKIE_AGE = 60
    assert "session_security.W008" in ids()
    settings.SESSION_DEVICE_BOUND_COOKIE_AGE = 300
    assert "session_security.W008" not in ids()
