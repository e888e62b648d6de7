"""Binding a session to the client's IP address and User-Agent."""

import pytest
from django.test import RequestFactory, override_settings

from session_security.clientip import client_ip
from session_security.models import SessionRecord
from tests.conftest import HttpsClient, assert_refused, is_signed_in, session_cookie, sign_in

pytestmark = pytest.mark.django_db

HOME = "203.0.113.10"
ELSEWHERE = "198.51.100.20"


def client_at(ip, user_agent="Browser/1", cookie=None):
    client = HttpsClient(REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)
    if cookie:
        client.cookies["__Host-sessionid"] = cookie
    return client


@pytest.mark.parametrize("mode", ["off", "log"])
def test_ip_change_keeps_the_session_unless_enforced(user, engine, settings, mode, caplog):
    settings.SESSION_BIND_IP = mode
    home = client_at(HOME)
    sign_in(home)
    thief = client_at(ELSEWHERE, cookie=session_cookie(home))
    assert is_signed_in(thief.get("/"))
    logged = [r.getMessage() for r in caplog.records if "binding_mismatch" in r.getMessage()]
    assert bool(logged) == (mode == "log")


def test_enforced_ip_binding_ends_the_session(user, engine, settings, caplog):
    settings.SESSION_BIND_IP = "enforce"
    home = client_at(HOME)
    sign_in(home)
    thief = client_at(ELSEWHERE, cookie=session_cookie(home))
    assert_refused(thief.get("/"))
    assert_refused(home.get("/"))  # the session itself is over
    assert SessionRecord.objects.get(user=user).end_reason == "ip_mismatch"
    assert any("binding_mismatch" in r.getMessage() for r in caplog.records)


def test_ip_prefix_allows_moves_within_the_network(user, engine, settings):
    settings.SESSION_BIND_IP = "enforce"
    settings.SESSION_BIND_IPV4_PREFIX = 24
    home = client_at("203.0.113.10")
    sign_in(home)
    assert is_signed_in(client_at("203.0.113.99", cookie=session_cookie(home)).get("/"))
    assert_refused(client_at("203.0.114.10", cookie=session_cookie(home)).get("/"))


def test_enforced_user_agent_binding(user, engine, settings):
    settings.SESSION_BIND_USER_AGENT = "enforce"
    home = client_at(HOME, "Browser/1")
    sign_in(home)
    assert is_signed_in(client_at(HOME, "Browser/1", session_cookie(home)).get("/"))
    assert_refused(client_at(HOME, "curl/8", session_cookie(home)).get("/"))


def request_from(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_forwarded_for_is_ignored_without_trusted_proxies():
    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert client_ip(request_from("10.0.0.1", "1.2.3.4")) == "10.0.0.1"


def test_client_ip_through_one_trusted_proxy_ignores_forged_entries():
    with override_settings(TRUSTED_PROXY_COUNT=1):
        # The client forged "6.6.6.6"; the proxy appended the real address.
        assert client_ip(request_from("10.0.0.1", "6.6.6.6, 203.0.113.5")) == "203.0.113.5"
        assert client_ip(request_from("10.0.0.1", "203.0.113.5")) == "203.0.113.5"
        # A request that skipped the proxy: trust only the direct peer.
        assert client_ip(request_from("10.0.0.1", "")) == "10.0.0.1"
        assert client_ip(request_from("10.0.0.1", "not-an-ip")) is None


def test_client_ip_through_two_proxies():
    with override_settings(TRUSTED_PROXY_COUNT=2):
        forwarded = "6.6.6.6, 203.0.113.5, 10.0.0.2"
        assert client_ip(request_from("10.0.0.1", forwarded)) == "203.0.113.5"


def test_forged_forwarded_for_cannot_dodge_ip_binding(user, engine, settings):
    settings.SESSION_BIND_IP = "enforce"
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    home = HttpsClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=HOME)
    sign_in(home)
    cookie = session_cookie(home)
    thief = HttpsClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{HOME}, {ELSEWHERE}")
    thief.cookies["__Host-sessionid"] = cookie
    assert_refused(thief.get("/"))
