"""scripts/benchmark_sessions.py runs, and its counts say what the README claims.

One tiny run (``--quick``) on the engines that need no server (SQLite, signed
cookies). Only the counts are asserted: they do not depend on the machine.
The timings are checked for shape only, never for value.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SCRIPT = PROJECT_DIR / "scripts" / "benchmark_sessions.py"


@pytest.fixture(scope="module")
def quick_run():
    # The script configures its workers itself; nothing of this test run's
    # settings (tests.settings, its CACHE_URL...) may leak into them.
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_") and name not in ("CACHE_URL", "DATABASE_URL")
    }
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--engines", "db,signed_cookies", "--json"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout)


def test_help_explains_the_comparison():
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0
    for word in ("SESSION_SAVE_EVERY_REQUEST", "--postgres", "--quick", "--json", "--engines"):
        assert word in completed.stdout


def test_both_engines_ran_both_setups(quick_run):
    assert set(quick_run["engines"]) == {"db", "signed_cookies"}
    assert quick_run["skipped"] == {}
    rounds = quick_run["plan"]["rounds"]
    for result in quick_run["engines"].values():
        a, b = result["A"], result["B"]
        assert a["info"]["session_middleware"].startswith("session_security.")
        assert a["info"]["save_every_request"] is False
        assert b["info"]["session_middleware"] == (
            "django.contrib.sessions.middleware.SessionMiddleware"
        )
        assert b["info"]["save_every_request"] is True
        assert a["info"]["session_engine"] == b["info"]["session_engine"]
        for setup in (a, b):
            assert len(setup["rps"]) == rounds
            assert all(rps > 0 for rps in setup["rps"])
        assert result["ratio"] > 0


def test_db_engine_writes_only_when_saving_every_request(quick_run):
    a = quick_run["engines"]["db"]["A"]["counts"]
    b = quick_run["engines"]["db"]["B"]["counts"]
    assert a["store_writes"] == 0
    assert a["sql_writes"] == 0
    assert a["session_cookie"] == 0
    assert b["store_writes"] >= 1
    assert b["sql_writes_by_table"].get("django_session", 0) >= 1
    assert b["session_cookie"] == 1


def test_signed_cookies_resend_the_cookie_only_when_saving_every_request(quick_run):
    a = quick_run["engines"]["signed_cookies"]["A"]["counts"]
    b = quick_run["engines"]["signed_cookies"]["B"]["counts"]
    assert a["session_cookie"] == 0
    assert a["store_writes"] == 0
    assert a["sql_writes"] == 0
    assert b["session_cookie"] == 1
    assert b["store_writes"] == 1
    # Ours pays for the registry instead: one read by primary key per request.
    assert a["sql"] <= b["sql"] + 1
