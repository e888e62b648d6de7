"""The joined read with a bound device key, held to the ORM's ``select_related``.

The storage tests (``tests/session_security/storage/test_joined_read_differential.py``)
cover every other shape, a record without a key among them; here the one-to-one
row is present: JSON (nested, unicode, floats, booleans) and a null date.
"""

import pytest

from session_security.device_binding.models import DeviceKey
from session_security.models import Session, SessionRecord
from session_security.registry import records
from session_security.storage import db
from tests.session_security.storage.test_joined_read_differential import (
    NOW,
    make_record,
    make_session,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bound(django_user_model):
    """A signed-in session whose row has a device key; its session key."""
    user = django_user_model.objects.create_user("alice", password="x", last_login=NOW)
    record = make_record(user, ip_address="2001:db8::1", generation=3)
    DeviceKey.objects.create(
        record=record,
        public_key={"kty": "EC", "crv": "P-256", "x": "é", "n": [1, 2.5, True, None]},
        algorithm="ES256",
        bound_at=NOW,
        challenge="",
        challenge_at=None,
    )
    make_session("b" * 32, record.pk)
    return "b" * 32


@pytest.mark.parametrize("time_zone", ["UTC", "Asia/Kathmandu"])
def test_differential_bound_session_read_matches_select_related(bound, settings, time_zone):
    settings.TIME_ZONE = time_zone
    expected = (
        Session.objects.select_related(*db.record_and_its_relations())
        .filter(session_key=bound, expire_date__gt=NOW)
        .first()
    )
    got = db.read_session(bound, NOW)
    assert got.record.device_key.public_key["x"] == "é"
    assert snapshot(got) == snapshot(expected)


def test_differential_bound_record_read_matches_select_related(bound):
    record = SessionRecord.objects.get()
    expected = SessionRecord.objects.select_related(*SessionRecord.read_with).get(pk=record.pk)
    assert snapshot(records.lookup(record.pk)) == snapshot(expected)
