"""Figures out of the raw rounds and counts: medians, ratios, the table, the JSON.

Throughput is the median over rounds (with its range); latencies are the
medians of each round's p50 and p99, and so is the app server's CPU time
per request; "vs stock" divides a setup's median
requests/s by stock Django's, on the same engine in the same run, and
``vs_stock_rounds`` does so round by round (its spread shows the noise). Counts are
per request and do not depend on the machine.
"""

import json
import statistics

from scripts.benchmark.setups import STOCK, Setup


def summarize(raw):
    """``{engine: {setup: raw result}}`` -> the same, with the figures worked out."""
    engines = {}
    for engine, setups in raw.items():
        summary = {}
        for key, result in setups.items():
            rounds = result["rounds"]
            rps = [r["rps"] for r in rounds]
            summary[key] = {
                "rps": [round(value, 1) for value in rps],
                "rps_median": round(statistics.median(rps), 1),
                "rps_min": round(min(rps), 1),
                "rps_max": round(max(rps), 1),
                "p50_ms": round(statistics.median(r["p50_ms"] for r in rounds), 2),
                "p99_ms": round(statistics.median(r["p99_ms"] for r in rounds), 2),
                "cpu_ms": round(statistics.median(r["cpu_ms"] for r in rounds), 2),
                "generator_cpu": round(max(r["generator_cpu"] for r in rounds), 3),
                "counts": result["counts"],
                "rounds": rounds,
            }
        stock = summary[STOCK]
        for figures in summary.values():
            figures["vs_stock"] = round(figures["rps_median"] / stock["rps_median"], 3)
            # Round by round (each round loads the setups one after the other).
            paired = zip(figures["rps"], stock["rps"], strict=True)
            figures["vs_stock_rounds"] = [round(mine / theirs, 3) for mine, theirs in paired]
        engines[engine] = summary
    return engines


def setups_of(document):
    return [Setup(**setup) for setup in document["setups"]]


def number(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def breakdown(mapping):
    return ", ".join(f"{name} {value:g}" for name, value in (mapping or {}).items()) or "none"


# (heading, width): the first two left-aligned, the figures right-aligned.
COLUMNS = (
    ("engine", 15), ("setup", 28), ("req/s", 7), ("range", 13), ("p50 ms", 8), ("p99 ms", 8),
    ("vs stock", 10), ("CPU ms", 8), ("SQL/req", 9), ("Redis/req", 10), ("writes/req", 11),
)  # fmt: skip


def row(cells):
    return "".join(
        f"{cell:{'<' if i < 2 else '>'}{width}}"
        for i, (cell, (_, width)) in enumerate(zip(cells, COLUMNS, strict=True))
    )


def cells(engine, setup, figures):
    counts = figures["counts"]
    return (
        engine,
        setup.label,
        f"{figures['rps_median']:.0f}",
        f"{figures['rps_min']:.0f}-{figures['rps_max']:.0f}",
        f"{figures['p50_ms']:.1f}",
        f"{figures['p99_ms']:.1f}",
        f"{figures['vs_stock']:.2f}x",
        f"{figures['cpu_ms']:.2f}",
        number(counts["sql"]),
        number(counts["redis"]),
        number(counts["store_writes"]),
    )


def table(document):
    plan, machine = document["plan"], document["machine"]
    header = row(heading for heading, _ in COLUMNS)
    lines = [
        f"Authenticated GET / over HTTP: {machine['app_server']}, {plan['workers']} workers, "
        f"{plan['connections']} connections ({machine['load_generator']}), {plan['users']} users; "
        f"{plan['rounds']} round(s) x {plan['seconds']} s per setup, interleaved; "
        f"counts over {plan['count']} requests.",
        "",
        header,
        "-" * len(header),
    ]
    details = []
    for engine, setups in document["engines"].items():
        for i, setup in enumerate(setups_of(document)):
            figures = setups[setup.key]
            lines.append(row(cells(engine if i == 0 else "", setup, figures)))
            counts = figures["counts"]
            details.append(
                f"  {engine}, {setup.label}: SQL {breakdown(counts.get('sql_statements'))}; "
                f"Redis {breakdown(counts.get('redis_commands'))}; session cookie sent "
                f"{counts['session_cookie']:g} per request"
            )
    lines += ["", "Per request, as the servers counted them:", *details, "", machine_line(document)]
    if document.get("sql_unavailable"):
        lines.append(f"No SQL counts: {document['sql_unavailable']}")
    return "\n".join(lines)


def machine_line(document):
    machine = document["machine"]
    cpu = max(f["generator_cpu"] for s in document["engines"].values() for f in s.values())
    return (
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; "
        f"{machine['os']}; Python {machine['python']}, Django {machine['django']}; "
        f"PostgreSQL {machine['postgresql']} ({machine['durability']}, "
        f"data on {machine['database_filesystem'] or 'unknown'}); Redis {machine['redis'] or '-'}. "
        f"wrk used at most {cpu:.0%} of one core."
    )


def markdown(document):
    """The table as Markdown, for docs/benchmark.md, with the machine line under it."""
    headings = [heading for heading, _ in COLUMNS]
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    for engine, setups in document["engines"].items():
        for i, setup in enumerate(setups_of(document)):
            figures = cells(engine if i == 0 else "", setup, setups[setup.key])
            lines.append("| " + " | ".join(figures) + " |")
    return "\n".join([*lines, "", machine_line(document)])


def to_json(document):
    return json.dumps(document, indent=2)
