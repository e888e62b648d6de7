"""The shipped ``deploy/`` files, proven as shipped: Debian's nginx with the
site of ``deploy/nginx/`` in front of the app server started by the
``ExecStart`` of ``deploy/systemd/``, with the environment of
``deploy/env.example``, under gunicorn and under uvicorn.

The client connects from 127.0.0.2 (all of 127/8 is loopback) and nginx to
the app server from 127.0.0.1, so the client's address and the proxy's
differ, as on a real host; the client also forges ``X-Forwarded-For``.
"""

import re
import ssl
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.deploy.shipped import Nginx, Unit, UnitServer, env_file
from tests.fixtures.servers import CSRF_FIELD, create_users, manage, production_env

pytestmark = pytest.mark.standalone  # its own servers, database and session engine

CLIENT = "127.0.0.2"
PROXY = "127.0.0.1"
FORGED = "203.0.113.9"
IP_CELL = re.compile(r'data-label="IP address">([^<]*)<')
COLLECT = (
    "from django.core.management import call_command\n"
    "from django.test.utils import override_settings\n"
    "with override_settings(STATIC_ROOT={root!r}):\n"
    "    call_command('collectstatic', '--no-input', verbosity=0)\n"
)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """``collectstatic`` into a folder of its own, plus a file only nginx can serve."""
    root = tmp_path_factory.mktemp("staticfiles")
    manage(production_env(), "shell", "--no-imports", "-c", COLLECT.format(root=str(root)))
    (root / "only-on-disk.txt").write_text("served by nginx\n")
    return root


@contextmanager
def deployed(kind, *, database, static_root, certificate, directory, **environment):
    """nginx in front of the unit's app server; yields nginx."""
    unit = Unit(kind)
    assert unit.setting("EnvironmentFile").startswith("/etc/"), unit.setting("EnvironmentFile")
    nginx_dir = directory / f"nginx-{kind}"
    nginx_dir.mkdir()
    env = env_file()
    for name in ("DJANGO_SECURE_PROXY_SSL_HEADER", "DJANGO_TRUSTED_PROXY_COUNT"):
        assert name in env, f"deploy/env.example does not set {name}"
    env.pop("CACHE_URL", None)
    # What a machine sets for itself (the ports are only known here); the
    # proxy settings and everything else stay as shipped unless a test says.
    env.update(
        DJANGO_SECRET_KEY="test-only-" + "s" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database,
        DJANGO_SESSION_ENGINE="db",
        **environment,
    )
    server = UnitServer(production_env(**env), unit)
    nginx = Nginx(
        nginx_dir, upstream_port=server.port, certificate=certificate, static_root=static_root
    )
    server.env["DJANGO_CSRF_TRUSTED_ORIGINS"] = nginx.https_url
    with server:
        nginx.start()
        try:
            yield nginx
        finally:
            nginx.stop()


@pytest.fixture(scope="module", params=["gunicorn", "uvicorn"])
def proxy(request, app_database, static_root, tls_certificate, tmp_path_factory):
    with deployed(
        request.param,
        database=app_database,
        static_root=static_root,
        certificate=tls_certificate.tls,
        directory=tmp_path_factory.mktemp("deploy"),
    ) as nginx:
        yield nginx


def client(certificate, **headers):
    """A client on 127.0.0.2 that trusts the throwaway certificate."""
    context = ssl.create_default_context(cafile=str(certificate.certfile))
    transport = httpx.HTTPTransport(verify=context, local_address=CLIENT)
    return httpx.Client(transport=transport, headers=headers, timeout=15)


def new_users(database, count):
    return create_users(production_env(DATABASE_URL=database), *["proxied"] * count)


def signed_in_address(nginx, certificate, username, **headers):
    """Sign ``username`` in through ``nginx``; the address their session list shows."""
    with client(certificate, **headers) as browser:
        login = browser.get(f"{nginx.https_url}/accounts/login/")
        assert login.status_code == 200, (login.status_code, login.text[:300])
        response = browser.post(
            f"{nginx.https_url}/accounts/login/",
            data={
                "csrfmiddlewaretoken": CSRF_FIELD.search(login.text).group(1),
                "username": username,
                "password": PASSWORD,
            },
            headers={"Origin": nginx.https_url, "Referer": f"{nginx.https_url}/accounts/login/"},
        )
        assert response.status_code == 302, (response.status_code, response.text[:300])
        sessions = browser.get(f"{nginx.https_url}/accounts/sessions/")
        assert sessions.status_code == 200, sessions.status_code
        (address,) = IP_CELL.findall(sessions.text)
        return address


def test_plain_http_is_redirected_and_https_carries_hsts(proxy, tls_certificate):
    with client(tls_certificate) as browser:
        plain = browser.get(f"{proxy.http_url}/accounts/login/?next=/")
        assert plain.status_code == 301
        assert plain.headers["Location"] == f"{proxy.https_url}/accounts/login/?next=/"

        secure = browser.get(plain.headers["Location"])
        assert secure.status_code == 200, (secure.status_code, secure.headers)
        assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_session_list_shows_the_client_address_not_a_forged_one(
    proxy, tls_certificate, app_database
):
    honest, forging = new_users(app_database, 2)
    assert signed_in_address(proxy, tls_certificate, honest) == CLIENT
    forged = {"X-Forwarded-For": FORGED}
    assert signed_in_address(proxy, tls_certificate, forging, **forged) == CLIENT


@pytest.mark.parametrize("kind", ["gunicorn", "uvicorn"])
def test_the_app_server_reads_no_forwarded_header_itself(
    kind, app_database, static_root, tls_certificate, tmp_path
):
    """Told to trust no proxy (``DJANGO_TRUSTED_PROXY_COUNT=0``), the app sees
    the peer it is connected to, nginx: uvicorn's own proxy-header handling
    (on by default for 127.0.0.1) would have read the header first."""
    (username,) = new_users(app_database, 1)
    with deployed(
        kind,
        database=app_database,
        static_root=static_root,
        certificate=tls_certificate.tls,
        directory=tmp_path,
        DJANGO_TRUSTED_PROXY_COUNT="0",
    ) as nginx:
        forged = {"X-Forwarded-For": FORGED}
        address = signed_in_address(nginx, tls_certificate, username, **forged)
    assert address == PROXY


def test_static_files_are_served_by_nginx(proxy, tls_certificate):
    with client(tls_certificate) as browser:
        probe = browser.get(f"{proxy.https_url}/static/only-on-disk.txt")
        assert probe.status_code == 200 and probe.text == "served by nginx\n"

        collected = browser.get(
            f"{proxy.https_url}/static/admin/css/base.css", headers={"Accept-Encoding": "gzip"}
        )
    assert collected.status_code == 200
    assert collected.headers["Cache-Control"] == "max-age=3600"
    assert collected.headers["Content-Encoding"] == "gzip"  # collectstatic's copy
    assert collected.headers["X-Content-Type-Options"] == "nosniff"
