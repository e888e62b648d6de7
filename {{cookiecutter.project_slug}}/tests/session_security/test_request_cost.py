"""What a signed-in request costs, per engine, under WSGI and ASGI.

Stock Django pays, per authenticated request: db 2 SQL (session, user),
cache 1 Redis + 1 SQL, cached_db 1 Redis + 1 SQL, signed_cookies 1 SQL. The
session layer reads the session's registry row with its user in one query
(on db, in the session's own query) and authentication takes that user, so
it pays no more (db: one query less), and never writes on a steady-state
request, not even in the first minute after sign-in.
"""

import pytest

from tests.conftest import HttpsClient, is_signed_in, sign_in

pytestmark = pytest.mark.django_db

# (SQL queries, Redis commands) per steady-state authenticated GET.
ROUND_TRIPS = {
    "db": (1, 0),
    "cache": (1, 1),
    "cached_db": (1, 1),
    "signed_cookies": (1, 0),
}


def assert_steady(cost, engine):
    sql, redis = ROUND_TRIPS[engine]
    assert len(cost.sql) == sql, cost.describe()
    assert cost.redis_commands == redis, cost.describe()
    assert cost.writes == 0, cost.describe()


def test_a_signed_in_request_costs_what_stock_django_pays(
    any_client, user, engine, quiet_policy, request_cost
):
    sign_in(any_client)
    any_client.get("/")
    with request_cost() as cost:
        response = cost.saw(any_client.get("/"))
    assert is_signed_in(response)
    assert_steady(cost, engine)


# What the one query looks up: the stored session, or the registry row.
READ_BY = {
    "db": 'FROM "session_security_session" LEFT OUTER JOIN "session_security_sessionrecord"',
    "cache": 'WHERE "session_security_sessionrecord"."id" =',
    "cached_db": 'WHERE "session_security_sessionrecord"."id" =',  # a cache hit
    "signed_cookies": 'WHERE "session_security_sessionrecord"."id" =',
}


def test_one_query_brings_the_registry_row_and_the_user(
    any_client, user, engine, quiet_policy, request_cost
):
    """By key or primary key, joined to the user: authentication loads nothing more."""
    sign_in(any_client)
    any_client.get("/")
    with request_cost() as cost:
        any_client.get("/")
    (query,) = cost.sql
    assert query.startswith("SELECT") and READ_BY[engine] in query
    assert 'JOIN "accounts_user"' in query
    assert "ORDER BY" not in query


def test_the_first_minute_after_sign_in_writes_nothing(
    any_client, user, engine, quiet_policy, clock, request_cost
):
    sign_in(any_client)
    with request_cost() as cost:
        for _ in range(6):
            clock.shift(10)
            assert is_signed_in(cost.saw(any_client.get("/")))
    assert cost.writes == 0, cost.describe()


# A signed cookie is checked by its signature, not looked up anywhere.
@pytest.mark.parametrize("engine", ["db", "cache", "cached_db"], indirect=True)
@pytest.mark.parametrize(
    "cookie",
    [
        "A" * 32,  # the right length, a letter Django never generates
        "a" * 31,
        "a" * 33,
        "a" * 31 + "-",
        "a" * 32 + "\n",
        "' OR '1'='1" + "a" * 21,
    ],
)
def test_a_garbled_session_key_never_reaches_the_store(
    user, engine, cookie, settings, request_cost
):
    """Refused by its shape: no query, no cache lookup, an anonymous visitor."""
    attacker = HttpsClient()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = cookie
    with request_cost() as cost:
        response = attacker.get("/accounts/login/")
    assert response.status_code == 200
    assert not [sql for sql in cost.sql if "session" in sql], cost.describe()
    assert cost.redis_commands == 0, cost.describe()
