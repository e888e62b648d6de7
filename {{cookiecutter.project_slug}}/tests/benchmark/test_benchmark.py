"""The benchmark tool (``python -m scripts.benchmark``) runs, and counts what it claims.

One ``--quick`` run (the ``db`` engine, one short round) starts everything
for real: a durable PostgreSQL, three gunicorn servers, wrk. Only its
output's shape and its counts are asserted, never a speed: the counts come
from the servers (``pg_stat_statements``) and do not depend on the machine.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from scripts.benchmark.report import markdown, table
from scripts.benchmark.setups import SETUPS
from scripts.benchmark.stock_settings import (
    DJANGO_AUTHENTICATION,
    DJANGO_SESSIONS,
    stock_middleware,
)
from tests.fixtures.services import postgresql_bindir, skip_missing

PROJECT_DIR = Path(__file__).resolve().parents[2]
TOOL = [sys.executable, "-m", "scripts.benchmark"]
SETUP_KEYS = [setup.key for setup in SETUPS]  # project, stock, save_every

# Sets up what it tests itself (the tool starts its own PostgreSQL and servers).
pytestmark = [pytest.mark.services, pytest.mark.standalone]


def tool_env():
    """This test run's settings (tests.settings, its database...) must not reach the tool."""
    leaked = ("DJANGO_", "TEST_", "CACHE_URL", "DATABASE_URL")
    return {name: value for name, value in os.environ.items() if not name.startswith(leaked)}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    if shutil.which("wrk") is None:
        skip_missing("wrk (the load generator)", "wrk")
    if postgresql_bindir() is None:
        skip_missing("PostgreSQL (initdb, pg_ctl)", "postgresql")
    chart = tmp_path_factory.mktemp("benchmark") / "ratios.png"
    completed = subprocess.run(
        [*TOOL, "--quick", "--json", "--chart", str(chart)],
        cwd=PROJECT_DIR,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    return json.loads(completed.stdout), completed.stderr, chart


def counts_of(document, setup):
    return document["engines"]["db"][setup]["counts"]


def test_help_names_the_setups_and_options():
    completed = subprocess.run(
        [*TOOL, "--help"], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    for word in ("SESSION_SAVE_EVERY_REQUEST", "--quick", "--json", "--chart", "--engines"):
        assert word in completed.stdout


def test_stock_setup_swaps_the_whole_session_layer_for_djangos():
    from django.conf import settings

    stock = stock_middleware(settings.MIDDLEWARE)
    assert DJANGO_SESSIONS in stock and DJANGO_AUTHENTICATION in stock
    assert stock.index(DJANGO_SESSIONS) < stock.index(DJANGO_AUTHENTICATION)
    assert [name for name in stock if name.startswith("session_security.")] == []
    assert "config.headers.SecurityHeadersMiddleware" in stock  # the same headers in both
    # Everything else is the project's, in the project's order.
    kept = [name for name in settings.MIDDLEWARE if name in stock]
    assert kept == [name for name in stock if name in settings.MIDDLEWARE]


def test_every_setup_is_measured_with_progress_shown(quick_run):
    document, progress, _ = quick_run
    assert list(document["engines"]) == ["db"]
    setups = document["engines"]["db"]
    assert list(setups) == SETUP_KEYS
    for figures in setups.values():
        assert len(figures["rps"]) == len(figures["vs_stock_rounds"]) == 1
        assert document["plan"]["rounds"] == len(figures["rounds"]) == 1
        assert figures["rps_median"] > 0 and figures["p99_ms"] >= figures["p50_ms"] > 0
        assert figures["cpu_ms"] > 0 and figures["rounds"][0]["requests"] > 0
    assert setups["stock"]["vs_stock"] == 1
    assert "round 1/1" in progress
    assert document["machine"]["durability"] == "fsync=on, synchronous_commit=on"


def test_counts_are_whole_round_trips_per_request(quick_run):
    document, _, _ = quick_run
    for setup in SETUP_KEYS:
        counts = counts_of(document, setup)
        assert counts["requests"] == document["plan"]["count"]
        assert counts["sql"] >= 2 and float(counts["sql"]).is_integer(), counts
        assert sum(counts["sql_statements"].values()) == counts["sql"]
        assert counts["redis"] is None  # the db engine talks to no Redis


def test_only_saving_every_request_writes_the_store(quick_run):
    document, _, _ = quick_run
    project, stock, save_every = (counts_of(document, key) for key in SETUP_KEYS)
    assert project["store_writes"] == 0 and project["session_cookie"] == 0
    assert stock["store_writes"] == 0 and stock["session_cookie"] == 0
    assert save_every["sql_statements"]["UPDATE django_session"] == 1
    assert save_every["store_writes"] >= 1 and save_every["session_cookie"] == 1


def test_the_project_pays_one_query_less_than_stock_on_db(quick_run):
    """Session, registry row and user in one query; stock reads the session, then the user."""
    document, _, _ = quick_run
    project, stock = counts_of(document, "project"), counts_of(document, "stock")
    assert project["sql"] == stock["sql"] - 1, (project["sql_statements"], stock["sql_statements"])
    assert project["sql_statements"]["SELECT session_security_session"] == 1


def test_stock_reads_no_registry_and_the_project_is_not_stock(quick_run):
    document, _, _ = quick_run
    stock = counts_of(document, "stock")["sql_statements"]
    project = counts_of(document, "project")["sql_statements"]
    assert not any("session_security" in statement for statement in stock), stock
    assert project != stock


def test_table_and_chart_show_every_setup(quick_run):
    document, _, chart = quick_run
    text = table(document)
    for column in ("req/s", "p50 ms", "p99 ms", "vs stock", "SQL/req", "writes/req"):
        assert column in text
    for setup in SETUPS:
        assert setup.label in text
    rows = [line for line in markdown(document).splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(SETUPS) and rows[1].startswith("| db | this project |")
    with Image.open(chart) as image:
        assert image.format == "PNG" and image.width >= 800
