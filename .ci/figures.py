"""What three bakes hold: the default, the minimal and the full one.

    uv run python .ci/figures.py            # files and lines (seconds)
    uv run python .ci/figures.py --time     # and the time of `uv run pytest` in each (~15 min)

The minimal bake answers every optional capability ``no``, the full one
``yes`` (with PostgreSQL). Counted as the template README's "Figures"
table shows them: every file the bake holds; lines of Python outside
``tests/`` and ``migrations/``; lines of the tests; lines of the README.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
CAPABILITIES = ("session_device_bound", "sign_in_alerts", "allauth", "scale_out", "benchmark")
BAKES = {
    "default": {},
    "minimal": dict.fromkeys(CAPABILITIES, "no"),
    "full": {**dict.fromkeys(CAPABILITIES, "yes"), "database": "postgresql"},
}


def lines(paths):
    return sum(len(path.read_text().splitlines()) for path in paths)


def figures(project):
    files = [path for path in project.rglob("*") if path.is_file()]
    python = [
        path
        for path in files
        if path.suffix == ".py"
        and path.relative_to(project).parts[0] != "tests"
        and "migrations" not in path.relative_to(project).parts
    ]
    tests = list((project / "tests").rglob("*.py"))
    return {
        "files": len(files),
        "python": lines(python),
        "python_files": len(python),
        "tests": lines(tests),
        "readme": lines([project / "README.md"]),
    }


def suite_seconds(project):
    subprocess.run(["uv", "sync", "-q"], cwd=project, check=True)
    started = time.monotonic()
    command = ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"]
    result = subprocess.run(command, cwd=project, check=False)
    if result.returncode:
        sys.exit(f"the {project.name} suite failed")
    return round(time.monotonic() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time", action="store_true", help="run each bake's suite, timed")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, answers in BAKES.items():
            output = Path(folder) / name
            project = Path(
                cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=output)
            )
            rows[name] = figures(project)
            if options.time:
                rows[name]["seconds"] = suite_seconds(project)
    if options.json:
        print(json.dumps(rows, indent=2))
        return
    header = "| bake | files | Python lines (no tests, migrations) | test lines | README lines |"
    print(header + (" uv run pytest |" if options.time else ""))
    print("|---|---|---|---|---|" + ("---|" if options.time else ""))
    for name, row in rows.items():
        cells = [
            name,
            row["files"],
            f"{row['python']:,} ({row['python_files']} files)",
            f"{row['tests']:,}",
            row["readme"],
        ]
        if options.time:
            cells.append(f"{row['seconds']} s")
        print("| " + " | ".join(map(str, cells)) + " |")


if __name__ == "__main__":
    main()
