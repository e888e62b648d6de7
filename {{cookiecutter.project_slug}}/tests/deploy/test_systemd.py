"""The shipped systemd units pass systemd's own checks.

There is no systemd to run them here: ``tests/deploy/test_nginx.py`` runs
their ``ExecStart``; this checks the rest with ``systemd-analyze``: the unit
parses and every setting is known (``verify``), and the hardening keeps the
exposure ``systemd-analyze security`` scores (0 best, 10 worst) at most 3.
The executable is the one substitution: the unit names the production path.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.shipped import Unit, render
from tests.fixtures.services import skip_missing

pytestmark = pytest.mark.standalone  # reads files; no engine, no database


def analyze(*arguments):
    if not shutil.which("systemd-analyze"):
        skip_missing("systemd-analyze", "systemd")
    return subprocess.run(
        ["systemd-analyze", *arguments], capture_output=True, text=True, timeout=60
    )


@pytest.fixture(params=["gunicorn", "uvicorn"])
def unit_file(request, tmp_path):
    """The unit as shipped, its executable in this environment's ``bin``."""
    unit = Unit(request.param)
    venv_bin = unit.setting("WorkingDirectory") + "/.venv/bin/"
    here = str(Path(sys.executable).parent) + "/"
    rendered = tmp_path / unit.path.name
    rendered.write_text(render(unit.path.read_text(), {venv_bin: here}, name=unit.path.name))
    return rendered


def test_the_units_verify_clean(unit_file):
    result = analyze("verify", str(unit_file))
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_the_units_are_hardened(unit_file):
    result = analyze("security", "--offline=yes", "--threshold=30", str(unit_file))
    assert result.returncode == 0, result.stdout[-1500:]
