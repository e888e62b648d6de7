"""What requests cost, counted where it happens: SQL on the connection,
commands on the real Redis, session cookies re-issued to the browser.

Counts do not depend on the machine, so they are asserted exactly (speed
does, so no test here asserts one).
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")
# Redis commands that change data; anything else a request sends is a read.
REDIS_WRITES = {
    "set",
    "setex",
    "psetex",
    "setnx",
    "del",
    "unlink",
    "expire",
    "pexpire",
    "getex",
    "incr",
    "incrby",
    "decr",
    "decrby",
    "flushdb",
}
# Commands the counting itself, or the client's connection set-up, sends.
REDIS_BOOKKEEPING = {"info", "config|resetstat", "config", "client|setinfo", "hello", "select"}


class RequestCost:
    """A context manager: ``with RequestCost(redis) as cost: ...``; then read the counts."""

    def __init__(self, redis=None, cookie_name="__Host-sessionid"):
        self.redis = redis
        self.cookie_name = cookie_name
        self.cookies = 0
        self.redis_calls = {}

    def __enter__(self):
        if self.redis is not None:
            self.redis.config_resetstat()
        self.queries = CaptureQueriesContext(connection)
        self.queries.__enter__()
        return self

    def __exit__(self, *exc_info):
        self.queries.__exit__(*exc_info)
        if self.redis is not None:
            stats = self.redis.info("commandstats")
            self.redis_calls = {
                name.removeprefix("cmdstat_"): value["calls"]
                for name, value in stats.items()
                if name.removeprefix("cmdstat_") not in REDIS_BOOKKEEPING
            }

    def saw(self, response):
        """Count a response that re-issued the session cookie (a signed-cookie write)."""
        if self.cookie_name in response.cookies and response.cookies[self.cookie_name].value:
            self.cookies += 1
        return response

    @property
    def sql(self):
        return [query["sql"] for query in self.queries.captured_queries]

    @property
    def sql_writes(self):
        return [sql for sql in self.sql if sql.startswith(WRITE_VERBS)]

    @property
    def redis_commands(self):
        return sum(self.redis_calls.values())

    @property
    def redis_writes(self):
        return sum(calls for name, calls in self.redis_calls.items() if name in REDIS_WRITES)

    @property
    def writes(self):
        """Every store write: SQL, Redis, and session cookies re-issued."""
        return len(self.sql_writes) + self.redis_writes + self.cookies

    def describe(self):
        return f"SQL: {self.sql}\nRedis: {self.redis_calls}\ncookies re-issued: {self.cookies}"
