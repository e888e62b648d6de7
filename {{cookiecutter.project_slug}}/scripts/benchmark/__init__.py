"""What the session layer costs: this project against stock Django, over HTTP.

For each session engine (db, cache, cached_db, signed_cookies), three setups
of this same project serve the same pages side by side:

  this project                the project as baked
  stock Django                Django's own SessionMiddleware, session backends
                              and AuthenticationMiddleware (no idle timeout,
                              no registry): the floor
  stock + save every request  stock with SESSION_SAVE_EVERY_REQUEST = True,
                              the usual advice for an idle timeout

Each runs under gunicorn (or uvicorn) with production settings, plain HTTP
behind X-Forwarded-Proto, on a throwaway PostgreSQL with durable commits
(and a throwaway Redis for the cache engines). Users sign in through the
login form; wrk then sends their authenticated GET / over 8 connections, in
interleaved rounds. Reported per engine and setup: requests/s (median and
range over rounds), p50/p99 latency, the ratio to stock, and per request the
SQL statements and Redis commands (counted by PostgreSQL's
pg_stat_statements and Redis' INFO commandstats) and the store writes.

  uv run python -m scripts.benchmark                  # all engines, ~10 min
  uv run python -m scripts.benchmark --engines db --chart ratios.png
  uv run python -m scripts.benchmark --quick --json   # a short run on db

Throughput depends on the machine and is noisy: compare the ratios within
one run. The counts do not vary from run to run.
"""
