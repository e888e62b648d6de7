"""The command line: what to run, then the run, then the table (or JSON) and chart."""

import argparse
import signal
import sys
from dataclasses import asdict, dataclass

from scripts.benchmark import __doc__ as OVERVIEW
from scripts.benchmark import chart, database, load, machine, report, run
from scripts.benchmark.counts import RedisCounter, SqlCounter
from scripts.benchmark.progress import Progress
from scripts.benchmark.servers import KINDS
from scripts.benchmark.services import MissingTool, Services
from scripts.benchmark.setups import ENGINES, MIGRATED_BY, REDIS_ENGINES, chosen, environment


@dataclass
class Plan:
    engines: list
    rounds: int = 3
    seconds: int = 10
    warmup: int = 2
    count: int = 100
    connections: int = 8
    users: int = 8
    workers: int = 2
    server: str = "gunicorn"
    pool: str = "off"
    orm_read: bool = False


# Options that override the plan's defaults (and --quick's).
OVERRIDES = (
    "rounds", "seconds", "warmup", "count", "connections", "users", "workers", "server", "pool",
)  # fmt: skip
QUICK = {"rounds": 1, "seconds": 2, "warmup": 1, "count": 20, "users": 2}


@dataclass
class Stores:
    database: str
    redis: str | None
    sql: SqlCounter
    redis_counter: RedisCounter | None

    def uses_redis(self, engine):
        return engine in REDIS_ENGINES


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a whole number of 1 or more")
    return value


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m scripts.benchmark",
        description=OVERVIEW,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--engines", help=f"comma-separated, from {','.join(ENGINES)} (default: all; --quick: db)")
    add("--rounds", type=positive, help="timed rounds per setup (3)")
    add("--seconds", type=positive, help="length of one timed round (10)")
    add("--warmup", type=int, help="seconds of load before counting (2)")
    add("--count", type=positive, help="requests in the counted pass (100)")
    add("--connections", type=positive, help="connections the load generator keeps open (8)")
    add("--users", type=positive, help="signed-in users per setup, sent in turn (8)")
    add("--workers", type=positive, help="app server worker processes (2)")
    add("--server", choices=KINDS, help="gunicorn (WSGI, default) or uvicorn (ASGI)")
    add("--pool", choices=("on", "off"), help="psycopg's pool (DJANGO_DB_POOL): on under uvicorn")
    add("--orm-read", action="store_true", help="also this project reading through the ORM")
    add("--quick", action="store_true", help="one engine, one short round: proves the tool works")
    add("--database-url", help="an existing PostgreSQL database (it gets migrated, and users)")
    add("--redis-url", help="an existing Redis to use instead of starting one")
    add("--tmp-dir", help="where the throwaway servers keep their files (a real disk)")
    add("--json", action="store_true", help="print one JSON document instead of the table")
    add("--markdown", action="store_true", help="print the table as Markdown (docs/benchmark.md)")
    add("--chart", metavar="PNG", help="also draw the ratios per engine into this PNG file")
    args = parser.parse_args(argv)
    chosen = args.engines.split(",") if args.engines else (["db"] if args.quick else list(ENGINES))
    engines = [name.strip() for name in chosen if name.strip()]
    if unknown := set(engines) - set(ENGINES):
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    plan = Plan(engines=engines[:1] if args.quick else engines, **(QUICK if args.quick else {}))
    for name in OVERRIDES:
        if getattr(args, name) is not None:
            setattr(plan, name, getattr(args, name))
    plan.orm_read = args.orm_read
    if args.pool is None:  # each entry point's default on PostgreSQL
        plan.pool = "on" if plan.server == "uvicorn" else "off"
    return args, plan


def start_stores(args, plan, services):
    database_url = args.database_url or database.create(services.postgresql())
    redis_url = args.redis_url
    if redis_url is None and set(plan.engines) & set(REDIS_ENGINES):
        redis_url = services.redis()
    sql = SqlCounter(database_url)
    return Stores(database_url, redis_url, sql, RedisCounter(redis_url) if redis_url else None)


def measure(args, plan, services, progress):
    """Start the stores, run every engine; returns the document the reports are made of."""
    load.require_wrk()  # before anything starts
    progress.step("starting PostgreSQL and Redis, migrating the benchmark database")
    stores = start_stores(args, plan, services)
    names = [name for setup in chosen(plan) for name in run.usernames(setup, plan.users)]
    database.prepare(environment(MIGRATED_BY, "db", database_url=stores.database), names)
    raw = {
        engine: run.engine_run(engine, plan, stores, progress, services.root)
        for engine in plan.engines
    }
    redis = stores.redis_counter
    redis_version = redis.client.info("server")["redis_version"] if redis else None
    facts = database.facts(stores.database)
    stores.sql.close()
    return {
        "plan": asdict(plan),
        "machine": machine.describe(facts, redis_version, plan.server, plan.pool),
        "setups": [asdict(setup) for setup in chosen(plan)],
        "engines": report.summarize(raw),
        "sql_unavailable": stores.sql.unavailable,
    }


def main(argv=None):
    args, plan = parse(argv)
    progress = Progress()
    # A terminating signal still stops every server this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    services = Services(args.tmp_dir)
    try:
        document = measure(args, plan, services, progress)
    except MissingTool as missing:
        print(f"benchmark: needs {missing}", file=sys.stderr)
        return 2
    finally:
        services.close()
    shown = report.to_json if args.json else report.markdown if args.markdown else report.table
    print(shown(document))
    if args.chart:
        progress.done(f"chart written to {chart.draw(document, args.chart)}")
    return 0
