"""The run fails, naming it, when a process the tests started outlives it."""

import os
import signal
import textwrap

import pytest

from tests.fixtures.processes import MARK_VARIABLE
from tests.fixtures.servers import PROJECT_DIR

# Not the bake's engine or database (the suite's own process checks, in nested
# runs): see ``once`` in pyproject.toml.
pytestmark = pytest.mark.once

LEAKY_TESTS = """
import subprocess

import pytest


@pytest.fixture(scope="session")
def forgotten_server():
    # Started with the run's environment, never stopped.
    return subprocess.Popen(["sleep", "300"])


@pytest.fixture
def hidden_server():
    # An empty environment (as redis-server's rewritten one): found because
    # the fixture's value is a process.
    return subprocess.Popen(["/bin/sleep", "301"], env={})


def test_uses_servers(forgotten_server, hidden_server):
    pass


def test_stops_its_server():
    process = subprocess.Popen(["sleep", "302"])
    process.terminate()
    process.wait()
"""


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def child(pytester, monkeypatch):
    pytester.makeini("[pytest]\n")
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_DIR))
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)

    def run(tests):
        pytester.makepyfile(test_child=textwrap.dedent(tests))
        return pytester.runpytest_subprocess(
            "-p", "tests.fixtures.processes", "-p", "no:django", "-p", "no:cacheprovider"
        )

    return run


def test_a_run_that_leaves_servers_behind_fails_and_kills_them(child):
    result = child(LEAKY_TESTS)
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["FAILED: 2 process(es) started by the tests outlived the run:*", "*sleep 30[01]*"]
    )
    text = result.stdout.str()
    assert "sleep 300" in text and "sleep 301" in text and "sleep 302" not in text
    pids = [int(line.split()[1].rstrip(":")) for line in text.splitlines() if "  pid " in line]
    assert len(pids) == 2 and not any(alive(pid) for pid in pids)


def test_a_clean_run_passes(child):
    result = child("def test_nothing():\n    pass\n")
    assert result.ret == pytest.ExitCode.OK
    assert "outlived the run" not in result.stdout.str()


def test_this_run_is_marked(request):
    assert MARK_VARIABLE in os.environ
    assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL


def test_pytest_redis_server_is_tracked(redis_proc):
    """redis-server writes its title over its environment, hiding the mark:
    the fixture's process is recorded instead."""
    from tests.fixtures.processes import TRACKED

    assert redis_proc.process.pid in TRACKED
