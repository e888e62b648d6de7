"""Psycopg's connection pool (``DJANGO_DB_POOL``): read strictly, and serving for real.

Under ASGI Django closes its connection after each request, so without a
pool every request opens a PostgreSQL connection of its own. The settings
tests check the reader (sizes, ``auto``, refusals naming the variable); the
server tests run uvicorn on a real PostgreSQL and ask the server itself how
many sessions were opened (``pg_stat_database.sessions``), and that a pooled
connection PostgreSQL has dropped is replaced before a request gets it.
"""

import subprocess
import sys
import time

import pytest

from tests.config.test_settings import PRODUCTION, load
from tests.fixtures.servers import (
    PROJECT_DIR,
    AppServer,
    Browser,
    prepare_database,
    production_env,
)

POSTGRES = "postgres://u:p@127.0.0.1:5432/db"
SQLITE = "sqlite:////tmp/pool-test.sqlite3"
REQUESTS = 20

# --- The reader --------------------------------------------------------------


def pool_of(settings):
    return settings["DATABASES"]["default"].get("OPTIONS", {}).get("pool")


def test_the_pool_is_off_unless_asked_for(monkeypatch):
    settings = load(monkeypatch, **PRODUCTION, DATABASE_URL=POSTGRES)
    assert pool_of(settings) is None
    assert settings["DATABASES"]["default"]["CONN_MAX_AGE"] == 60


def test_on_pools_postgresql_with_its_sizes_and_no_persistent_connections(monkeypatch):
    settings = load(
        monkeypatch,
        **PRODUCTION,
        DATABASE_URL=POSTGRES,
        DJANGO_DB_POOL="on",
        DJANGO_DB_POOL_MIN_SIZE="3",
        DJANGO_DB_POOL_MAX_SIZE="7",
        DJANGO_DB_POOL_TIMEOUT="5",
    )
    pool = pool_of(settings)
    assert {name: pool[name] for name in ("min_size", "max_size", "timeout")} == {
        "min_size": 3,
        "max_size": 7,
        "timeout": 5,
    }
    assert callable(pool["check"])  # a dead connection is replaced, not handed out
    assert settings["DATABASES"]["default"]["CONN_MAX_AGE"] == 0
    # Persistent connections set to 0 explicitly are no contradiction.
    explicit = load(
        monkeypatch,
        **PRODUCTION,
        DATABASE_URL=POSTGRES,
        DJANGO_DB_POOL="on",
        DJANGO_CONN_MAX_AGE="0",
    )
    assert pool_of(explicit)["max_size"] == 10


def test_auto_pools_only_postgresql_without_persistent_connections(monkeypatch):
    auto = PRODUCTION | {"DJANGO_DB_POOL": "auto"}
    assert pool_of(load(monkeypatch, **auto, DATABASE_URL=POSTGRES)) is not None
    assert pool_of(load(monkeypatch, **auto, DATABASE_URL=SQLITE)) is None
    persistent = load(monkeypatch, **auto, DATABASE_URL=POSTGRES, DJANGO_CONN_MAX_AGE="30")
    assert pool_of(persistent) is None
    assert persistent["DATABASES"]["default"]["CONN_MAX_AGE"] == 30


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"DJANGO_DB_POOL": "on", "DATABASE_URL": SQLITE}, "DJANGO_DB_POOL=on needs a PostgreSQL"),
        (
            {"DJANGO_DB_POOL": "on", "DATABASE_URL": POSTGRES, "DJANGO_CONN_MAX_AGE": "60"},
            "DJANGO_DB_POOL=on and DJANGO_CONN_MAX_AGE=60 exclude each other",
        ),
        ({"DJANGO_DB_POOL": "yes"}, "DJANGO_DB_POOL='yes' is not allowed"),
        ({"DJANGO_DB_POOL_MAX_SIZE": "ten"}, "DJANGO_DB_POOL_MAX_SIZE='ten'"),
        ({"DJANGO_DB_POOL_MAX_SIZE": "0"}, "DJANGO_DB_POOL_MAX_SIZE='0'"),
        ({"DJANGO_DB_POOL_MIN_SIZE": "-1"}, "DJANGO_DB_POOL_MIN_SIZE='-1'"),
        ({"DJANGO_DB_POOL_TIMEOUT": "1.5"}, "DJANGO_DB_POOL_TIMEOUT='1.5'"),
        (
            {"DJANGO_DB_POOL_MIN_SIZE": "5", "DJANGO_DB_POOL_MAX_SIZE": "4"},
            "DJANGO_DB_POOL_MAX_SIZE=4 is below DJANGO_DB_POOL_MIN_SIZE=5",
        ),
    ],
)
def test_a_bad_pool_setting_stops_start_up_naming_it(monkeypatch, environment, named):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=named):
        load(monkeypatch, **(PRODUCTION | {"DATABASE_URL": POSTGRES} | environment))


def start_asgi(**environment):
    """A fresh process importing the ASGI entry point, as uvicorn does."""
    return subprocess.run(
        [sys.executable, "-c", "import config.asgi"],
        cwd=PROJECT_DIR,
        env=production_env(**environment),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_uvicorn_refuses_the_pool_with_persistent_connections_at_start_up():
    refused = start_asgi(DATABASE_URL=POSTGRES, DJANGO_DB_POOL="on", DJANGO_CONN_MAX_AGE="60")
    assert refused.returncode != 0
    assert "DJANGO_DB_POOL=on and DJANGO_CONN_MAX_AGE=60 exclude each other" in refused.stderr
    # The same variables without the contradiction start (nothing connects yet).
    assert start_asgi(DATABASE_URL=POSTGRES, DJANGO_DB_POOL="on").returncode == 0


# --- Served by uvicorn on a real PostgreSQL -----------------------------------


@pytest.fixture(scope="module")
def pool_database(postgresql_server):
    """A migrated database of its own (holding ``alice``): its counters are this module's."""
    name = postgresql_server.create_database("pool")
    prepare_database(production_env(DATABASE_URL=postgresql_server.url(name)))
    return name


@pytest.fixture
def pg(postgresql_server):
    with postgresql_server.connect() as connection:
        yield connection


def sessions_opened(pg, name):
    """Connections ever opened to database ``name``, as PostgreSQL counts them."""
    pg.execute("SELECT pg_stat_clear_snapshot()")
    return pg.execute(
        "SELECT sessions FROM pg_stat_database WHERE datname = %s", [name]
    ).fetchone()[0]


def serve(postgresql_server, name, **environment):
    env = production_env(
        DATABASE_URL=postgresql_server.url(name),
        DJANGO_SECURE_PROXY_SSL_HEADER="on",
        **environment,
    )
    return AppServer(env, kind="uvicorn")


def signed_in_requests(server, count=REQUESTS):
    with Browser() as browser:
        browser.sign_in(server)
        for _ in range(count):
            assert browser.whoami(server) == "alice"


def settled(read, done, timeout=10):
    """``read()`` once ``done(value)`` holds, or its last value after ``timeout``
    (PostgreSQL adds a session to its counters as the backend reports it)."""
    deadline = time.monotonic() + timeout
    while not done(value := read()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


@pytest.mark.services
@pytest.mark.standalone  # its own database, whatever DATABASE_URL says
def test_under_uvicorn_the_pool_reuses_connections_where_each_request_opened_one(
    postgresql_server, pool_database, pg
):
    # Without the pool: one connection per request (and the sign-in's).
    before = sessions_opened(pg, pool_database)
    with serve(postgresql_server, pool_database, DJANGO_DB_POOL="off") as server:
        signed_in_requests(server)
    unpooled = settled(lambda: sessions_opened(pg, pool_database) - before, lambda n: n >= REQUESTS)
    assert unpooled >= REQUESTS

    # The ASGI entry point's default on PostgreSQL: the pool, at most its size.
    before = sessions_opened(pg, pool_database)
    with serve(postgresql_server, pool_database, DJANGO_DB_POOL_MAX_SIZE="3") as server:
        signed_in_requests(server)
        time.sleep(1.5)  # PostgreSQL counts a live session at its next report
        pooled = sessions_opened(pg, pool_database) - before
    assert 1 <= pooled <= 3, pooled


@pytest.mark.services
@pytest.mark.standalone
def test_a_pooled_connection_postgresql_dropped_is_replaced_before_a_request_gets_it(
    postgresql_server, pool_database, pg
):
    with serve(postgresql_server, pool_database, DJANGO_DB_POOL="on") as server, Browser() as b:
        b.sign_in(server)
        assert b.whoami(server) == "alice"
        # A restart or failover, as the pool sees it: every idle connection is gone.
        ended = pg.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [pool_database],
        ).fetchone()[0]
        assert ended >= 1
        for _ in range(4):
            assert b.whoami(server) == "alice"  # never a 500
