"""Password-reset limits hold in the default configuration: no Redis, two workers.

A new user's deployment: no ``CACHE_URL``, gunicorn with two workers. An
attacker fires requests at once, so that both workers serve them; the
counts are in the database both share (SQLite or PostgreSQL), so the
limits are those documented, not one per worker.
"""

import secrets
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from tests.fixtures.mail import SmtpServer
from tests.fixtures.servers import (
    CSRF_FIELD,
    PID_ACCESS_LOG,
    AppServer,
    Browser,
    HeldRequest,
    manage,
    production_env,
    workers_serving,
)

pytestmark = [pytest.mark.services, pytest.mark.standalone]  # its own servers and databases

ADDRESS_LIMIT = 3
CLIENT_LIMIT = 5
REQUESTS = 10
FORM = "/accounts/password/reset/"


def new_mail_user(database_url):
    address = f"reset_{secrets.token_hex(4)}@example.org"
    script = (
        "from django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.create_user({address!r}, email={address!r}, "
        "password='x' * 20)\n"
    )
    manage(production_env(DATABASE_URL=database_url), "shell", "--no-imports", "-c", script)
    return address


def ask(server, address, client_address):
    """One attacker's request, from ``client_address`` (through one trusted proxy)."""
    with Browser() as browser:
        browser.client.headers["X-Forwarded-For"] = client_address
        response = browser.post(server, FORM, {"email": address})
    assert response.status_code == 302 and response.headers["Location"] == FORM + "sent/"


def held_ask(server, address, client_address):
    """``ask``, sent but for its last line (see ``HeldRequest``)."""
    with Browser() as browser:
        token = CSRF_FIELD.search(browser.get(server, FORM).text).group(1)
        cookies = "; ".join(f"{c.name}={c.value}" for c in browser.client.cookies.jar)
    headers = {
        "Cookie": cookies,
        "Origin": server.public_url,
        "Referer": server.public_url + FORM,
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-For": client_address,
    }
    body = urlencode({"csrfmiddlewaretoken": token, "email": address}).encode()
    return HeldRequest(server, "POST", FORM, headers, body)


def at_once(calls):
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        for future in [pool.submit(call, *args) for call, *args in calls]:
            future.result()


def test_two_workers_without_redis_send_n_mails_for_n_plus_one_requests(each_database):
    address = new_mail_user(each_database)
    # Client addresses of this run only: the PostgreSQL database is the session's.
    network = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    with SmtpServer() as smtp:
        env = production_env(
            DATABASE_URL=each_database,  # and no CACHE_URL: the default bake
            DJANGO_SECURE_PROXY_SSL_HEADER="on",
            DJANGO_TRUSTED_PROXY_COUNT=1,
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}?timeout=10",
            DJANGO_PASSWORD_RESET_ADDRESS_LIMIT=ADDRESS_LIMIT,
            DJANGO_PASSWORD_RESET_CLIENT_LIMIT=CLIENT_LIMIT,
            GUNICORN_CMD_ARGS=PID_ACCESS_LOG,
        )
        with AppServer(env, workers=2) as server:
            # One address, asked for from ten clients: one request keeps a worker
            # waiting while the other serves nine at once, then it is served.
            held = held_ask(server, address, f"{network}.100")
            at_once([(ask, server, address, f"{network}.{n + 1}") for n in range(REQUESTS - 1)])
            assert held.finish() == 302
            # One client spraying ten addresses at once (no account: no mail either way).
            spray = [f"nobody{n}_{secrets.token_hex(2)}@example.org" for n in range(REQUESTS)]
            at_once([(ask, server, sprayed, f"{network}.200") for sprayed in spray])
            log = server.log()
    assert len(smtp.messages) == ADDRESS_LIMIT
    assert all(recipients == [address] for recipients, _ in smtp.messages)
    assert log.count("limit=address") == REQUESTS - ADDRESS_LIMIT
    assert log.count("limit=client") == REQUESTS - CLIENT_LIMIT
    assert "store_unavailable" not in log and "Traceback" not in log, log[-3000:]
    # Both workers served some of them: a per-worker count would have let more through.
    assert len(workers_serving(log, "POST", FORM)) == 2, log[-3000:]
