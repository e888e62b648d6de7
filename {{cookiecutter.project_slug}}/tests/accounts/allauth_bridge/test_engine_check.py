"""allauth's secrets stay on the server: its system check refuses the signed-cookie engine.

allauth keeps a TOTP secret being set up and a half-done sign-in in the session; in a signed
cookie anyone who sees it could read them, and a copy taken between the password and the
second factor would still hold the sign-in after the owner finished it.
"""

import pytest
from django.core import checks

from session_security.storage.engines import ENGINE_NAMES
from tests.conftest import use_engine

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_only_the_signed_cookie_engine_is_refused(settings, name):
    use_engine(settings, name, "redis://127.0.0.1:1/0")
    found = {message.id for message in checks.run_checks()}
    assert ("allauth_bridge.E001" in found) == (name == "signed_cookies")
