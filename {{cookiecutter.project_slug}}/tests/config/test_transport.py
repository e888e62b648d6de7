"""HTTPS, security headers and cookie attributes, as a browser receives them."""

import io
import re

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_plain_http_is_redirected_to_https():
    response = Client().get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_security_headers(client):
    response = client.get("/accounts/login/")
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    csp = dict(
        directive.strip().split(" ", 1)
        for directive in headers["Content-Security-Policy"].split(";")
    )
    assert csp["default-src"] == "'none'"  # whatever is not listed does not load
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


def test_session_and_csrf_cookie_attributes(client, user, engine):
    client.get("/accounts/login/")
    response = sign_in(client)
    session = response.cookies["__Host-sessionid"]
    csrf = response.cookies["__Host-csrftoken"]
    for morsel in (session, csrf):
        assert morsel["secure"] is True
        assert morsel["path"] == "/"
        assert morsel["domain"] == ""
        assert morsel["samesite"] == "Lax"
    assert session["httponly"] is True
    # The CSRF cookie is readable by our own scripts on purpose (see settings).
    assert csrf["httponly"] == ""


def test_samesite_follows_the_setting(client, user, engine, settings):
    settings.SESSION_COOKIE_SAMESITE = settings.CSRF_COOKIE_SAMESITE = "Strict"
    client.get("/accounts/login/")
    response = sign_in(client)
    assert response.cookies["__Host-sessionid"]["samesite"] == "Strict"
    assert response.cookies["__Host-csrftoken"]["samesite"] == "Strict"


def test_pages_carry_a_csp_nonce_only_where_used(client):
    response = client.get("/accounts/login/")
    # Nothing inline to allow: scripts are files, or data that never runs.
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    assert all(" src=" in tag or 'type="application/json"' in tag for tag in scripts), scripts
    assert "style=" not in response.text


def test_csrf_failure_page_explains_secure_cookies():
    plain = Client(enforce_csrf_checks=True)
    response = plain.post(
        "/accounts/login/",
        {"username": "x"},
        secure=True,
        headers={"Origin": "https://testserver"},
    )
    assert response.status_code == 403
    assert "Secure" in response.text


def test_csrf_failure_with_a_cookie_does_not_blame_cookies(client):
    client.get("/accounts/login/")
    enforcing = client.__class__(enforce_csrf_checks=True)
    enforcing.cookies = client.cookies
    response = enforcing.post(
        "/accounts/login/", {"username": "x"}, headers={"Origin": "https://testserver"}
    )
    assert response.status_code == 403
    assert "did not send the security cookie" not in response.text


def test_oversized_signed_cookie_is_logged(client, user, settings, caplog):
    """ASVS 3.3.5: browsers drop cookies over 4096 bytes; say so loudly."""
    from importlib import import_module

    settings.SESSION_ENGINE = "session_security.storage.signed_cookies"
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["blob"] = "".join(f"{i:x}" for i in range(2000))  # barely compressible
    store.save()
    assert len(store.session_key) > 4096
    assert any("browsers drop cookies over 4096" in r.getMessage() for r in caplog.records)


def wsgi_get(application, path):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(application(environ, start_response))
    return seen["status"], seen["headers"], body


def test_static_files_are_served_by_the_wsgi_application():
    """gunicorn serves the CSS with production settings, before any collectstatic."""
    from config.wsgi import application

    status, headers, body = wsgi_get(application, "/static/css/site.css")
    assert status.startswith("200")
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert b"font-family" in body
    status, _, _ = wsgi_get(application, "/static/admin/css/base.css")
    assert status.startswith("200")
    status, _, _ = wsgi_get(application, "/static/../config/settings.py")
    assert status.startswith(("301", "404"))


def test_static_files_are_served_by_the_asgi_application():
    from asgiref.testing import ApplicationCommunicator

    from config.asgi import application

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/static/css/site.css",
        "raw_path": b"/static/css/site.css",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "scheme": "https",
        "server": ("testserver", 443),
    }

    async def fetch():
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(5)
        body = await communicator.receive_output(5)
        return start, body

    start, body = async_to_sync(fetch)()
    assert start["status"] == 200
    assert (b"cross-origin-resource-policy", b"same-origin") in [
        (name.lower(), value) for name, value in start["headers"]
    ]
    assert b"font-family" in body["body"]
