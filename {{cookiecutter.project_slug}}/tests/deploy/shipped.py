"""The files of ``deploy/`` as shipped, rendered for loopback, and Debian's nginx.

Rendering replaces only ports, paths and the certificate, and each text it
replaces must be found in the shipped file: a shipped file that changes shape
fails the test instead of being left out of it.
"""

import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fixtures.processes import carry_mark, stop_process
from tests.fixtures.servers import PROJECT_DIR, AppServer
from tests.fixtures.services import free_port, skip_missing

DEPLOY = PROJECT_DIR / "deploy"
SHIPPED_PORT = "8000"  # the app server's port in the units and the nginx upstream


def render(text, replacements, *, name):
    """``text`` with each ``old`` of ``replacements`` replaced; every one must occur."""
    for old, new in replacements.items():
        assert old in text, f"{name} no longer holds {old!r}: update tests/deploy/"
        text = text.replace(old, new)
    return text


def env_file(path=DEPLOY / "env.example"):
    """``{name: value}`` of an EnvironmentFile (``NAME=value`` lines, ``#`` comments)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, separator, value = line.partition("=")
            assert separator, f"{path.name}: not NAME=value: {line!r}"
            values[name.strip()] = value.strip()
    return values


class Unit:
    """A systemd unit of ``deploy/systemd/``: its ``[Service]`` settings."""

    def __init__(self, kind):
        (self.path,) = (DEPLOY / "systemd").glob(f"*-{kind}.service")
        self.kind = kind
        self.settings = {}
        for line in self.path.read_text().replace("\\\n", " ").splitlines():
            name, separator, value = line.partition("=")
            if separator and not line.startswith("#"):
                self.settings.setdefault(name.strip(), []).append(value.strip())

    def setting(self, name):
        (value,) = self.settings[name]
        return value

    def command(self, port):
        """ExecStart for ``port``, run from this environment's ``bin`` directory
        (the unit's ``WorkingDirectory/.venv/bin``)."""
        venv_bin = self.setting("WorkingDirectory") + "/.venv/bin/"
        bind = {
            "gunicorn": {"--bind 127.0.0.1:" + SHIPPED_PORT: f"--bind 127.0.0.1:{port}"},
            "uvicorn": {
                "--host 127.0.0.1": "--host 127.0.0.1",
                "--port " + SHIPPED_PORT: f"--port {port}",
            },
        }[self.kind]
        here = str(Path(sys.executable).parent) + "/"
        exec_start = render(
            self.setting("ExecStart"), {venv_bin: here, **bind}, name=self.path.name
        )
        return shlex.split(exec_start)


class UnitServer(AppServer):
    """The app server as its unit starts it, on a free loopback port."""

    def __init__(self, env, unit):
        super().__init__(env, kind=unit.kind)
        self.unit = unit

    def command(self):
        return self.unit.command(self.port)


MAIN_CONF = """\
daemon off;
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {site};
}
"""


class Nginx:
    """Debian's nginx serving the shipped site, rendered for loopback ports;
    the main configuration stands in for Debian's ``/etc/nginx/nginx.conf``."""

    def __init__(self, directory, *, upstream_port, certificate, static_root):
        if not shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin"):
            skip_missing("nginx", "nginx-light")
        self.directory = Path(directory)
        self.http_port, self.https_port = free_port(), free_port()
        (site,) = (DEPLOY / "nginx").glob("*.conf")
        text = site.read_text()
        certfile, keyfile = certificate
        loopback = {
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            "listen [::]:80;": f"listen [::1]:{self.http_port};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{self.https_port} ssl http2;",
            "listen [::]:443 ssl http2;": f"listen [::1]:{self.https_port} ssl http2;",
            "https://$host$request_uri": f"https://$host:{self.https_port}$request_uri",
            "server 127.0.0.1:" + SHIPPED_PORT + ";": f"server 127.0.0.1:{upstream_port};",
            line_value(text, "ssl_certificate"): str(certfile),
            line_value(text, "ssl_certificate_key"): str(keyfile),
            line_value(text, "alias"): f"{static_root}/",
        }
        self.site = self.directory / site.name
        self.site.write_text(render(text, loopback, name=site.name))
        user = "user root;" if os.geteuid() == 0 else ""  # workers read the test's 0700 folders
        self.conf = self.directory / "nginx.conf"
        self.conf.write_text(
            render(
                MAIN_CONF,
                {"{user}": user, "{dir}": str(self.directory), "{site}": str(self.site)},
                name="nginx.conf",
            )
        )
        self.process = None

    def start(self, timeout=10):
        nginx = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin")
        self.log_file = tempfile.TemporaryFile()  # noqa: SIM115
        command = [nginx, "-c", str(self.conf), "-p", str(self.directory)]
        command += ["-e", str(self.directory / "error.log")]
        self.process = subprocess.Popen(
            command,
            env=carry_mark(dict(os.environ)),
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen in {timeout}s:\n{self.log()}")

    def log(self):
        self.log_file.seek(0)
        error_log = self.directory / "error.log"
        errors = error_log.read_text() if error_log.exists() else ""
        return self.log_file.read().decode(errors="replace") + errors

    def stop(self):
        stop_process(self.process)
        self.log_file.close()

    @property
    def https_url(self):
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http_url(self):
        return f"http://127.0.0.1:{self.http_port}"


def line_value(text, directive):
    """The value of the one ``directive value;`` line in an nginx file."""
    (value,) = [
        line.strip().removeprefix(directive).strip().removesuffix(";")
        for line in text.splitlines()
        if line.strip().startswith(directive + " ")
    ]
    return value
