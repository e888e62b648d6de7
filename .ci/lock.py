"""Regenerate the baked project's ``uv.lock`` (a Jinja template) from ``uv lock`` on real bakes.

    uv run python .ci/lock.py              # re-lock: keep the locked versions, add what changed
    uv run python .ci/lock.py --upgrade    # the newest versions the baked pyproject.toml allows
    uv run python .ci/lock.py --check      # only check the template's lock against every variant

Run it after changing the baked ``pyproject.toml``'s dependencies (the template
tests' ``uv lock --check`` fails until then), and with ``--upgrade`` to take new
releases into the template; commit the result.

The baked dependencies differ by answers: ``database=postgresql`` adds psycopg
to the main dependencies, ``benchmark=yes`` adds pillow to the dev group. The
script finds such answers itself: it bakes every value of every choice
question and keeps those whose bake declares other dependencies (the
"switches"). It then runs ``uv lock`` in the default bake and in one bake per
switch value, and writes ``{{cookiecutter.project_slug}}/uv.lock``: the default
bake's lock, with the lines each switch adds (or drops) wrapped in a Jinja
condition on that answer, and the project's own name rendered from
``project_slug``. Last, it bakes every combination of the switches (the
minimal and the full bake among them) and checks that ``uv lock`` leaves each
rendered lock exactly as it is; if not, the old lock is put back.

The project's own entry stays where ``my-service`` sorts: uv reads a lock
whatever the order of its packages, and writes it sorted on the next change.
"""

import argparse
import contextlib
import difflib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
LOCK = TEMPLATE / "{{cookiecutter.project_slug}}" / "uv.lock"
CONTEXT = json.loads((TEMPLATE / "cookiecutter.json").read_text())
CHOICES = {
    key: values
    for key, values in CONTEXT.items()
    if isinstance(values, list) and not key.startswith("_")
}
DEFAULTS = {key: values[0] for key, values in CHOICES.items()}

# The default bake's package name, as uv writes it, and its Jinja form
# (PEP 503: lower case, ``_`` runs to ``-``; python-slugify does exactly that
# to a Python identifier).
NAME_LINE = 'name = "my-service"'
NAME_TEMPLATE = "name = \"{{ cookiecutter.project_slug | slugify(separator='-') }}\""
HEADER = "{# Written by .ci/lock.py from `uv lock` on real bakes: never edit by hand. -#}"


def uv():
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        sys.exit("uv is not installed: pip install uv")
    return found


def run_uv(project, *args):
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        [uv(), *args], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.exit(f"uv {' '.join(args)} failed in {project}:\n{result.stderr}")


class Baker:
    """Bakes the template into a throwaway folder, with a throwaway cookiecutter config."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.config = self.folder / "config.yaml"
        self.config.write_text(
            f"replay_dir: {json.dumps(str(self.folder / 'replay'))}\n"
            f"cookiecutters_dir: {json.dumps(str(self.folder / 'cookiecutters'))}\n"
        )
        self.count = 0

    def bake(self, answers):
        self.count += 1
        output = self.folder / f"bake{self.count:02d}"
        with quiet_stdout():  # the hooks' "Next:" steps, once per bake
            return Path(
                cookiecutter(
                    str(TEMPLATE),
                    no_input=True,
                    extra_context=answers,
                    output_dir=str(output),
                    config_file=str(self.config),
                )
            )


@contextlib.contextmanager
def quiet_stdout():
    """File descriptor 1 to /dev/null: the hooks run as subprocesses and inherit it."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def dependencies(project):
    """Every dependency the baked ``pyproject.toml`` declares, groups included."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    declared = {("main", dep) for dep in pyproject["project"]["dependencies"]}
    for group, deps in pyproject.get("dependency-groups", {}).items():
        declared |= {(group, dep) for dep in deps if isinstance(dep, str)}
    return declared


def find_switches(baker):
    """``{key: [values]}``: the answers whose bake declares other dependencies than the default's."""
    default = dependencies(baker.bake({}))
    switches = {}
    for key, values in CHOICES.items():
        for value in values[1:]:
            if dependencies(baker.bake({key: value})) != default:
                switches.setdefault(key, []).append(value)
    return switches


def locked(baker, answers, upgrade):
    """The lock ``uv lock`` writes for a bake with ``answers``, as lines."""
    project = baker.bake(answers)
    run_uv(project, "lock", *(["--upgrade"] if upgrade else []))
    return (project / "uv.lock").read_text().splitlines()


def slid(base, at, lines):
    """The same insertion, moved (where the text allows) to begin with a ``[[package]]`` line.

    ``lines`` inserted before ``base[at]`` give the same text as ``lines``
    rotated by one and inserted one line further, whenever the first inserted
    line equals ``base[at]``; difflib picks any of these places, a person
    reads a whole package entry best.
    """
    candidates = [(at, lines)]
    while at < len(base) and lines[0] == base[at]:
        at, lines = at + 1, [*lines[1:], lines[0]]
        candidates.append((at, lines))
    for candidate in candidates:
        if candidate[1][0].startswith("[[package]]"):
            return candidate
    return candidates[0]


def edits(base, variant, condition):
    """What ``variant`` adds to and drops from ``base``: ``(inserts, drops)``.

    ``inserts``: ``(before_line, condition, lines)``; ``drops``: ``{line: negated condition}``.
    """
    inserts, drops = [], {}
    matcher = difflib.SequenceMatcher(None, base, variant, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            drops.update(dict.fromkeys(range(i1, i2), f"not ({condition})"))
        if tag in ("insert", "replace"):
            at, lines = slid(base, i2, variant[j1:j2]) if tag == "insert" else (i2, variant[j1:j2])
            inserts.append((at, condition, lines))
    return inserts, drops


def template_text(base, variants):
    """The Jinja template: ``base``'s lines, each variant's differences under its condition.

    A conditional run of lines opens with ``{% if %}`` at the end of the line
    before it and closes with ``{% endif %}`` at the end of its own last line,
    as the baked ``pyproject.toml`` does, so each line renders exactly once.
    """
    inserts, drops = [], {}
    for condition, lines in variants:
        more_inserts, more_drops = edits(base, lines, condition)
        inserts += more_inserts
        drops.update(more_drops)
    out = []

    def conditional(condition, lines):
        if not out:
            sys.exit("a difference on the lock's first line: extend .ci/lock.py")
        out[-1] += f"{{% if {condition} %}}"
        out.extend(lines)
        out[-1] += "{% endif %}"

    for index in range(len(base) + 1):
        for at, condition, lines in inserts:
            if at == index:
                conditional(condition, lines)
        if index == len(base):
            break
        line = NAME_TEMPLATE if base[index] == NAME_LINE else base[index]
        if index in drops:
            conditional(drops[index], [line])
        else:
            out.append(line)
    text = "\n".join(out) + "\n"
    body = "\n".join(base)
    if any(mark in body for mark in ("{{", "{%", "{#")):
        sys.exit("the lock holds Jinja syntax: wrap it in {% raw %} in .ci/lock.py")
    return f"{HEADER}\n{text}"


def condition(key, value):
    return f'cookiecutter.{key} == "{value}"'


def check(baker, switches):
    """Every combination of the switches: ``uv lock`` leaves the rendered lock as it is."""
    failures = []
    keys = sorted(switches)
    for values in itertools.product(*([DEFAULTS[key], *switches[key]] for key in keys)):
        answers = dict(zip(keys, values, strict=True))
        project = baker.bake(answers)
        rendered = (project / "uv.lock").read_text()
        run_uv(project, "lock")
        relocked = (project / "uv.lock").read_text()
        label = " ".join(f"{key}={value}" for key, value in answers.items()) or "default"
        if relocked != rendered:
            diff = difflib.unified_diff(
                rendered.splitlines(), relocked.splitlines(), "rendered", "uv lock", lineterm=""
            )
            failures.append(f"{label}:\n" + "\n".join(itertools.islice(diff, 40)))
        else:
            print(f"ok: {label}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="take the newest allowed versions")
    parser.add_argument("--check", action="store_true", help="check the lock, write nothing")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        baker = Baker(folder)
        switches = find_switches(baker)
        print("answers that change the dependencies:", switches or "none")
        previous = LOCK.read_text() if LOCK.exists() else None
        if not options.check:
            base = locked(baker, {}, options.upgrade)
            variants = [
                (condition(key, value), locked(baker, {key: value}, options.upgrade))
                for key, values in switches.items()
                for value in values
            ]
            LOCK.write_text(template_text(base, variants))
        failures = check(baker, switches)
    if failures:
        if previous is not None and not options.check:
            LOCK.write_text(previous)
        sys.exit("the rendered lock differs from uv's:\n" + "\n\n".join(failures))
    print(f"{LOCK.relative_to(TEMPLATE)}: every variant renders the lock uv writes")


if __name__ == "__main__":
    main()
