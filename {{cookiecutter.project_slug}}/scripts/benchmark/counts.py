"""Round trips and store writes per request, as the servers count them.

SQL: ``pg_stat_statements`` counts each statement PostgreSQL executes, per
database (the app servers' only); the delta over a counted pass, divided by
its requests, is the SQL round trips per request (each statement Django
sends is one round trip), and the ``INSERT``/``UPDATE``/``DELETE`` among them
are the database writes. Redis: ``INFO commandstats`` deltas; which commands
write is asked of the server itself (``COMMAND INFO``: the ``write`` flag).
The counted pass runs while no other setup sends anything.
"""

import re
import time

import psycopg
import redis

SQL_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE")
FROM_TABLE = re.compile(r'\bFROM\s+"?([\w.]+)', re.I)
# Where each kind of statement names its (first) table.
TABLE = {
    "SELECT": FROM_TABLE,
    "DELETE": FROM_TABLE,
    "INSERT": re.compile(r'\bINTO\s+"?([\w.]+)', re.I),
    "UPDATE": re.compile(r'^UPDATE\s+"?([\w.]+)', re.I),
}
OWN = "pg_stat_statements"  # the tool's own statements, left out of the counts
# The tool's own Redis commands (its INFO and COMMAND INFO calls).
OWN_COMMANDS = ("info", "command|info")
# Django's per-request connection check (CONN_HEALTH_CHECKS), as normalised.
HEALTH_CHECK = "SELECT $1"
SNAPSHOT = """
    SELECT query, calls FROM pg_stat_statements
    WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def label(query):
    """``SELECT django_session``, ``UPDATE session_security_sessionrecord``, ``BEGIN``..."""
    text = " ".join(query.split())
    if text == HEALTH_CHECK:
        return "SELECT 1 (health check)"
    verb = text.split(" ", 1)[0].upper()
    found = TABLE[verb].search(text) if verb in TABLE else None
    return f"{verb} {found[1]}" if found else text[:40]


class SqlCounter:
    """Statements run in the database of ``url``; ``unavailable`` says why if none can be."""

    def __init__(self, url):
        self.connection = psycopg.connect(url, autocommit=True)
        self.unavailable = None
        try:
            self.connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            self.snapshot()
        except psycopg.Error as error:
            self.unavailable = f"pg_stat_statements: {str(error).strip()}"

    def snapshot(self):
        if self.unavailable:
            return None
        counts = {}
        for query, calls in self.connection.execute(SNAPSHOT):
            if OWN not in query:
                counts[label(query)] = counts.get(label(query), 0) + calls
        return counts

    def close(self):
        self.connection.close()


class RedisCounter:
    """Commands the Redis at ``url`` ran (all its clients: count one setup at a time)."""

    def __init__(self, url):
        self.client = redis.Redis.from_url(url)
        self.writes = {}

    def snapshot(self):
        stats = self.client.info("commandstats")
        return {
            name.removeprefix("cmdstat_"): value["calls"]
            for name, value in stats.items()
            if name.removeprefix("cmdstat_") not in OWN_COMMANDS
        }

    def is_write(self, command):
        if command not in self.writes:
            name = command.split("|")[0]  # "client|setinfo": the flags of "client"
            info = self.client.execute_command("COMMAND", "INFO", name)  # {name: {"flags": ...}}
            flags = (info.get(name) or {}).get("flags", [])
            self.writes[command] = "write" in flags
        return self.writes[command]

    def close(self):
        self.client.close()


def delta(before, after):
    changed = {name: calls - before.get(name, 0) for name, calls in after.items()}
    return {name: calls for name, calls in changed.items() if calls}


def settled(snapshot, timeout=15.0):
    """The counters once they stop moving: requests of the load just ended may still run."""
    deadline = time.monotonic() + timeout
    last = snapshot()
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = snapshot()
        if now == last:
            return now
        last = now
    raise RuntimeError("the servers kept working after the load stopped: nothing to count")


def per_request(counts, n):
    return {name: round(value / n, 3) for name, value in sorted(counts.items())}


def measure(pass_, n, sql, redis_counter, *, signed_cookies):
    """Run ``pass_()`` (``n`` requests) and return what they cost per request."""
    sql_before, redis_before = settled(
        lambda: (sql.snapshot(), redis_counter.snapshot() if redis_counter else None)
    )
    cookies = pass_()
    result = dict.fromkeys(("sql", "sql_writes", "redis", "redis_writes", "store_writes"))
    result["requests"] = n
    if sql_before is not None:
        statements = delta(sql_before, sql.snapshot())
        writes = {k: v for k, v in statements.items() if k.split()[0].upper() in SQL_WRITES}
        result |= {"sql": sum(statements.values()) / n, "sql_writes": sum(writes.values()) / n}
        result["sql_statements"] = per_request(statements, n)
    if redis_before is not None:
        commands = delta(redis_before, redis_counter.snapshot())
        writes = {k: v for k, v in commands.items() if redis_counter.is_write(k)}
        result |= {"redis": sum(commands.values()) / n, "redis_writes": sum(writes.values()) / n}
        result["redis_commands"] = per_request(commands, n)
    result["session_cookie"] = cookies["session_cookie"] / n
    result["set_cookie"] = cookies["set_cookie"] / n
    # The store's writes: rows and keys written; with signed cookies the cookie is the store.
    if result["sql_writes"] is not None:  # unknown without pg_stat_statements
        result["store_writes"] = (
            result["sql_writes"]
            + (result["redis_writes"] or 0)
            + (result["session_cookie"] if signed_cookies else 0)
        )
    return result
