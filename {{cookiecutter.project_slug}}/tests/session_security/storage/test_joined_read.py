"""The per-request reads under ASGI: compiled once per database, pinning no connection.

Under ASGI each request gets a connection object of its own. A read cached by
connection object compiled its join again on every request (more work than
stock Django's two plain queries) and kept every request's connection alive
in the cache: memory that grew with each request served. These tests send
requests through Django's real ``ASGIHandler`` (each in its own task, as
uvicorn does), not through the test client, which shares one connection.
"""

import asyncio
import gc
import weakref

import pytest
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.db.backends.signals import connection_created

from session_security.registry import records
from session_security.storage import joined_read
from session_security.storage.db import read_session
from tests.conftest import HttpsClient, session_cookie, sign_in

pytestmark = pytest.mark.django_db(transaction=True)  # other connections see the user

REQUESTS = 6
READS = (read_session, records.lookup)


async def asgi_get(application, path, cookie):
    """One GET through the ASGI application, as a server sends it; (status, body)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 443),
    }
    body = [{"type": "http.request", "body": b"", "more_body": False}]
    sent, disconnected = [], asyncio.Event()

    async def receive():
        if body:
            return body.pop()
        await disconnected.wait()  # Django listens for a disconnect once it has the body
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await application(scope, receive, send)
    disconnected.set()
    return sent[0]["status"], b"".join(message.get("body", b"") for message in sent[1:])


def concurrent_requests(cookie, count=REQUESTS):
    """``count`` signed-in GETs at once, each in a task of its own."""
    application = get_asgi_application()

    async def all_of_them():
        requests = [asgi_get(application, "/", cookie) for _ in range(count)]
        return await asyncio.gather(*requests)

    return asyncio.run(all_of_them())


@pytest.fixture
def cookie(user, engine):
    client = HttpsClient()
    sign_in(client)
    return f"{settings.SESSION_COOKIE_NAME}={session_cookie(client)}"


@pytest.fixture
def cold_reads(monkeypatch):
    """The reads as in a fresh process: nothing compiled yet."""
    for read in READS:
        monkeypatch.setattr(read, "compiled", {})


@pytest.fixture
def compiles(cold_reads, monkeypatch):
    """How many times a read compiled its SQL (the real compile runs), from cold."""
    calls = []
    compile_sql = joined_read.JoinedRead.compile

    def counted(read, connection, values):
        calls.append(read)
        return compile_sql(read, connection, values)

    monkeypatch.setattr(joined_read.JoinedRead, "compile", counted)
    return calls


def signed_in(results):
    return all(status == 200 and b'id="current-user">alice<' in body for status, body in results)


def test_a_read_compiles_once_however_many_requests_and_connections(cookie, compiles):
    assert signed_in(concurrent_requests(cookie, count=1))
    warmed = len(compiles)
    assert warmed >= 1  # the first request compiled what it reads

    assert signed_in(concurrent_requests(cookie))
    assert len(compiles) == warmed


def test_the_connections_of_served_requests_are_not_kept(cookie, cold_reads):
    """Also the connection that compiled a read: the cache holds none."""
    opened = []

    def remember(connection, **kwargs):
        opened.append(weakref.ref(connection))

    connection_created.connect(remember)
    try:
        assert signed_in(concurrent_requests(cookie))
    finally:
        connection_created.disconnect(remember)
    gc.collect()
    assert opened, "the requests opened no connection of their own"
    assert [ref for ref in opened if ref() is not None] == []
