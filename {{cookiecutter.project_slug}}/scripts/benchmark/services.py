"""The stores the app servers talk to: a throwaway PostgreSQL and Redis.

Both run on loopback, on free ports, in one temporary directory, and stop
when the run ends (also on Ctrl-C). PostgreSQL keeps its durable defaults
(``fsync``, ``synchronous_commit`` and ``full_page_writes`` on): a session
write then costs what it costs in production, a flush to disk per commit. It
loads ``pg_stat_statements``, which counts every statement the servers send.
PostgreSQL refuses to run as root, so as root its commands run as the user
``postgres`` (made by Debian's package) through ``setpriv``.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

# Debian installs each major version side by side; the newest one wins.
POSTGRESQL_BINARIES = "/usr/lib/postgresql/*/bin"
REDIS_SERVER = "redis-server"


class MissingTool(RuntimeError):
    """A program the run needs is not installed; the message names its Debian package."""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


def postgresql_bindir():
    def version(bindir):
        return [int(part) for part in bindir.parent.name.split(".") if part.isdigit()]

    found = sorted(Path("/").glob(POSTGRESQL_BINARIES.lstrip("/")), key=version, reverse=True)
    found += [Path(p).parent for p in [shutil.which("pg_ctl")] if p]
    for bindir in found:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise MissingTool("PostgreSQL (initdb, pg_ctl): apt-get install postgresql")


class Services:
    """Starts the servers this run needs and stops them all in ``close``."""

    def __init__(self, tmp_dir=None):
        self.root = Path(tempfile.mkdtemp(prefix="benchmark-", dir=tmp_dir))
        self.stops = []

    def postgresql(self):
        """A fresh, durable cluster; returns a superuser URL of its ``postgres`` database."""
        bindir = postgresql_bindir()
        prefix = []
        base = self.root / "postgresql"
        base.mkdir()
        if os.geteuid() == 0:  # PostgreSQL will not run as root
            if not shutil.which("setpriv"):
                raise MissingTool(
                    "setpriv (to run PostgreSQL as postgres): apt-get install util-linux"
                )
            self.root.chmod(0o711)  # postgres must reach its directory, nothing more
            shutil.chown(base, "postgres", "postgres")
            prefix = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
        data, log, port = base / "data", base / "server.log", free_port()

        def pg(*command):
            subprocess.run([*prefix, *command], cwd=base, check=True, capture_output=True)

        # --no-sync only for initdb's own files; the running server syncs every commit.
        pg(bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {base} "
            "-c fsync=on -c synchronous_commit=on -c full_page_writes=on "
            "-c shared_preload_libraries=pg_stat_statements"
        )
        pg(bindir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start")
        self.stops.append(lambda: pg(bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"))
        return f"postgres://postgres@127.0.0.1:{port}/postgres"

    def redis(self):
        """A Redis without persistence; returns its URL."""
        server = shutil.which(REDIS_SERVER)
        if server is None:
            raise MissingTool("redis-server: apt-get install redis-server")
        port = free_port()
        process = subprocess.Popen(
            [server, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(self.root)]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        self.stops.append(lambda: stop_process(process))
        wait_until(lambda: answers_ping(port), "redis-server")
        return f"redis://127.0.0.1:{port}/0"

    def close(self):
        for stop in reversed(self.stops):
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                stop()  # and if one fails, stop the others all the same
        self.stops.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def answers_ping(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def stop_process(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
