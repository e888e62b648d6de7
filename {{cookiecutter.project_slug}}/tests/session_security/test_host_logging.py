"""Scanner noise: a refused Host header is one short audit line, never a traceback.

Internet scanners send random ``Host`` headers all day. Each is refused with
400 and logged as one ``host_refused`` line, the attacker's text cut short
and escaped; a real error still logs its full traceback.
"""

import logging

import httpx
import pytest
from django.test import Client
from django.urls import include, path

from tests.fixtures.servers import AppServer

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("a real bug")


# This module is also a URLconf (pytest.mark.urls): the project's, plus a bug.
urlpatterns = [path("broken/", broken_view), path("", include("config.urls"))]

HOSTILE = "evil.example\r\nX-Injected: 1\x1b[31m" + "A" * 2000


def audit_lines(caplog, event):
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "session_security.audit" and f"event={event}" in record.getMessage()
    ]


def test_a_refused_host_is_one_escaped_line_without_traceback(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/accounts/login/", HTTP_HOST=HOSTILE)
    assert response.status_code == 400

    lines = audit_lines(caplog, "host_refused")
    assert len(lines) == 1, caplog.text
    line = lines[0]
    assert line.startswith("event=host_refused ")
    assert "ip=127.0.0.1" in line and "path=/accounts/login/" in line
    # Cut short and escaped: no line break, no terminal escape, no 2 KB of it.
    assert len(line) < 300
    assert "\n" not in line and "\r" not in line and "\x1b" not in line
    assert "\\r\\nX-Injected: 1\\u001b[31m" in line
    # Nothing else: no DisallowedHost record, no traceback anywhere.
    assert not [r for r in caplog.records if r.name.startswith("django.security")]
    assert not [r for r in caplog.records if r.exc_info]
    assert "Traceback" not in caplog.text
    assert "A" * 100 not in caplog.text


@pytest.mark.urls(__name__)
def test_a_real_error_keeps_its_traceback(caplog):
    caplog.set_level(logging.INFO)
    response = Client(raise_request_exception=False).get("/broken/", secure=True)
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.name == "django.request"]
    assert len(errors) == 1 and errors[0].exc_info
    assert "Traceback" in caplog.text and "RuntimeError: a real bug" in caplog.text
    assert not audit_lines(caplog, "host_refused")


@pytest.mark.standalone  # the server runs the db engine
def test_a_served_instance_logs_scanners_in_one_line_each(app_env):
    """What the server's error log holds after a scan, through gunicorn."""
    with AppServer(app_env("db")) as server, httpx.Client(timeout=10) as scanner:
        # gunicorn itself refuses control characters; the rest reaches Django.
        hosts = [f"scan-{number}.invalid" for number in range(20)]
        hosts.append('evil.example"<script> ' + "A" * 2000)
        for host in hosts:
            response = scanner.get(
                server.url + "/accounts/login/",
                headers={"Host": host, "X-Forwarded-Proto": "https"},
            )
            assert response.status_code == 400
        log = server.log()
    assert log.count("event=host_refused") == len(hosts), log[-2000:]
    assert "Traceback" not in log and "Invalid HTTP_HOST" not in log
    assert "A" * 100 not in log
