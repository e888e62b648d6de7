"""The database engines' stored session and its link to the registry row.

``models.Session`` names the session's registry row, so the ``db`` engine
reads session, row and user in one query (``storage.db``). The link is a
shortcut, never a credential: the registry id inside the signed session
data decides which row judges the session, a missing or deleted row reads
as signed out, and sessions stored before the link existed still work.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session as DjangoSession
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from session_security.models import Session, SessionRecord
from session_security.registry import records
from session_security.session_data import RECORD_KEY
from session_security.storage.engines import SESSION_CACHE_ALIAS
from tests.conftest import HttpsClient, assert_refused, is_signed_in, sign_in

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.parametrize("engine", ["db", "cached_db"], indirect=True),
]


@pytest.fixture
def quiet_policy(settings):
    settings.SESSION_ROTATION_INTERVAL = 0
    settings.SESSION_IDLE_TIMEOUT = 1800


def stored(client, settings):
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def forget_cached_copy(engine, client, settings):
    """``cached_db``: the next request reads the database, as after a cache miss."""
    if engine == "cached_db":
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        caches[SESSION_CACHE_ALIAS].delete(f"django.contrib.sessions.cached_db{key}")


def test_sign_in_links_the_stored_session_to_its_row(client, user, engine, settings):
    sign_in(client)
    row = stored(client, settings)
    assert str(row.record_id) == row.get_decoded()[RECORD_KEY]
    assert SessionRecord.objects.get(pk=row.record_id).user == user


def test_a_rotated_key_is_linked_too(client, user, engine, settings, clock):
    settings.SESSION_ROTATION_INTERVAL = 60
    sign_in(client)
    first = stored(client, settings)
    clock.shift(61)
    assert is_signed_in(client.get("/"))
    rotated = stored(client, settings)
    assert rotated.session_key != first.session_key
    assert rotated.record_id == first.record_id


def test_a_session_stored_without_its_link_is_looked_up(
    client, user, engine, quiet_policy, settings, request_cost
):
    """As the upgrade copies sessions from ``django_session``: one query more, still in."""
    sign_in(client)
    Session.objects.update(record=None)
    forget_cached_copy(engine, client, settings)
    with request_cost() as cost:
        assert is_signed_in(cost.saw(client.get("/")))
    assert len(cost.sql) == 2, cost.describe()
    refill = 1 if engine == "cached_db" else 0  # the cache refilled after a miss, as in Django
    assert cost.writes == refill, cost.describe()


def test_a_link_to_another_row_is_not_trusted(client, user, engine, quiet_policy, settings):
    """The id in the signed data names the row that judges the session, not the link."""
    elsewhere = HttpsClient()
    sign_in(elsewhere)  # the same user's other, live session
    sign_in(client)
    mine = stored(client, settings)
    Session.objects.filter(pk=mine.pk).update(record=stored(elsewhere, settings).record_id)
    records.end(mine.record_id, "revoked", timezone.now())
    forget_cached_copy(engine, client, settings)
    assert not is_signed_in(client.get("/"))
    assert is_signed_in(elsewhere.get("/"))


def test_a_session_whose_row_was_deleted_is_signed_out(client, user, engine, settings):
    """No database constraint: the join finds nothing, and that is an anonymous visitor."""
    sign_in(client)
    row = stored(client, settings)
    with connection.cursor() as cursor:  # as if clear_expired_sessions deleted it
        cursor.execute(
            "DELETE FROM session_security_sessionrecord WHERE id = %s", [row.record_id.hex]
        )
    forget_cached_copy(engine, client, settings)
    response = client.get("/")
    assert_refused(response)
    assert not Session.objects.filter(pk=row.pk).exists()  # flushed: deleted from the store


def test_deleting_a_user_deletes_their_stored_sessions(client, user, engine, settings):
    sign_in(client)
    assert Session.objects.count() == 1
    user.delete()
    assert Session.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # the migration's copy runs outside the test's
def test_the_upgrade_copies_live_sessions_from_django_session(
    client, user, engine, quiet_policy, settings
):
    """A project baked before the link: its signed-in users stay signed in."""
    migration = importlib.import_module("session_security.migrations.0003_stored_sessions")
    sign_in(client)
    live = stored(client, settings)
    legacy = DjangoSession  # django_session: older bakes kept their sessions there
    try:
        legacy.objects.create(
            session_key=live.session_key,
            session_data=live.session_data,
            expire_date=live.expire_date,
        )
        expired = timezone.now() - datetime.timedelta(minutes=1)
        legacy.objects.create(session_key="e" * 32, session_data="e30", expire_date=expired)
        Session.objects.all().delete()

        with connection.schema_editor() as editor:
            migration.copy_django_sessions(apps, editor)

        (copied,) = Session.objects.all()  # the expired one stays behind
        assert (copied.session_key, copied.record_id) == (live.session_key, None)
        forget_cached_copy(engine, client, settings)
        assert is_signed_in(client.get("/"))
    finally:
        legacy.objects.all().delete()
