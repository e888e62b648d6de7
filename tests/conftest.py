"""Helpers shared by the template's tests: baking, the baked projects' venv, environments.

Projects are baked one way: pytest-cookies' ``cookies`` / ``cookies_session``
fixtures (cookiecutter's API, with answers as ``extra_context``), directly or
through ``baked_projects``. Only tests of the command line itself (what a user
reads on stderr after a bad answer, ``key=value`` arguments, ``--replay``) run
the real ``cookiecutter`` command in a subprocess, with ``run_cookiecutter``.
Every bake uses a throwaway cookiecutter config, so nothing is written to the
user's ``~/.cookiecutter_replay``.

Commands inside baked projects (``manage.py``, the baked test suite) run in
ONE virtualenv per test session, synced with ``uv`` from the full bake's
``uv.lock``: installing Django and friends once per variant would cost
minutes for nothing, since the variants share the same locked versions.
"""

import os
import secrets
import shutil
import string
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
# The template's project folder, as named in the template (not rendered).
SLUG_DIR = "{{cookiecutter.project_slug}}"

# Answers that bake a project using every dependency the template can need
# (psycopg is a main dependency only with PostgreSQL); the shared venv is
# installed from it, so every variant finds what it imports.
VENV_ANSWERS = {
    "database": "postgresql",
    "session_device_bound": "yes",
    "sign_in_alerts": "yes",
    "allauth": "yes",
    "scale_out": "yes",
    "benchmark": "yes",
}

# Variables that steer the baked project: a developer's shell must not leak
# them into a test that sets up its own environment.
STEERING_PREFIXES = ("DJANGO_", "DATABASE_URL", "CACHE_URL", "EMAIL_URL")
LEAKY_VARIABLES = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX")


def pytest_configure(config):
    """Register the ``baked`` marker and point pytest-cookies at this template.

    The marker is registered here because this suite may not edit the
    template's pyproject.toml (and ``--strict-markers`` is on).
    pytest-cookies' ``--template`` defaults to ``"."``, i.e. the current
    directory; an absolute path makes the suite work from any directory.
    """
    config.addinivalue_line(
        "markers",
        "baked: runs ruff, manage.py or the baked test suite inside baked projects "
        "(slow; select with -m baked, leave out with -m 'not baked')",
    )
    if getattr(config.option, "template", None) == ".":
        config.option.template = str(TEMPLATE_DIR)


def clean_environment(**extra):
    """``os.environ`` without anything that would steer a baked project, plus ``extra``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(STEERING_PREFIXES) and name not in LEAKY_VARIABLES
    }
    env.update(extra)
    return env


def activated(env, python):
    """``env`` as ``uv run`` would set it for the venv of ``python``: its ``bin`` first on PATH."""
    bin_dir = Path(python).parent
    return {
        **env,
        "VIRTUAL_ENV": str(bin_dir.parent),
        "PATH": os.pathsep.join([str(bin_dir), env.get("PATH", os.defpath)]),
    }


def read_env_file(path):
    """The ``NAME=value`` lines of a ``.env`` file as a dict (comments skipped)."""
    values = {}
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value
    return values


def random_secret_key(length=64):
    """A key like a deployment's: long, random, and not Django's ``django-insecure-`` kind."""
    alphabet = string.ascii_letters + string.digits + "-_.:@"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def production_env(project_dir):
    """The environment a production deployment of a baked project would have.

    ``DJANGO_ENV_FILE=""`` stops ``manage.py`` reading the development
    ``.env`` (which turns debug on and HTTPS off). The cache URL is needed by
    ``session_engine=cache``; nothing connects to it during ``check``. The
    database URL is the one baked into the project's ``.env``.
    """
    database_url = read_env_file(Path(project_dir) / ".env")["DATABASE_URL"]
    return clean_environment(
        DJANGO_ENV_FILE="",
        DJANGO_DEBUG="off",
        DJANGO_SECRET_KEY=random_secret_key(),
        DJANGO_ALLOWED_HOSTS="example.com",
        CACHE_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL=database_url,
    )


def answer_args(answers):
    """``{"key": "value"}`` as the command line's ``key=value`` arguments."""
    return [f"{key}={value}" for key, value in answers.items()]


@pytest.fixture(scope="session")
def cookiecutter_config(tmp_path_factory):
    """A cookiecutter config file whose replay and clone dirs are throwaway ones."""
    home = tmp_path_factory.mktemp("cookiecutter_home")
    config_file = home / "config.yaml"
    config_file.write_text(
        yaml.safe_dump(
            {
                "cookiecutters_dir": str(home / "cookiecutters"),
                "replay_dir": str(home / "replay"),
            }
        )
    )
    return config_file


@pytest.fixture(scope="session")
def run_cookiecutter(cookiecutter_config):
    """Run ``python -m cookiecutter --no-input [OPTIONS] TEMPLATE -o OUTPUT key=value...``.

    With ``replay_file``, run ``--replay-file FILE`` instead (cookiecutter
    refuses ``--no-input`` and answers together with a replay); with
    ``stdin``, run interactively and feed it as the typed answers; ``options``
    adds command-line options (``-f``, as the README's command has), ``cwd``
    runs it from another folder (``output_dir`` may then be relative). The
    config is passed as ``COOKIECUTTER_CONFIG``, as a user's own config
    reaches cookiecutter, so the hooks see the same replay folder. Returns
    the ``CompletedProcess`` (text, stdout and stderr captured) and never
    raises on failure: tests of bad answers want to read the failure.
    """

    def run(
        output_dir,
        answers=None,
        *,
        replay_file=None,
        stdin=None,
        template=None,
        options=(),
        cwd=None,
    ):
        if replay_file:
            mode = ["--replay-file", str(replay_file)]
        elif stdin is not None:
            mode = []
        else:
            mode = ["--no-input"]
        command = [
            sys.executable,
            "-m",
            "cookiecutter",
            *mode,
            *(option for option in options if option not in mode),
            str(template or TEMPLATE_DIR),
            "-o",
            str(output_dir),
            *answer_args(answers or {}),
        ]
        return subprocess.run(
            command,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=cwd,
            env=clean_environment(COOKIECUTTER_CONFIG=str(cookiecutter_config)),
            check=False,
        )

    return run


def baked_path(result):
    """The project folder of a pytest-cookies bake; fails the test if the bake failed."""
    if result.exit_code != 0 or result.exception is not None:
        pytest.fail(f"bake failed (exit code {result.exit_code}): {result.exception!r}")
    return Path(result.project_path)


@pytest.fixture(scope="session")
def baked_projects(cookies_session):
    """Bake each set of answers once per session, keyed by a name; tests share them.

    The baked-project checks (ruff, ``manage.py``, the baked suite) only read
    the project, so one bake per variant serves them all.
    """
    cache = {}

    def get(name, answers):
        if name not in cache:
            cache[name] = baked_path(cookies_session.bake(extra_context=answers))
        return cache[name]

    return get


def find_uv():
    """The ``uv`` executable: the one running ``uv run`` (``$UV``) first, then ``PATH``."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        pytest.fail("uv is not installed: run `pip install uv` from the template's folder")
    return uv


def tail(text, lines):
    """The last ``lines`` lines of ``text`` (all of it when ``lines`` is None)."""
    kept = text.splitlines()[-lines:] if lines else text.splitlines()
    return "\n".join(kept)


# After a timeout, how long a command gets to stop its own servers.
STOP_GRACE_SECONDS = 60


def run_stopping_gently(command, *, timeout=None, **kwargs):
    """``subprocess.run``, but a command past its ``timeout`` gets SIGTERM first.

    ``subprocess.run`` kills on timeout (SIGKILL): a baked test suite killed
    that way cannot stop the Redis and PostgreSQL servers it started (they run
    in sessions of their own), and they stay behind, orphaned. The baked suite
    turns SIGTERM into an orderly stop (``tests/fixtures/processes.py``), so it
    gets that first, then SIGKILL after ``STOP_GRACE_SECONDS``.
    """
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.communicate(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def run_checked(command, *, report_lines=None, **kwargs):
    """Run ``command``; on failure, fail the test with its output.

    ``report_lines`` keeps the report to the end of each stream: a failing
    test suite prints thousands of lines, and its summary comes last.
    """
    return checked(run_stopping_gently(command, **kwargs), kwargs.get("cwd"), report_lines)


def checked(result, cwd, report_lines=None):
    """``result`` of a command run in ``cwd``; if it failed, fail the test with its output."""
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, result.args))} exited {result.returncode} in {cwd}\n"
            f"stdout:\n{tail(result.stdout, report_lines)}\n"
            f"stderr:\n{tail(result.stderr, report_lines)}",
            pytrace=False,
        )
    return result


# Slow commands run side by side (``ahead``): a baked suite or a mutant's tests
# wait on servers, sockets and sleeps as much as they compute, so two at a time
# on two cores take little more than one. TEMPLATE_TEST_JOBS=1 runs them one by one.
JOBS = int(os.environ.get("TEMPLATE_TEST_JOBS") or os.cpu_count() or 1)


class Ahead:
    """Slow commands started early, run ``JOBS`` at a time, counting the tests themselves.

    ``ahead(key, function)`` starts ``function`` once per key and returns its
    future. A test module may define ``start_ahead(request)``, called before
    the session's first test (``start_ahead`` below), which starts its selected
    family's commands, longest first: they run while the other tests do.
    The tests themselves hold one of the ``JOBS`` slots, so a command waits
    for a free one rather than crowd them; only a test waiting on a command
    (``wait``) gives the slot back meanwhile. A slot is taken when a command
    starts and kept until it ends.
    """

    def __init__(self, jobs):
        self.jobs = jobs
        self.pool = ThreadPoolExecutor(max_workers=jobs)
        self.futures = {}
        self.condition = threading.Condition()
        self.running = 0
        self.testing = True

    def __call__(self, key, function):
        if key not in self.futures:
            self.futures[key] = self.pool.submit(self.in_a_slot, function)
        return self.futures[key]

    def in_a_slot(self, function):
        with self.condition:
            self.condition.wait_for(lambda: self.running + self.testing < self.jobs)
            self.running += 1
        try:
            return function()
        finally:
            with self.condition:
                self.running -= 1
                self.condition.notify_all()

    def busy(self, testing):
        with self.condition:
            self.testing = testing
            self.condition.notify_all()

    def wait(self, future):
        """``future``'s result, the test's slot given to the commands meanwhile."""
        self.busy(False)
        try:
            return future.result()
        finally:
            self.busy(True)

    def shutdown(self):
        self.busy(False)
        self.pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def ahead():
    """The session's ``Ahead``: ``ahead(key, function)`` starts a slow command."""
    runner = Ahead(JOBS)
    yield runner
    runner.shutdown()


@pytest.fixture(scope="session", autouse=True)
def start_ahead(request, ahead):
    """Before the first test: each selected module's ``start_ahead(request)``, in order."""
    modules = dict.fromkeys(getattr(item, "module", None) for item in request.session.items)
    for module in modules:
        if hasattr(module, "start_ahead"):
            module.start_ahead(request)


@pytest.fixture(scope="session")
def mutants_dir(tmp_path_factory):
    """Where the mutants' copies of bakes go (here: ``start_ahead`` sees only conftest's fixtures)."""
    return tmp_path_factory.mktemp("mutants")


def selected(request, test_name, parameter):
    """The values of ``parameter`` of the selected tests named ``test_name``, in order."""
    return [
        item.callspec.params[parameter]
        for item in request.session.items
        if getattr(item, "originalname", None) == test_name and hasattr(item, "callspec")
    ]


@pytest.fixture(scope="session")
def baked_python(tmp_path_factory, baked_projects):
    """The Python of one virtualenv, shared by every baked project in the session.

    ``uv sync --locked`` in the full bake (every dependency the template can
    need) installs exactly its ``uv.lock``, the ``dev`` group included, into a
    virtualenv outside the project (``UV_PROJECT_ENVIRONMENT``); ``--locked``
    fails if that lock does not match the bake's pyproject.toml. So the baked
    suites run on the versions every bake's lock pins. The Python is the one
    the bake's ``.python-version`` names; ``UV_PYTHON_DOWNLOADS=never``: the
    machines have no internet beyond the package registries, so uv must use
    an installed interpreter.
    """
    uv = find_uv()
    project = baked_projects("venv-source", VENV_ANSWERS)
    venv = tmp_path_factory.mktemp("shared") / "venv"
    env = clean_environment(UV_PYTHON_DOWNLOADS="never", UV_PROJECT_ENVIRONMENT=str(venv))
    run_checked([uv, "sync", "--locked"], cwd=project, env=env, timeout=900)
    return venv / "bin" / "python"


def git(cwd, *args):
    """``git args...`` in ``cwd`` with a fixed identity; its stripped output."""
    env = clean_environment(
        GIT_AUTHOR_NAME="Template Tests",
        GIT_AUTHOR_EMAIL="tests@example.com",
        GIT_COMMITTER_NAME="Template Tests",
        GIT_COMMITTER_EMAIL="tests@example.com",
    )
    return run_checked(["git", *args], cwd=cwd, env=env, timeout=60).stdout.strip()


def commit_all(cwd, message):
    """Commit everything in ``cwd``; return the new commit's hash."""
    git(cwd, "add", "-A")
    git(cwd, "commit", "-q", "-m", message)
    return git(cwd, "rev-parse", "HEAD")


def new_repository(cwd, message):
    """Make ``cwd`` a git repository holding everything in it; the commit's hash."""
    git(cwd, "init", "-q", "-b", "main")
    return commit_all(cwd, message)


def template_copy(target):
    """The template's files as git knows them (working-tree content) in a new repository."""
    listed = run_checked(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=TEMPLATE_DIR,
    ).stdout.split("\0")
    for relative in filter(None, listed):
        source = TEMPLATE_DIR / relative
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    return new_repository(target, "A")


@pytest.fixture
def template_repo(tmp_path):
    """``(folder, commit)``: a git copy of the template (commit ``A``) to change freely."""
    repo = tmp_path / "secure-django"
    repo.mkdir()
    return repo, template_copy(repo)
