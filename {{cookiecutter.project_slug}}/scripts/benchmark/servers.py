"""One app server process: gunicorn (WSGI) or uvicorn (ASGI) serving the project.

Each listens on its own free loopback port with 2 worker processes (the
usual ``2 x cores`` would leave nothing of a 2-core machine for PostgreSQL,
Redis and the load generator). Its output goes to a log file, shown if it
fails to start. ``cpu_seconds`` reads the CPU time the server's processes
have used from ``/proc``: per request, it varies far less with what else runs
on the machine than requests per second do.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from scripts.benchmark.services import free_port, stop_process

PROJECT_DIR = Path(__file__).resolve().parents[2]
KINDS = ("gunicorn", "uvicorn")


def command(kind, port, workers):
    if kind == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "config.wsgi:application"] + [
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--no-control-socket",
        ]  # fmt: skip
    return [sys.executable, "-m", "uvicorn", "config.asgi:application", "--no-access-log"] + [
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip


class AppServer:
    def __init__(self, kind, env, log_path, *, workers=2):
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            command(kind, self.port, workers),
            cwd=PROJECT_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def address(self):
        return ("127.0.0.1", self.port)

    def wait(self, timeout=60.0):
        """Until the port accepts connections (the workers load the app on the first request)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app server exited:\n{self.output()}")
            try:
                socket.create_connection(self.address, timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"the app server did not listen in {timeout:.0f} s:\n{self.output()}")

    def cpu_seconds(self):
        """User and system CPU time of the server process and its workers so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a process that just ended
            pid, ppid = int(stat.parent.name), int(fields[1])
            if self.process.pid in (pid, ppid):
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def output(self):
        self.log.flush()
        return Path(self.log_path).read_text(errors="replace")[-4000:]

    def stop(self):
        stop_process(self.process)
        self.log.close()
