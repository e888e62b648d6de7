"""The READMEs and the CI run the same test commands.

A README command that CI never runs rots unnoticed; a CI that runs something
else than the README proves nothing about what a developer types. So the
test command is read out of each README and looked for, verbatim, in CI.
"""

import re

import pytest
import yaml
from conftest import TEMPLATE_DIR

HEADING = re.compile(r"^(#{1,6})\s+(?P<title>.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(?P<fence>```+|~~~+)\s*(?P<info>[\w+-]*)")
SHELL_FENCES = {"bash", "sh"}


def shell_lines_under_test_headings(markdown):
    """Lines of ```bash/```sh blocks in sections whose heading mentions "test"."""
    heading = ""
    fence = None
    for line in markdown.splitlines():
        if fence is None:
            if match := HEADING.match(line):
                heading = match["title"]
            elif match := FENCE.match(line):
                fence = (match["fence"], match["info"].lower())
            continue
        if line.strip().startswith(fence[0]):
            fence = None
        elif fence[1] in SHELL_FENCES and "test" in heading.lower():
            yield line.strip()


def readme_test_command(markdown):
    """The first ``uv run ...`` line in a shell block under a "Test" heading."""
    for line in shell_lines_under_test_headings(markdown):
        if line.startswith("uv run"):
            return line
    return None


def run_lines(step):
    """Each command line of a workflow step's ``run`` script."""
    return [line.strip() for line in str(step.get("run", "")).splitlines() if line.strip()]


def service_images(job):
    """The image names (no registry, no tag) of a workflow job's services."""
    names = set()
    for service in (job.get("services") or {}).values():
        image = service["image"] if isinstance(service, dict) else str(service)
        names.add(image.rsplit("/", 1)[-1].split(":", 1)[0])
    return names


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def baked(request, baked_projects):
    return baked_projects(f"readme-{request.param}", {"database": request.param})


def test_baked_readme_names_the_test_command(baked):
    readme = baked / "README.md"
    assert readme.is_file(), "the baked project has no README.md"
    command = readme_test_command(readme.read_text())
    assert command is not None, "no `uv run ...` line in a bash/sh block under a Test heading"
    assert command.startswith("uv run pytest"), command


def test_baked_ci_runs_the_readme_test_command_with_services(baked):
    """The workflow parses, one job runs the README's command, and that job has the services.

    The baked suite needs PostgreSQL and Redis; the job that runs it must
    declare both as services.
    """
    workflow_file = baked / ".github" / "workflows" / "ci.yml"
    assert workflow_file.is_file(), "the baked project has no .github/workflows/ci.yml"
    workflow = yaml.safe_load(workflow_file.read_text())
    assert isinstance(workflow, dict) and workflow.get("jobs"), "ci.yml declares no jobs"
    command = readme_test_command((baked / "README.md").read_text())
    assert command is not None

    running = [
        job
        for job in workflow["jobs"].values()
        if any(command in run_lines(step) for step in job.get("steps", []))
    ]
    assert running, f"no job in ci.yml runs the README's test command {command!r}"
    for job in running:
        assert {"postgres", "redis"} <= service_images(job), service_images(job)


def ci_test_command():
    """The command ``.ci/run`` ends with: its last line that is neither blank nor a comment."""
    lines = (TEMPLATE_DIR / ".ci" / "run").read_text().splitlines()
    commands = [
        line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
    ]
    return commands[-1]


def test_template_readme_has_the_command_ci_runs():
    """The top-level README shows, on a line of its own, exactly what ``.ci/run`` runs."""
    command = ci_test_command()
    assert "pytest" in command, command
    readme = TEMPLATE_DIR / "README.md"
    assert readme.is_file(), "the template has no README.md"
    lines = [line.strip().removeprefix("$ ") for line in readme.read_text().splitlines()]
    assert command in lines, f"README.md does not show {command!r} on a line of its own"


SAMPLE_README = """\
# Demo

## Running locally

```bash
uv run python manage.py runserver
```

## Running the tests

Some prose mentioning uv run pytest --wrong.

```python
uv run not-this
```

```bash
uv sync
uv run pytest
uv run pytest -m browser
```
"""


def test_readme_parser_reads_the_test_section_only():
    """The parser itself: shell blocks under a Test heading, first ``uv run`` line."""
    assert readme_test_command(SAMPLE_README) == "uv run pytest"
    assert readme_test_command(SAMPLE_README.replace("the tests", "it")) is None


def test_baked_ci_reports_a_project_behind_its_template_without_failing(baked):
    """A step runs ``cruft check``; being behind (exit 1) warns and never fails the build."""
    workflow = yaml.safe_load((baked / ".github" / "workflows" / "ci.yml").read_text())
    steps = [
        step
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if "cruft check" in str(step.get("run", ""))
    ]
    assert len(steps) == 1, "no (or more than one) step runs cruft check"
    (step,) = steps
    script = " ".join(run_lines(step))
    tolerant = step.get("continue-on-error") is True or re.search(
        r"cruft check\s*\|\|\s*echo \"::warning", script
    )
    assert tolerant, script
    pyproject = (baked / "pyproject.toml").read_text()
    assert '"cruft>=' in pyproject, "the step's `uv run cruft` needs cruft in the dev group"


def test_baked_ci_tries_the_next_django_weekly_without_failing_the_build(baked):
    """A scheduled workflow of its own runs the suite on the newest Django, pre-releases included.

    Its own file and triggers: the push and pull-request build neither waits
    for it nor fails with it. Its bound is ``pyproject.toml``'s with the upper
    limit dropped; the lock is not touched, and ``--no-sync`` keeps uv from
    putting the locked Django back before the tests.
    """
    workflows = baked / ".github" / "workflows"
    workflow = yaml.safe_load((workflows / "next-django.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch"}, triggers
    assert triggers["schedule"][0]["cron"]
    (job,) = workflow["jobs"].values()
    assert {"postgres", "redis"} <= service_images(job), service_images(job)
    assert job.get("continue-on-error") in (None, True)

    pinned = re.search(r'"(django>=[\d.]+),<[\d.]+"', (baked / "pyproject.toml").read_text())
    assert pinned, "pyproject.toml has no django>=X,<Y bound"
    assert job["env"]["NEXT_DJANGO"] == pinned[1], "the job's bound is not the project's, widened"
    lines = [line for step in job["steps"] for line in run_lines(step)]
    install = 'uv pip install --prerelease=allow --upgrade-package django "$NEXT_DJANGO"'
    assert "uv sync --locked" in lines and install in lines, lines
    command = readme_test_command((baked / "README.md").read_text())
    assert command.replace("uv run", "uv run --no-sync", 1) in lines, lines

    main = (workflows / "ci.yml").read_text()
    assert "next-django" not in main and "prerelease" not in main  # not needed, not widened
    assert "next-django.yml" in (baked / "README.md").read_text()
    assert "## The next Django" in (baked / "docs" / "development.md").read_text()
