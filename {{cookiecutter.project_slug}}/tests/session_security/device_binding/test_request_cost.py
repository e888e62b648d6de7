"""Device binding costs a signed-in request nothing: no query, no write of its own.

The key comes with the registry row (one join); a browser that never binds
and one that did pay what every signed-in request pays (see
``tests/session_security/test_request_cost.py``).
"""

import pytest

from tests.conftest import is_signed_in, sign_in
from tests.session_security.device_binding.dbsc import DbscBrowser, registration_offer
from tests.session_security.test_request_cost import assert_steady

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet_policy")]


def test_the_first_minute_after_sign_in_writes_nothing_with_binding_offered(
    any_client, user, engine, settings, clock, request_cost
):
    """With device binding on (the default) and a browser that never binds."""
    settings.SESSION_DEVICE_BOUND = True
    sign_in(any_client)
    with request_cost() as cost:
        for _ in range(6):
            clock.shift(10)
            response = cost.saw(any_client.get("/"))
            assert is_signed_in(response)
            assert "Secure-Session-Registration" not in response
    assert cost.writes == 0, cost.describe()


def test_a_device_bound_session_costs_the_same(client, user, engine, settings, clock, request_cost):
    settings.SESSION_DEVICE_BOUND = True
    settings.SESSION_DEVICE_BOUND_COOKIE_AGE = 300
    browser = DbscBrowser(client)
    assert browser.register(registration_offer(sign_in(client))).status_code == 200
    client.get("/")
    with request_cost() as cost:
        response = cost.saw(client.get("/"))
    assert is_signed_in(response)
    assert_steady(cost, engine)
