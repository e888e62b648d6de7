"""A Django release that changes the compiler's shape never takes sign-in down.

The per-request reads compile their join themselves (``storage/joined_read.py``)
and check the compiler's shape. Each change below is one a Django release
could make and Django's own ORM copes with; the compiled reads then give way
to the ORM's ``select_related`` for the rest of the process (the same single
query), log it once, and system check ``session_security.W009`` says why.
"""

import logging

import pytest
from django.core import checks
from django.db import connection
from django.db.models.expressions import RawSQL
from django.db.models.fields import IntegerField
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from session_security.checks import check_compiled_reads
from session_security.storage import joined_read
from session_security.storage.orm_read import Fallback
from tests.conftest import HttpsClient, is_signed_in, sign_in

pytestmark = pytest.mark.django_db

W009 = "session_security.W009"
LOGGED = "compiled reads do not fit"


def extra_column(monkeypatch):
    """The compiler selects a column besides the models' own (the ORM ignores it)."""
    get_select = SQLCompiler.get_select

    def with_extra(self, *args, **kwargs):
        select, klass_info, annotations = get_select(self, *args, **kwargs)
        if klass_info:
            extra = RawSQL("1", (), output_field=IntegerField())
            select = [*select, (extra, ("1", []), None)]
        return select, klass_info, annotations

    monkeypatch.setattr(SQLCompiler, "get_select", with_extra)


def related_from_parent(monkeypatch):
    """The related models' columns are described another way (the ORM reorders them)."""
    get_related_selections = SQLCompiler.get_related_selections

    def marked(self, *args, **kwargs):
        related = get_related_selections(self, *args, **kwargs)
        for klass_info in related:
            klass_info["from_parent"] = True
        return related

    monkeypatch.setattr(SQLCompiler, "get_related_selections", marked)


def row_building_fails(monkeypatch):
    """Building the instances fails after the query ran (as a changed ``from_db`` would)."""

    def changed(self, row, connection):
        raise TypeError("from_db() takes 3 positional arguments but 4 were given")

    monkeypatch.setattr(joined_read.Compiled, "converted", changed)


AT_COMPILE = (extra_column, related_from_parent)
SHAPES = (*AT_COMPILE, row_building_fails)


@pytest.fixture
def fresh_process(monkeypatch):
    """As in a new process: nothing compiled, no fallback yet."""
    for read in joined_read.JoinedRead.every:
        monkeypatch.setattr(read, "compiled", {})
    monkeypatch.setattr(Fallback, "reason", None)


def queries_of(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert is_signed_in(response)
    return len(queries.captured_queries)


def warnings_logged(caplog):
    return [r for r in caplog.records if r.levelno == logging.WARNING and LOGGED in r.message]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.__name__)
@pytest.mark.parametrize("engine", ["db", "cache"], indirect=True)
def test_sign_in_and_signed_in_requests_work_through_the_orm(
    shape, engine, user, fresh_process, monkeypatch, caplog, quiet_policy
):
    """db reads the stored session with its row; cache reads the row by primary key."""
    shape(monkeypatch)
    client = HttpsClient()
    sign_in(client)
    # The first read tries the compiled join; a failure after its query costs one more.
    assert queries_of(client) == (2 if shape is row_building_fails else 1)
    assert [queries_of(client) for _ in range(3)] == [1, 1, 1]  # the ORM's single query
    assert Fallback.reason
    (logged,) = warnings_logged(caplog)  # once, naming the Django version and the reason
    assert "Django 6." in logged.message and Fallback.reason in logged.message
    assert W009 in {message.id for message in checks.run_checks()}


@pytest.mark.parametrize("shape", AT_COMPILE, ids=lambda shape: shape.__name__)
def test_the_check_finds_a_changed_shape_before_any_request(shape, fresh_process, monkeypatch):
    shape(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        (warning,) = check_compiled_reads(None)
    assert warning.id == W009 and "RuntimeError" in warning.msg
    assert queries.captured_queries == []  # compiled, not run


def test_the_check_compiles_without_a_query_and_passes(fresh_process):
    with CaptureQueriesContext(connection) as queries:
        assert check_compiled_reads(None) == []
    assert queries.captured_queries == []
    assert any(read.compiled for read in joined_read.JoinedRead.every)


@pytest.mark.parametrize("engine", ["db", "cache"], indirect=True)
def test_the_setting_forces_the_orm_read(engine, user, settings, fresh_process, caplog):
    settings.SESSION_JOINED_READ = "orm"
    client = HttpsClient()
    sign_in(client)
    assert [queries_of(client) for _ in range(2)] == [1, 1]
    assert not any(read.compiled for read in joined_read.JoinedRead.every)
    assert not warnings_logged(caplog) and Fallback.reason is None
    (warning,) = check_compiled_reads(None)
    assert warning.id == W009 and "SESSION_JOINED_READ is 'orm'" in warning.msg


@pytest.mark.parametrize("engine", ["db", "cache"], indirect=True)
def test_a_failure_the_orm_shares_is_raised_and_keeps_the_compiled_read(
    engine, user, fresh_process, monkeypatch
):
    """Not a changed shape (the ORM fails alike): its error stands, nothing falls back."""
    client = HttpsClient()
    sign_in(client)

    def broken(*args, **kwargs):
        raise ValueError("a value no reader can convert")

    monkeypatch.setattr(joined_read.Compiled, "converted", broken)
    monkeypatch.setattr(joined_read, "orm_read", broken)
    with pytest.raises(ValueError, match="no reader"):
        client.get("/")
    assert Fallback.reason is None
