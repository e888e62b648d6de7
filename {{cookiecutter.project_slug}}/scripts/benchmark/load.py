"""The load generator: wrk, a closed loop of a fixed number of connections.

Why wrk (Debian's ``wrk`` package): it is written in C on epoll and spends a
few microseconds per request, so on a 2-core machine nearly all of the CPU is
left to the app server, PostgreSQL and Redis being measured; a Python
generator (locust, an asyncio client) needs about as much CPU per request as
the Django view it measures. Its Lua hook sends each user's cookies in turn,
checks every answer is a 200 (a 302 to the login page would be a sign-out)
and reports the latency percentiles. The CPU time wrk used is reported too.
"""

import json
import resource
import shutil
import subprocess
from pathlib import Path

from scripts.benchmark.services import MissingTool

SCRIPT = Path(__file__).with_name("wrk_report.lua")


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def require_wrk():
    wrk = shutil.which("wrk")
    if wrk is None:
        raise MissingTool("wrk: apt-get install wrk")
    return wrk


def run(address, cookies, *, seconds, connections, tick=None):
    """``connections`` connections for ``seconds``; returns requests/s, p50, p99 and wrk's CPU."""
    wrk = require_wrk()
    url = f"http://{address[0]}:{address[1]}/"
    command = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(SCRIPT), url, "--"]
    cpu_before = children_cpu()
    process = subprocess.Popen([*command, *cookies], stdout=subprocess.PIPE, text=True)
    while True:
        try:
            output, _ = process.communicate(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if tick:
                tick()
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{output}")
    report = json.loads(output.strip().splitlines()[-1])
    if report["not_200"] or report["socket_errors"] or not report["requests"]:
        raise RuntimeError(f"the load was not all answered with 200: {report}")
    elapsed = report["duration_us"] / 1e6
    return {
        "rps": report["requests"] / elapsed,
        "p50_ms": report["p50_us"] / 1000,
        "p99_ms": report["p99_us"] / 1000,
        "requests": report["requests"],
        "generator_cpu": (children_cpu() - cpu_before) / elapsed,
    }
