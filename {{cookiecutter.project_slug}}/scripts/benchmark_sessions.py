#!/usr/bin/env python
"""What tracking the idle timeout costs: this project against "save every request".

Two setups of this same project, same session engine, same database:

A  secure-django       the project as configured: SessionSecurityMiddleware; the
                       idle timeout is enforced from the session registry, whose
                       last-seen time is written at most once per refresh window
                       (1/20 of DJANGO_SESSION_IDLE_TIMEOUT, 1 s to 5 min).
B  save every request  Django's own ``SessionMiddleware`` in place of ours and
                       ``SESSION_SAVE_EVERY_REQUEST = True``: the usual advice
                       for an idle timeout, which writes the session (and sends
                       its cookie) on every request. Nothing else changes; the
                       registry row is still created at sign-in, never read.

For each engine (db, cached_db, cache, signed_cookies) each setup signs in through
the login form, then requests ``GET /`` as that user, in real time (nothing
advances the clock): the steady state of an active user. The counts are taken
right after sign-in, inside A's refresh window; timed rounds that run longer
also include A's one write per window, as production would. Reported per engine:

- requests per second: the median over several rounds, A and B alternating in
  the order ABBA so that drift on the machine hits both alike, and the ratio
  A/B. Throughput is noisy on a shared machine: compare the ratio within one
  run, never absolute numbers across runs or machines.
- counts per request, measured in a separate pass (they do not depend on the
  machine): SQL statements, SQL writes (INSERT/UPDATE/DELETE, by table), Redis
  commands (from the ``INFO commandstats`` delta), and Set-Cookie headers.
  "store writes" counts writes to the session store itself: rows of
  ``django_session``, Redis write commands, and for signed cookies the session
  cookie (the cookie is the store).

Why in-process (Django's test ``Client``, every request ``secure=True`` as the
production settings redirect HTTP to HTTPS) rather than gunicorn and an HTTP
client: it measures the session layer and the view, not HTTP parsing, sockets
or a load generator competing for the same two cores; and the SQL and cache
counts come from inside the process that makes them. Everything a real server
adds is a fixed cost per request that both setups pay, so the end-to-end ratio
is closer to 1 than the one printed here, while the writes per request are the
same. One difference from a server: the test client skips Django's
``close_old_connections`` per request, so the persistent connection sees no
health-check query (``CONN_HEALTH_CHECKS``); again the same for A and B.

Databases: SQLite in a temporary file by default (Django's defaults: rollback
journal, ``synchronous=FULL``, an fsync per commit). ``--postgres`` starts a
throwaway PostgreSQL server with durable commits (``fsync=on``,
``synchronous_commit=on``) in a temporary directory, as user ``postgres`` when
run as root. ``--database-url`` uses an existing database instead: the script
migrates it and adds users, so give it a throwaway one. The cache engines need
Redis: the script starts its own ``redis-server`` on a free loopback port
(no persistence), or uses ``--redis-url``; without either they are skipped.

How it runs: settings are process-wide, so each (setup, engine) is a worker
subprocess of this script (``--worker A db``) that configures Django from
environment variables (production settings: debug off, HTTPS, secure cookies,
``DJANGO_CONN_MAX_AGE=60``), signs in, and then answers commands on stdin with
one JSON line each; the parent interleaves them and prints the tables (or, with
``--json``, one JSON document). Only the password hasher differs from
production, as in the test settings: signing in is not measured, and Argon2
would only slow the start.

    uv run python scripts/benchmark_sessions.py      # SQLite; 1-2 min idle, longer if busy
    uv run python scripts/benchmark_sessions.py --postgres
    uv run python scripts/benchmark_sessions.py --quick --engines db,signed_cookies --json
"""

import argparse
import collections
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
ENGINES = ("db", "cached_db", "cache", "signed_cookies")
REDIS_ENGINES = ("cached_db", "cache")
SETUPS = {"A": "secure-django", "B": "save every request"}

OUR_MIDDLEWARE = "session_security.middleware.SessionSecurityMiddleware"
DJANGO_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"

PASSWORD = "benchmark password, not a secret 42"  # noqa: S105
SQL_WRITES = ("INSERT", "UPDATE", "DELETE")
WRITE_TABLE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[`"]?([\w.]+)', re.I)
# What Django's RedisCache sends to write (set, add, touch, delete, incr).
REDIS_WRITES = {"set", "setex", "psetex", "del", "unlink", "expire", "pexpire", "persist", "incrby"}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

FULL = {"rounds": 10, "requests": 150, "warmup": 30, "count": 50}
QUICK = {"rounds": 2, "requests": 20, "warmup": 3, "count": 5}


# --- the worker: one setup, one engine, one process -------------------------


def worker(setup, engine):
    """Configure Django, sign in, then answer commands on stdin, one JSON line each.

    Commands: ``migrate`` (sent to one worker only), ``signin`` (answers facts
    about the setup), ``count N`` (an instrumented pass), ``time N`` (a timed
    pass), ``quit``. The parent sends ``signin`` to one worker at a time:
    signing in writes, and SQLite would make concurrent writers wait.
    """
    # The protocol owns the real stdout; anything else printed goes to stderr.
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    import config.settings as project_settings

    if setup == "B":
        if OUR_MIDDLEWARE not in project_settings.MIDDLEWARE:
            raise SystemExit(f"{OUR_MIDDLEWARE} is not in MIDDLEWARE: nothing to replace")
        project_settings.MIDDLEWARE = [
            DJANGO_MIDDLEWARE if name == OUR_MIDDLEWARE else name
            for name in project_settings.MIDDLEWARE
        ]
        project_settings.SESSION_SAVE_EVERY_REQUEST = True
    # Signing in is not measured, and Argon2 at its production cost takes a
    # good second per hash on a busy machine (the test settings do the same).
    project_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django.setup()

    send(protocol, {"booted": f"{setup}/{engine}"})
    client = None
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "migrate":
            migrate()
            send(protocol, {"migrated": True})
        elif command == "signin":
            client, info = sign_in(setup, engine)
            send(protocol, info)
        elif command == "count":
            send(protocol, count_pass(client, int(argument)))
        elif command == "time":
            send(protocol, timed_pass(client, int(argument)))
        elif command == "quit":
            break
        else:
            raise SystemExit(f"unknown worker command {line!r}")


def migrate():
    """Create the schema, without waiting for the disk: only the benchmark must be durable."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.backends.signals import connection_created

    def no_sync(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA synchronous = OFF")  # this connection only
            elif connection.vendor == "postgresql":
                cursor.execute("SET synchronous_commit TO off")  # this session only

    connection_created.connect(no_sync)
    try:
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
    finally:
        connection_created.disconnect(no_sync)
        connection.close()  # the benchmark gets a new connection, durable again


def send(protocol, message):
    protocol.write(json.dumps(message) + "\n")


def sign_in(setup, engine):
    """A new user, signed in through the login form; returns the client and facts."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from session_security.policy import Policy

    username = f"bench-{setup.lower()}-{engine}"
    user_model = get_user_model()
    user_model.objects.filter(username=username).delete()
    user_model.objects.create_user(username=username, password=PASSWORD)

    client = Client(enforce_csrf_checks=True)
    login_url = reverse("accounts:login")
    page = client.get(login_url, secure=True)
    token = CSRF_FIELD.search(page.content.decode())
    if page.status_code != 200 or token is None:
        raise SystemExit(f"login page: status {page.status_code}, CSRF token found: {bool(token)}")
    origin = "https://testserver"
    response = client.post(
        login_url,
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        secure=True,
        headers={"origin": origin, "referer": origin + login_url},
    )
    if response.status_code != 302:
        raise SystemExit(f"sign-in failed: status {response.status_code}")
    home = client.get("/", secure=True)
    if home.status_code != 200 or username.encode() not in home.content:
        raise SystemExit(f"GET / after sign-in: status {home.status_code}")

    return client, {
        "setup": setup,
        "engine": engine,
        "session_engine": settings.SESSION_ENGINE,
        "session_middleware": next(
            name for name in settings.MIDDLEWARE if name in (OUR_MIDDLEWARE, DJANGO_MIDDLEWARE)
        ),
        "save_every_request": settings.SESSION_SAVE_EVERY_REQUEST,
        "idle_timeout": settings.SESSION_IDLE_TIMEOUT,
        "refresh_window": Policy.from_settings().refresh_window,
        "rotation_interval": settings.SESSION_ROTATION_INTERVAL,
        "database": database_facts(connection),
        "cache": settings.CACHES["sessions"]["BACKEND"].rsplit(".", 1)[-1],
        "python": platform.python_version(),
        "django": django_version(),
    }


def django_version():
    import django

    return django.get_version()


def database_facts(connection):
    """The database and how durable its commits are."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            synchronous = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[cursor.fetchone()[0]]
            cursor.execute("SELECT sqlite_version()")
            version = cursor.fetchone()[0]
            return {
                "vendor": "sqlite",
                "version": version,
                "durability": f"journal_mode={journal}, synchronous={synchronous}",
            }
        if connection.vendor == "postgresql":
            values = {}
            for name in ("server_version", "fsync", "synchronous_commit"):
                cursor.execute(f"SHOW {name}")
                values[name] = cursor.fetchone()[0]
            return {
                "vendor": "postgresql",
                "version": values["server_version"],
                "durability": f"fsync={values['fsync']}, "
                f"synchronous_commit={values['synchronous_commit']}",
            }
    return {"vendor": connection.vendor, "version": "", "durability": "unknown"}


STATS_CLIENT = []


def redis_commandstats():
    """Calls per command on the session cache's Redis, or ``None`` without one."""
    from django.conf import settings

    config = settings.CACHES["sessions"]
    if not config["BACKEND"].endswith("RedisCache"):
        return None
    if not STATS_CLIENT:  # one connection: its handshake is never counted
        import redis

        location = config["LOCATION"]
        location = location[0] if isinstance(location, (list, tuple)) else location
        STATS_CLIENT.append(redis.Redis.from_url(location.split(",")[0]))
    stats = STATS_CLIENT[0].info("commandstats")
    return {
        name.removeprefix("cmdstat_"): value["calls"]
        for name, value in stats.items()
        if name != "cmdstat_info"  # our own INFO calls
    }


def count_pass(client, n):
    """Statements, writes, Redis commands and cookies over ``n`` requests, per request."""
    from django.conf import settings
    from django.db import connection

    from session_security.models import SessionRecord

    sql = collections.Counter()
    verbs = collections.Counter()
    writes = collections.Counter()

    def count_sql(execute, statement, params, many, context):
        sql["all"] += 1
        verbs[statement.split(None, 1)[0].upper()] += 1
        if statement.lstrip()[:6].upper() in SQL_WRITES:
            match = WRITE_TABLE.match(statement)
            writes[match.group(1) if match else "?"] += 1
        return execute(statement, params, many, context)

    cookies = collections.Counter()
    before = redis_commandstats()
    with connection.execute_wrapper(count_sql):
        for _ in range(n):
            response = client.get("/", secure=True)
            if response.status_code != 200:
                raise SystemExit(f"GET / answered {response.status_code}: signed out?")
            cookies["all"] += len(response.cookies)
            cookies["session"] += settings.SESSION_COOKIE_NAME in response.cookies
    after = redis_commandstats()

    redis_calls = {}
    if before is not None:
        redis_calls = {
            name: calls - before.get(name, 0)
            for name, calls in after.items()
            if calls != before.get(name, 0)
        }
    session_table = "django_session"
    store_writes = writes[session_table] + sum(
        calls for name, calls in redis_calls.items() if name in REDIS_WRITES
    )
    if settings.SESSION_ENGINE.endswith("signed_cookies"):
        store_writes += cookies["session"]

    def per(value):
        return round(value / n, 3)

    return {
        "requests": n,
        "sql": per(sql["all"]),
        "sql_by_verb": {verb: per(k) for verb, k in sorted(verbs.items())},
        "sql_writes": per(sum(writes.values())),
        "sql_writes_by_table": {table: per(k) for table, k in sorted(writes.items())},
        "registry_writes": per(writes[SessionRecord._meta.db_table]),
        "redis": per(sum(redis_calls.values())) if before is not None else None,
        "redis_by_command": {name: per(k) for name, k in sorted(redis_calls.items())},
        "set_cookie": per(cookies["all"]),
        "session_cookie": per(cookies["session"]),
        "store_writes": per(store_writes),
    }


def timed_pass(client, n):
    failures = 0
    start = time.perf_counter()
    for _ in range(n):
        failures += client.get("/", secure=True).status_code != 200
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"{failures} of {n} requests did not answer 200")
    return {"requests": n, "seconds": elapsed, "rps": n / elapsed}


# --- the parent: services, workers, interleaving, report -------------------


class Worker:
    """One ``--worker SETUP ENGINE`` subprocess and its line protocol."""

    def __init__(self, setup, engine, env):
        self.name = f"{setup}/{engine}"
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(Path(__file__).resolve()), "--worker", setup, engine],
            cwd=PROJECT_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def receive(self):
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            raise RuntimeError(f"worker {self.name} exited with {code} (its errors are above)")
        return json.loads(line)

    def ask(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.receive()

    def close(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, what, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


def redis_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Services:
    """The Redis and PostgreSQL servers this run started; stops them on exit."""

    def __init__(self, tmp):
        self.tmp = Path(tempfile.mkdtemp(prefix="benchmark-sessions-", dir=tmp))
        self.redis = None
        self.postgres = None

    def start_redis(self, server):
        port = free_port()
        self.redis = subprocess.Popen(  # noqa: S603
            [server, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(self.tmp)]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: redis_answers(port), "redis-server")
        return f"redis://127.0.0.1:{port}/0"

    def start_postgres(self, bindir):
        """A throwaway server with durable commits, as ``postgres`` when run as root."""
        base = self.tmp / "postgres"
        base.mkdir()
        as_postgres = []
        if os.geteuid() == 0:
            import pwd

            account = pwd.getpwnam("postgres")
            os.chmod(self.tmp, 0o711)  # noqa: S103 (postgres must reach its directory)
            os.chown(base, account.pw_uid, account.pw_gid)
            as_postgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
        data, port = base / "data", free_port()
        quiet = {"stdout": subprocess.DEVNULL, "check": True}
        subprocess.run(  # noqa: S603
            [*as_postgres, str(bindir / "initdb"), "-D", str(data)]
            + ["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            **quiet,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {base} "
            "-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
        )
        subprocess.run(  # noqa: S603
            [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log")]
            + ["-o", options, "-w", "start"],
            **quiet,
        )
        self.postgres = (as_postgres, bindir, data)
        return f"postgres://postgres@127.0.0.1:{port}/postgres"

    def stop(self):
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait()
        if self.postgres is not None:
            as_postgres, bindir, data = self.postgres
            subprocess.run(  # noqa: S603
                [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                stdout=subprocess.DEVNULL,
                check=False,
            )
        shutil.rmtree(self.tmp, ignore_errors=True)


def postgres_bindir(given):
    if given:
        return Path(given)
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    if not candidates:
        raise SystemExit("--postgres: no PostgreSQL binaries found; pass --pg-bin")
    return candidates[-1]


def worker_env(engine, database_url, redis_url):
    env = dict(os.environ)
    env.pop("CACHE_URL", None)
    env.update(
        {
            "DJANGO_DEBUG": "off",
            "DJANGO_SECRET_KEY": "benchmark-only-not-secret-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": database_url,
            "DJANGO_SESSION_ENGINE": engine,
            "DJANGO_CONN_MAX_AGE": "60",
            "DJANGO_AUDIT_LOG_LEVEL": "WARNING",  # no line per sign-in in the output
            "PYTHONUNBUFFERED": "1",
        }
    )
    if engine in REDIS_ENGINES:
        env["CACHE_URL"] = redis_url
    return env


def measure(engines, envs, plan, progress):
    """Every (engine, setup) worker: sign in, count, then timed rounds per engine.

    The workers start together (then wait on stdin until asked), but only one
    works at a time: they sign in and count one after another (the Redis counts
    are server-wide), then each engine's rounds alternate A and B in ABBA order.
    """
    workers = {
        (engine, setup): Worker(setup, engine, envs[engine])
        for engine in engines
        for setup in SETUPS
    }
    results = {engine: {setup: {"rps": []} for setup in SETUPS} for engine in engines}
    try:
        for w in workers.values():
            w.receive()
        progress("Creating the schema ...")
        next(iter(workers.values())).ask("migrate")
        progress("Signing in, counting queries, writes, Redis commands and cookies ...")
        for (engine, setup), w in workers.items():
            results[engine][setup]["info"] = w.ask("signin")
            if plan["warmup"]:
                w.ask(f"time {plan['warmup']}")
            results[engine][setup]["counts"] = w.ask(f"count {plan['count']}")
        for engine in engines:
            result = results[engine]
            for round_number in range(plan["rounds"]):
                order = ("A", "B") if round_number % 2 == 0 else ("B", "A")
                for setup in order:
                    timed = workers[engine, setup].ask(f"time {plan['requests']}")
                    result[setup]["rps"].append(round(timed["rps"], 1))
                progress(
                    f"  {engine}: round {round_number + 1}/{plan['rounds']}  "
                    f"A {result['A']['rps'][-1]:.0f}/s  B {result['B']['rps'][-1]:.0f}/s"
                )
    finally:
        for w in workers.values():
            w.close()
    for result in results.values():
        for setup in SETUPS:
            result[setup]["rps_median"] = round(statistics.median(result[setup]["rps"]), 1)
        paired = [a / b for a, b in zip(result["A"]["rps"], result["B"]["rps"], strict=True)]
        result["ratio"] = round(result["A"]["rps_median"] / result["B"]["rps_median"], 3)
        result["paired_ratios"] = [round(r, 3) for r in paired]
        result["paired_ratio_median"] = round(statistics.median(paired), 3)
    return results


def format_counts(counts, key):
    value = counts[key]
    return "-" if value is None else f"{value:.2f}"


def breakdown(mapping):
    return ", ".join(f"{name} {value:g}" for name, value in mapping.items()) or "-"


def report(document):
    lines = []
    plan = document["plan"]
    lines.append(
        f"Session cost per authenticated GET /: {plan['rounds']} rounds x {plan['requests']} "
        f"requests per setup (ABBA order), counts over {plan['count']} requests."
    )
    lines.append(
        "Throughput is noisy (shared machine, 2 cores): trust the A/B ratio within this run, "
        "not the absolute numbers. The counts are deterministic."
    )
    for engine, result in document["engines"].items():
        a, b = result["A"], result["B"]
        info = a["info"]
        db = info["database"]
        lines += [
            "",
            f"== {engine}  (database: {db['vendor']} {db['version']}, {db['durability']}; "
            f"session cache: {info['cache']})",
            f"{'':26}{'A secure-django':>18}{'B save every req':>18}{'A/B':>8}",
            f"{'requests/s (median)':26}{a['rps_median']:>18.0f}{b['rps_median']:>18.0f}"
            f"{result['ratio']:>7.2f}x",
            f"  A/B of each ABBA round: median {result['paired_ratio_median']:.2f}x, "
            f"range {min(result['paired_ratios']):.2f}-{max(result['paired_ratios']):.2f}",
        ]
        rows = [
            ("SQL statements / req", "sql"),
            ("SQL writes / req", "sql_writes"),
            ("Redis commands / req", "redis"),
            ("Set-Cookie / req", "set_cookie"),
            ("  of it the session's", "session_cookie"),
            ("session store writes / req", "store_writes"),
            ("registry writes / req", "registry_writes"),
        ]
        for label, key in rows:
            lines.append(
                f"{label:26}{format_counts(a['counts'], key):>18}"
                f"{format_counts(b['counts'], key):>18}"
            )
        for setup in SETUPS:
            counts = result[setup]["counts"]
            lines.append(
                f"  {setup}: SQL {breakdown(counts['sql_by_verb'])}; "
                f"writes {breakdown(counts['sql_writes_by_table'])}; "
                f"Redis {breakdown(counts['redis_by_command'])}"
            )
    for engine, reason in document["skipped"].items():
        lines.append(f"\n== {engine}: skipped ({reason})")
    first = next(iter(document["engines"].values()), None)
    if first:
        info = first["A"]["info"]
        lines.append(
            f"\nA writes the registry's last-seen time once per refresh window "
            f"({info['refresh_window']} s; idle timeout {info['idle_timeout']} s): the counts "
            "are taken inside it, the steady state of an active user."
        )
        lines.append(
            "Set-Cookie counts the CSRF cookie too: Django sends it again whenever a page "
            "uses the token (the sign-out form on every page)."
        )
        lines.append(f"Python {info['python']}, Django {info['django']}, {os.cpu_count()} CPUs.")
    return "\n".join(lines)


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a whole number of 1 or more")
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help="comma-separated session engines (default: %(default)s; the Redis ones are "
        "skipped when no redis-server is found and no --redis-url is given)",
    )
    database = parser.add_mutually_exclusive_group()
    database.add_argument(
        "--postgres",
        action="store_true",
        help="start a throwaway PostgreSQL server (fsync on) instead of using SQLite",
    )
    database.add_argument(
        "--database-url",
        help="an existing, throwaway database (it gets migrated and gets users)",
    )
    parser.add_argument(
        "--pg-bin",
        help="PostgreSQL binaries (default: found on PATH or the newest /usr/lib/postgresql/*/bin)",
    )
    parser.add_argument("--redis-url", help="an existing Redis instead of starting one")
    parser.add_argument(
        "--rounds", type=positive, help=f"timed rounds per setup ({FULL['rounds']})"
    )
    parser.add_argument(
        "--requests", type=positive, help=f"requests per timed round ({FULL['requests']})"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a tiny run that proves the script works: "
        + ", ".join(f"{k} {v}" for k, v in QUICK.items()),
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document instead of the tables"
    )
    parser.add_argument(
        "--tmp-dir",
        help="where the temporary files go (default: the "
        "system's; it must be a real disk for fsync to cost anything)",
    )
    parser.add_argument("--worker", nargs=2, metavar=("SETUP", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return args
    args.engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = set(args.engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        worker(*args.worker)
        return 0

    plan = dict(QUICK if args.quick else FULL)
    if args.rounds:
        plan["rounds"] = args.rounds
    if args.requests:
        plan["requests"] = args.requests

    started = time.monotonic()

    def progress(message):
        stream = sys.stderr if args.json else sys.stdout
        print(f"[{time.monotonic() - started:5.1f} s] {message}", file=stream, flush=True)

    services = Services(args.tmp_dir)
    # A terminating signal still stops the servers this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    document = {"plan": plan, "engines": {}, "skipped": {}}
    try:
        if args.database_url:
            database_url = args.database_url
        elif args.postgres:
            database_url = services.start_postgres(postgres_bindir(args.pg_bin))
        else:
            database_url = f"sqlite:///{services.tmp / 'benchmark.sqlite3'}"
        redis_url = args.redis_url
        if redis_url is None and any(name in REDIS_ENGINES for name in args.engines):
            server = shutil.which("redis-server")
            if server:
                redis_url = services.start_redis(server)
        document["plan"]["database"] = (
            "given URL"
            if args.database_url
            else ("postgresql (throwaway server)" if args.postgres else "sqlite (temporary file)")
        )
        engines = []
        for engine in args.engines:
            if engine in REDIS_ENGINES and redis_url is None:
                document["skipped"][engine] = "no redis-server on PATH and no --redis-url"
            else:
                engines.append(engine)
        progress(f"Starting {2 * len(engines)} workers ...")
        envs = {engine: worker_env(engine, database_url, redis_url) for engine in engines}
        document["engines"] = measure(engines, envs, plan, progress)
    finally:
        services.stop()

    if args.json:
        print(json.dumps(document, indent=2))
    else:
        print()
        print(report(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
