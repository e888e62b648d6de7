"""The joined read, held to the ORM's ``select_related`` (``storage/joined_read.py``).

The compiled read builds the instances itself (converters, ``from_db``, the
cached related objects); the ORM's ``select_related`` with the same filter is
what it replaces. Both build the chain here, and every concrete field of every
model in it must match in value, type and time zone, with the same ``_state``
and the same cached related objects: a missing related row (the nullable
record, a deleted one, a missing one-to-one) included. Runs on the bake's
database (SQLite, PostgreSQL).
"""

import datetime
import uuid

import pytest
from django.utils import timezone

from session_security.models import Session, SessionRecord
from session_security.registry import records
from session_security.storage import db

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=datetime.UTC)


def snapshot(instance, seen=None):
    """Every concrete field (value, type, time zone), the state, and the cached relations."""
    if instance is None:
        return None
    seen = set() if seen is None else seen
    if id(instance) in seen:  # a back reference (the remote setter): name it, do not recurse
        return ("cached parent", type(instance), instance.pk)
    seen = seen | {id(instance)}
    fields = {}
    for field in instance._meta.concrete_fields:
        value = field.value_from_object(instance)
        fields[field.attname] = (value, type(value), getattr(value, "tzinfo", None))
    cached = instance._state.fields_cache
    return {
        "model": type(instance),
        "fields": fields,
        "db": instance._state.db,
        "adding": instance._state.adding,
        "related": {name: snapshot(value, seen) for name, value in sorted(cached.items())},
    }


def make_record(user, **fields):
    values = {
        "user": user,
        "created_at": NOW,
        "expires_at": NOW + datetime.timedelta(days=1),
        "last_seen_at": NOW,
        "rotated_at": NOW,
        "reauthenticated_at": NOW,
        "key_fingerprint": "0123456789abcdef",
        "user_agent": "Mozilla/5.0 (X11; Linux) – ünïcode",
    } | fields
    return SessionRecord.objects.create(**values)


def make_session(key, record_id):
    return Session.objects.create(
        session_key=key,
        session_data="payload:signed",
        expire_date=NOW + datetime.timedelta(hours=2),
        record_id=record_id,
    )


@pytest.fixture
def rows(django_user_model):
    """Rows in every shape the read meets; ``{case: session key}``."""
    active = django_user_model.objects.create_user("alice", password="x", last_login=NOW)
    inactive = django_user_model.objects.create_user("bob", password="x", is_active=False)
    full = make_record(active, ip_address="2001:db8::1", generation=3)
    bare = make_record(inactive, ip_address=None, ended_at=NOW, end_reason="logout")
    gone = make_record(active, ip_address="192.0.2.7")
    gone_id = gone.pk
    gone.delete()  # no database constraint: the session outlives its row
    cases = {
        "signed in": full.pk,
        "ended, inactive user, nothing optional": bare.pk,
        "its row deleted": gone_id,
        "anonymous (no row)": None,
    }
    for number, record_id in enumerate(cases.values()):
        make_session(f"{number:032d}", record_id)
    Session.objects.create(session_key="e" * 32, session_data="", expire_date=NOW, record=full)
    return {case: f"{number:032d}" for number, case in enumerate(cases)} | {"expired": "e" * 32}


@pytest.mark.parametrize("time_zone", ["UTC", "Asia/Kathmandu"])
def test_differential_joined_session_read_matches_select_related(rows, settings, time_zone):
    settings.TIME_ZONE = time_zone
    for case, key in rows.items():
        expected = (
            Session.objects.select_related(*db.record_and_its_relations())
            .filter(session_key=key, expire_date__gt=NOW)
            .first()
        )
        assert snapshot(db.read_session(key, NOW)) == snapshot(expected), case
    assert db.read_session("e" * 32, NOW) is None


def test_differential_joined_record_read_matches_select_related(rows):
    for record in SessionRecord.objects.all():
        expected = SessionRecord.objects.select_related(*SessionRecord.read_with).get(pk=record.pk)
        got = records.lookup(record.pk)
        assert snapshot(got) == snapshot(expected)
        assert isinstance(got.ip_address, str | None)  # not an ``ipaddress`` object
    assert records.lookup(uuid.uuid4()) is None


def test_differential_joined_read_checks_compare_what_they_claim(rows):
    """The snapshot sees a change of type, of time zone and of a cached relation."""
    row = db.read_session(rows["signed in"], NOW)
    before = snapshot(row)
    row.record.created_at = row.record.created_at.astimezone(timezone.get_fixed_timezone(60))
    assert snapshot(row) != before  # same instant, another time zone
    row = db.read_session(rows["signed in"], NOW)
    row.record.generation = str(row.record.generation)
    assert snapshot(row) != before  # same digits, another type
    row = db.read_session(rows["signed in"], NOW)
    row._state.fields_cache.pop("record")
    assert snapshot(row) != before
