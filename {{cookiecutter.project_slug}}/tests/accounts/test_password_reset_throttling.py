"""Password-reset flooding: N mails per address, then silence that looks like success.

An attacker asks for resets of someone's address over and over, from one
client address or from several app servers behind a load balancer; or
sprays many addresses from one client. Past the limits no mail is sent, and
the answer is exactly the accepted one, so nobody learns whether the address
has an account or was throttled.
"""

import datetime
import logging

import pytest
import time_machine
from django.core import mail
from django.db import connection

from session_security.models import RateCounter
from session_security.storage.engines import fail_fast_options
from tests.conftest import PASSWORD, HttpsClient
from tests.fixtures.mail import SmtpServer
from tests.fixtures.servers import AppServer, Browser, running

pytestmark = pytest.mark.django_db

ADDRESS_LIMIT = 3
CLIENT_LIMIT = 5
WINDOW = 3600
HERE = "203.0.113.10"
ELSEWHERE = "198.51.100.20"
DONE = "/accounts/password/reset/sent/"
START = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def limits(settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = ADDRESS_LIMIT
    settings.PASSWORD_RESET_CLIENT_LIMIT = CLIENT_LIMIT
    settings.PASSWORD_RESET_WINDOW = WINDOW


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user(
        "alice", email="alice@example.org", password=PASSWORD
    )


def ask(client, address):
    response = client.post("/accounts/password/reset/", {"email": address})
    assert response.status_code == 302 and response["Location"] == DONE
    return response


def throttled_lines(caplog):
    return [
        record.getMessage()
        for record in caplog.records
        if record.getMessage().startswith("event=password_reset_throttled ")
    ]


def test_n_plus_one_requests_for_one_address_send_n_mails(alice, caplog):
    caplog.set_level(logging.INFO, logger="session_security.audit")
    answers = []
    # From different client addresses, in different spellings: one target.
    spellings = [
        "alice@example.org",
        "ALICE@example.org",
        " Alice@Example.org",
        "alice@example.org",
    ]
    for number, address in enumerate(spellings):
        client = HttpsClient(REMOTE_ADDR=f"192.0.2.{number + 1}")
        response = ask(client, address)
        answers.append((response.status_code, response["Location"], response.content))
    assert len(mail.outbox) == ADDRESS_LIMIT
    assert all(message.to == ["alice@example.org"] for message in mail.outbox)
    # The throttled answer is the accepted one, byte for byte.
    assert len(set(answers)) == 1
    lines = throttled_lines(caplog)
    assert len(lines) == 1
    assert "limit=address" in lines[0] and "ip=192.0.2.4" in lines[0]
    assert "alice" not in lines[0].lower() and "address_hash=" in lines[0]


def test_an_unknown_address_is_throttled_the_same_way(alice):
    client = HttpsClient(REMOTE_ADDR=HERE)
    known = [ask(client, "alice@example.org") for _ in range(ADDRESS_LIMIT + 1)]
    unknown = [ask(client, "nobody@example.org") for _ in range(ADDRESS_LIMIT + 1)]
    assert {r.content for r in known} == {r.content for r in unknown}
    assert len(mail.outbox) == ADDRESS_LIMIT


def test_the_address_may_ask_again_after_the_window(alice):
    client = HttpsClient(REMOTE_ADDR=HERE)
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(ADDRESS_LIMIT + 2):
            ask(client, "alice@example.org")
        assert len(mail.outbox) == ADDRESS_LIMIT
        clock.shift(WINDOW + 1)
        ask(client, "alice@example.org")
        assert len(mail.outbox) == ADDRESS_LIMIT + 1


def test_one_client_spraying_addresses_is_limited(django_user_model, caplog):
    caplog.set_level(logging.INFO, logger="session_security.audit")
    addresses = [f"user{number}@example.org" for number in range(CLIENT_LIMIT + 2)]
    for number, address in enumerate(addresses):
        django_user_model.objects.create_user(f"user{number}", email=address, password=PASSWORD)
    for number, address in enumerate(addresses):
        # A forged X-Forwarded-For changes nothing: no proxy is trusted.
        client = HttpsClient(REMOTE_ADDR=HERE, HTTP_X_FORWARDED_FOR=f"10.1.1.{number}")
        ask(client, address)
    assert len(mail.outbox) == CLIENT_LIMIT
    assert [message.to[0] for message in mail.outbox] == addresses[:CLIENT_LIMIT]
    lines = throttled_lines(caplog)
    assert len(lines) == 2 and all(
        "limit=client" in line and f"ip={HERE}" in line for line in lines
    )
    # Another client is not affected, and the sprayed addresses were not used up.
    ask(HttpsClient(REMOTE_ADDR=ELSEWHERE), addresses[-1])
    assert len(mail.outbox) == CLIENT_LIMIT + 1
    assert mail.outbox[-1].to == [addresses[-1]]


@pytest.mark.services
@pytest.mark.standalone  # the servers run the db engine
def test_two_app_servers_sharing_redis_send_n_mails_in_all(app_env, mail_user, redis_url):
    """The attacker alternates between instances: the count is shared in Redis."""
    with SmtpServer() as smtp:
        env = app_env(
            "db",
            CACHE_URL=redis_url,
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}?timeout=10",
            DJANGO_PASSWORD_RESET_ADDRESS_LIMIT=ADDRESS_LIMIT,
        )
        with running(AppServer(env), AppServer(env)) as servers, Browser() as attacker:
            for attempt in range(2 * ADDRESS_LIMIT):
                server = servers[attempt % 2]
                response = attacker.post(server, "/accounts/password/reset/", {"email": mail_user})
                assert response.status_code == 302 and response.headers["Location"] == DONE
            logs = [server.log() for server in servers]
        assert len(smtp.messages) == ADDRESS_LIMIT
        assert all(recipients == [mail_user] for recipients, _ in smtp.messages)
        refused = sum(log.count("event=password_reset_throttled") for log in logs)
        assert refused == ADDRESS_LIMIT
        assert all("Traceback" not in log for log in logs)


def test_without_its_counters_no_reset_mail_is_sent(alice, settings, caplog):
    """Redis down: the limit is blind, so nothing is sent (and nothing breaks)."""
    caplog.set_level(logging.INFO, logger="session_security.audit")
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": fail_fast_options(),
        },
    }
    ask(HttpsClient(REMOTE_ADDR=HERE), "alice@example.org")
    assert not mail.outbox
    assert "limit=store_unavailable" in throttled_lines(caplog)[0]


def test_without_its_database_counters_no_reset_mail_is_sent(alice, caplog):
    """No Redis and the counters' table unusable: nothing is sent either."""
    caplog.set_level(logging.INFO, logger="session_security.audit")
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:  # rolled back with the test
        cursor.execute(f"ALTER TABLE {table} RENAME TO gone_counters")
    ask(HttpsClient(REMOTE_ADDR=HERE), "alice@example.org")
    assert not mail.outbox
    assert "limit=store_unavailable" in throttled_lines(caplog)[0]
