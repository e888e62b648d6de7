"""The bound cookie's age (``protocol.bound_cookie_age``), held to ``django.core.signing``.

``signing.loads`` verifies the cookie but offers no public call returning when
it was signed, so the function reads the timestamp from the verified value by
hand. For cookies Django signs (under the key or a fallback), the age it
finds must be the one ``signing.loads(max_age=...)`` enforces: the cookie
passes ``max_age=age`` and is expired at ``max_age=age - 1``.
"""

import datetime
import uuid
from types import SimpleNamespace

import pytest
import time_machine
from django.core import signing
from django.test import RequestFactory

from session_security.device_binding import protocol
from tests.conftest import T0

OLD_KEY = "an-old-secret-key-" + "o" * 40
NEW_KEY = "the-new-secret-key-" + "n" * 40


def request_with(value, now):
    request = RequestFactory().get("/", secure=True)
    request.COOKIES[protocol.BOUND_COOKIE] = value
    request.session_security = SimpleNamespace(now=now)
    return request


@pytest.mark.parametrize("signed_with", ["key", "fallback"])
@pytest.mark.parametrize("age", [0, 1, 59, 3600, 86399])
def test_differential_bound_cookie_age_is_the_age_signing_enforces(settings, signed_with, age):
    settings.SESSION_DEVICE_BOUND_COOKIE_AGE = 86400
    record = SimpleNamespace(pk=uuid.uuid4())
    settings.SECRET_KEY = OLD_KEY if signed_with == "fallback" else NEW_KEY
    settings.SECRET_KEY_FALLBACKS = []
    with time_machine.travel(T0, tick=False):
        value = signing.dumps(str(record.pk), salt=protocol.COOKIE_SALT)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    now = T0 + datetime.timedelta(seconds=age)
    with time_machine.travel(now, tick=False):
        found = protocol.bound_cookie_age(request_with(value, now), record)
        assert found == age
        signing.loads(value, salt=protocol.COOKIE_SALT, max_age=age)
        if age:
            with pytest.raises(signing.SignatureExpired):
                signing.loads(value, salt=protocol.COOKIE_SALT, max_age=age - 1)


def test_differential_bound_cookie_age_refuses_what_signing_refuses(settings):
    record = SimpleNamespace(pk=uuid.uuid4())
    value = signing.dumps(str(record.pk), salt=protocol.COOKIE_SALT)
    now = T0
    for forged in (value[:-1] + ("A" if value[-1] != "A" else "B"), "x:y:z", value + ":1"):
        with pytest.raises(signing.BadSignature):
            signing.loads(forged, salt=protocol.COOKIE_SALT)
        assert protocol.bound_cookie_age(request_with(forged, now), record) is None
    other = signing.dumps(str(record.pk), salt="another salt")
    assert protocol.bound_cookie_age(request_with(other, now), record) is None
