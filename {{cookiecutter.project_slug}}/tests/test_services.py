"""The real services, and what happens to a run when one is missing.

A test that needs a server (Redis, PostgreSQL) or the browser is skipped
where it is not installed, naming the Debian package; the run ends with a
count of the skipped tests and why, and under CI it fails: a suite that
passes because it tested nothing would hide exactly what these tests are for.
"""

import os
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection

from config import settings as project_settings
from tests.fixtures.servers import PROJECT_DIR
from tests.fixtures.services import (
    ci_failure,
    is_postgresql,
    needs_a_service,
    running_in_ci,
    summarize_skips,
)


def report(reason, *markers, skipped=True, xfail=False):
    """A stand-in for pytest's ``TestReport`` of one test."""
    fake = SimpleNamespace(
        skipped=skipped,
        keywords={name: 1 for name in ("test_x", *markers)},
        longrepr=("tests/test_x.py", 3, f"Skipped: {reason}"),
    )
    if xfail:
        fake.wasxfail = reason
    return fake


# --- The decision -----------------------------------------------------------


def test_skips_are_sorted_into_missing_services_and_others():
    service, other = summarize_skips(
        [
            report("redis is down", "services"),
            report("no display", "browser"),
            # Unmarked, but its reason names a package to install.
            report("needs redis-server: apt-get install redis-server"),
            report("needs redis-server: apt-get install redis-server"),
            report("only on Windows"),
            report("known bug", xfail=True),  # xfail is reported as a skip
            report("", "services", skipped=False),  # passed
        ]
    )
    assert service == {
        "redis is down": 1,
        "no display": 1,
        "needs redis-server: apt-get install redis-server": 2,
    }
    assert other == {"only on Windows": 1}


@pytest.mark.parametrize(
    ("ci", "expected"),
    [(None, False), ("", False), ("false", False), ("0", False), ("true", True), ("1", True)],
)
def test_ci_is_recognised_by_its_environment_variable(ci, expected):
    assert running_in_ci({} if ci is None else {"CI": ci}) is expected


def test_under_ci_a_skipped_service_test_fails_the_run():
    service = {"needs redis-server: apt-get install redis-server": 2}
    assert ci_failure(service, {"CI": "true"}).startswith("CI is set and 2 test(s)")
    assert ci_failure(service, {}) is None  # locally: skipped, and said so
    assert ci_failure({}, {"CI": "true"}) is None  # nothing needing a service skipped


def test_tests_needing_a_server_are_found_by_their_fixtures():
    assert needs_a_service(("redis_url",), uses_database=False, database_is_server=False)
    assert needs_a_service(("postgresql_server",), uses_database=False, database_is_server=False)
    assert needs_a_service(("db",), uses_database=True, database_is_server=True)
    assert not needs_a_service(("db",), uses_database=True, database_is_server=False)
    assert not needs_a_service(("settings",), uses_database=False, database_is_server=True)


# --- The whole run, in a child pytest ------------------------------------------

SKIPPED_MODULE = """
import pytest

pytest.importorskip("no_such_module_here", reason="needs no_such: apt-get install no-such")
"""

CHILD_TESTS = """
import pytest

from tests.fixtures.services import skip_missing


@pytest.mark.services
def test_marked_service():
    pytest.skip("Redis is not running")


def test_missing_server():
    skip_missing("redis-server", "redis-server")


def test_other_skip():
    pytest.skip("only on Windows")


def test_passes():
    pass
"""


@pytest.fixture
def child(pytester, monkeypatch):
    """Runs a small suite in a child pytest with this plugin loaded."""
    pytester.makeini(
        textwrap.dedent(
            """
            [pytest]
            markers =
                services: needs a server
                browser: needs the browser
            """
        )
    )
    pytester.makepyfile(test_child=CHILD_TESTS, test_skipped_module=SKIPPED_MODULE)
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_DIR))
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)

    def run(*args, ci=None):
        if ci is None:
            monkeypatch.delenv("CI", raising=False)
        else:
            monkeypatch.setenv("CI", ci)
        return pytester.runpytest_subprocess(
            "-p", "tests.fixtures.services", "-p", "no:django", "-p", "no:cacheprovider", *args
        )

    return run


@pytest.mark.once  # a nested run of the stand-in tests above
def test_a_run_reports_its_skips_and_passes_outside_ci(child):
    result = child()
    result.assert_outcomes(passed=1, skipped=4)
    result.stdout.fnmatch_lines(["*= skipped tests =*"])
    for line in (
        "1 skipped, service missing: Redis is not running",
        "1 skipped, service missing: needs redis-server: apt-get install redis-server",
        "1 skipped, service missing: needs no_such: apt-get install no-such",  # a whole module
        "1 skipped: only on Windows",
    ):
        result.stdout.fnmatch_lines([f"*{line}"])
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.once  # a nested run of the stand-in tests above
def test_under_ci_the_same_run_fails(child):
    result = child(ci="true")
    result.assert_outcomes(passed=1, skipped=4)
    result.stdout.fnmatch_lines(["FAILED: CI is set and 3 test(s) needing a service*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


# --- The services themselves ---------------------------------------------------


def test_redis_is_empty_and_on_loopback(redis_url, request):
    import redis

    with redis.Redis.from_url(redis_url) as client:
        assert client.dbsize() == 0
        if not os.environ.get("TEST_REDIS_URL"):  # ours, not a CI container
            assert client.config_get("bind")["bind"] == "127.0.0.1"
    assert request.node.get_closest_marker("services")


def test_postgresql_needs_a_password_and_ours_listens_on_loopback(postgresql_server):
    import psycopg

    with postgresql_server.connect() as pg:
        assert pg.execute("SELECT 1").fetchone() == (1,)
        if postgresql_server.managed:
            assert pg.execute("SHOW listen_addresses").fetchone()[0] == "127.0.0.1"
            data_directory = Path(pg.execute("SHOW data_directory").fetchone()[0])
            # PostgreSQL refuses to run as root: the cluster is another user's.
            assert data_directory.stat().st_uid != 0 or os.geteuid() != 0
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host=postgresql_server.host,
            port=postgresql_server.port,
            user=postgresql_server.user,
            password="wrong",
            dbname=postgresql_server.maintenance_db,
        )


@pytest.mark.django_db
def test_database_tests_run_on_the_database_the_settings_name(request):
    """``DATABASE_URL`` wins over the bake's answer; PostgreSQL means the real server."""
    wanted = os.environ.get("DATABASE_URL") or project_settings.BAKED_DATABASE_URL
    if wanted.split(":", 1)[0] in ("postgres", "postgresql", "pgsql"):
        server = request.getfixturevalue("postgresql_server")
        assert connection.vendor == "postgresql"
        assert is_postgresql(connection.settings_dict)
        assert connection.settings_dict["HOST"] == server.host
        assert int(connection.settings_dict["PORT"]) == server.port
        assert connection.settings_dict["NAME"].startswith("test_")
        assert request.node.get_closest_marker("services")
    else:
        assert connection.vendor == "sqlite"
