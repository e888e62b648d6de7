"""One engine, three setups: servers up, users signed in, counted, then timed in rounds.

The three app servers run side by side (an idle one costs nothing) and are
loaded one at a time, interleaved round by round (project, stock, save
every, project, stock, ...) so that drift on a shared machine hits each alike.
Before the rounds, each setup is warmed up (workers loaded, connections
open) and then counted: a pass of sequential requests while the other
setups are idle, so the servers' counters see that setup only. The counts
are taken inside this project's refresh window: the steady state of an
active user.
"""

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from scripts.benchmark import client, counts, load
from scripts.benchmark.servers import AppServer
from scripts.benchmark.setups import chosen, environment


def usernames(setup, n):
    return [f"{setup.key}-{i}" for i in range(n)]


def sign_in_all(address, names):
    """Sign each user in (two at a time: Argon2 keeps a core busy per sign-in)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        cookies = pool.map(lambda name: client.sign_in(address, name), names)
        return dict(zip(names, cookies, strict=True))


def start_servers(engine, plan, stores, log_dir, stack):
    """One app server per setup, stopped when ``stack`` closes; ``{setup key: server}``."""
    servers = {}
    for setup in chosen(plan):
        env = environment(
            setup, engine, database_url=stores.database, redis_url=stores.redis,
            server=plan.server, pool=plan.pool,
        )  # fmt: skip
        log = log_dir / f"{engine}-{setup.key}.log"
        servers[setup.key] = AppServer(plan.server, env, log, workers=plan.workers)
        stack.callback(servers[setup.key].stop)
    for server in servers.values():
        server.wait()
    return servers


def timed(server, cookies, seconds, plan, progress):
    """One stretch of load; adds the server's CPU time per request to wrk's figures."""
    cpu = server.cpu_seconds()
    try:
        measured = load.run(
            server.address, cookies, seconds=seconds,
            connections=plan.connections, tick=progress.tick,
        )  # fmt: skip
    except RuntimeError as error:
        raise RuntimeError(f"{progress.current}: {error}\n{server.output()}") from None
    measured["cpu_ms"] = (server.cpu_seconds() - cpu) * 1000 / measured["requests"]
    return measured


def engine_run(engine, plan, stores, progress, log_dir):
    """Every setup's rounds and counts for ``engine``; returns ``{setup key: result}``."""
    setups = chosen(plan)
    results = {setup.key: {"rounds": []} for setup in setups}
    with ExitStack() as stack:
        progress.step(f"{engine}: starting {len(setups)} {plan.server} servers")
        servers = start_servers(engine, plan, stores, log_dir, stack)
        users = {}
        for setup in setups:
            progress.step(f"{engine}: signing in {plan.users} users on {setup.label}")
            users[setup.key] = sign_in_all(servers[setup.key].address, usernames(setup, plan.users))

        redis = stores.redis_counter if stores.uses_redis(engine) else None
        for setup in setups:
            server, people = servers[setup.key], users[setup.key]
            if plan.warmup:
                progress.step(f"{engine}: warming up {setup.label}", seconds=plan.warmup)
                timed(server, list(people.values()), plan.warmup, plan, progress)
            progress.step(f"{engine}: counting {plan.count} requests on {setup.label}")
            results[setup.key]["counts"] = counts.measure(
                lambda a=server.address, p=people: client.counted_requests(a, p, plan.count),
                plan.count, stores.sql, redis, signed_cookies=engine == "signed_cookies",
            )  # fmt: skip

        for number in range(1, plan.rounds + 1):
            line = []
            for setup in setups:
                progress.step(f"{engine}: round {number}, {setup.label}", seconds=plan.seconds)
                cookies = list(users[setup.key].values())
                measured = timed(servers[setup.key], cookies, plan.seconds, plan, progress)
                results[setup.key]["rounds"].append(measured)
                line.append(f"{setup.key} {measured['rps']:.0f}/s")
            progress.done(f"{engine}: round {number}/{plan.rounds}: {', '.join(line)}")
    return results
