"""Baked projects are clean, deployable and pass their own tests.

Each variant is baked once per session and checked as its users would check
it: ruff, ``manage.py check --deploy`` under a production environment,
missing migrations, and the baked test suite. Everything that imports
Django runs in one virtualenv shared by all variants (see ``baked_python``
in conftest.py). These tests are marked ``baked``: ``-m baked`` selects
them, ``-m "not baked"`` leaves them out (they take minutes, not seconds).
"""

import sys

import pytest
from conftest import (
    activated,
    checked,
    clean_environment,
    production_env,
    run_checked,
    run_stopping_gently,
    selected,
)

pytestmark = pytest.mark.baked

VARIANTS = {
    # The default bake.
    "db": {"session_engine": "db"},
    "cache": {"session_engine": "cache"},
    "cached_db": {"session_engine": "cached_db"},
    # The minimal bake: no optional capability (the session middleware itself,
    # not device binding's subclass of it).
    "signed_cookies": {
        "session_engine": "signed_cookies",
        "session_device_bound": "no",
        "sign_in_alerts": "no",
    },
    # The full bake, closest to production.
    "postgresql": {
        "database": "postgresql",
        "allauth": "yes",
        "scale_out": "yes",
        "benchmark": "yes",
    },
    # Every non-default policy answer at once, so no code path is only ever
    # baked with the defaults.
    "hardened": {
        "session_expire_at_browser_close": "yes",
        "session_cookie_samesite": "Strict",
        "session_bind_ip": "enforce",
        "session_bind_user_agent": "log",
        "session_rotation_interval": "0",
        "session_device_bound": "no",
    },
}
# The baked suite takes minutes per run: run it for each engine and for
# PostgreSQL, where the code paths differ.
SUITE_VARIANTS = ["db", "cache", "cached_db", "signed_cookies", "postgresql"]
# The baked suite's markers say what a test needs; three of them say what it
# does not depend on, so the variants need not all run it (a baked project's
# own run keeps every test):
# - ``standalone`` (drills, the benchmark, app servers on an engine of their
#   own...): neither the bake's engine nor its database. Run in the full bake
#   only, the one closest to production (PostgreSQL).
# - ``every_engine`` (in-process tests over every engine): not the bake's
#   engine, but its database and its capabilities. Run in the minimal bake
#   (SQLite, the session middleware itself) and the full one (PostgreSQL,
#   device binding's middleware).
# - ``engine_independent`` (the pages' layout and CSP, TLS, in Chromium): not
#   the bake's engine (its result is the same on any), but its capabilities'
#   pages. Run where ``every_engine`` runs: the default bake's pages (db,
#   cache, cached_db) are the full bake's (scale_out and the benchmark add no
#   page these tests visit), the minimal bake's are its own.
STANDALONE_VARIANT = "postgresql"
EVERY_ENGINE_VARIANTS = {"signed_cookies", "postgresql"}
assert STANDALONE_VARIANT in SUITE_VARIANTS and EVERY_ENGINE_VARIANTS <= set(SUITE_VARIANTS)


def left_out(variant):
    """The markers of the baked tests ``variant``'s suite leaves to other variants."""
    markers = [] if variant == STANDALONE_VARIANT else ["standalone"]
    return markers + (
        [] if variant in EVERY_ENGINE_VARIANTS else ["every_engine", "engine_independent"]
    )


def suite_selection(variant):
    """pytest's marker selection for the baked suite of ``variant``."""
    markers = left_out(variant)
    return ["-m", " and ".join(f"not {marker}" for marker in markers)] if markers else []


@pytest.fixture(params=list(VARIANTS))
def project(request, baked_projects):
    return baked_projects(request.param, VARIANTS[request.param])


def run(command, cwd, env, timeout=300, report_lines=None):
    """Run ``command`` in ``cwd``; fail the test with its output if it fails."""
    return run_checked(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        timeout=timeout,
        report_lines=report_lines,
    )


def test_ruff_check_is_clean(project):
    """The template's ruff (same pinned version) with the baked project's own config."""
    result = run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."], project, clean_environment()
    )
    assert "All checks passed!" in result.stdout


def test_ruff_format_is_clean(project):
    result = run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."],
        project,
        clean_environment(),
    )
    assert "would be reformatted" not in result.stdout


def test_deploy_check_is_clean(project, baked_python):
    """Django's deployment checklist passes with warnings counted as failures."""
    result = run(
        [baked_python, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        project,
        activated(production_env(project), baked_python),
    )
    assert "System check identified no issues" in result.stdout


def test_no_missing_migrations(project, baked_python):
    result = run(
        [baked_python, "manage.py", "makemigrations", "--check", "--dry-run"],
        project,
        activated(production_env(project), baked_python),
    )
    assert "No changes detected" in result.stdout


def suite_run(variant, project, baked_python):
    """A function running ``variant``'s baked suite in ``project``: its completed process."""
    command = [baked_python, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
    command += suite_selection(variant)
    env = activated(clean_environment(), baked_python)
    return lambda: run_stopping_gently(command, cwd=project, env=env, timeout=1800)


def start_ahead(request):
    """Start the selected variants' suites (``ahead``), the longest first: the fewer
    markers a variant leaves out, the more of the suite it runs."""
    names = selected(request, "test_baked_test_suite_passes", "variant")
    if not names:
        return
    baked_projects = request.getfixturevalue("baked_projects")
    baked_python, ahead = request.getfixturevalue("baked_python"), request.getfixturevalue("ahead")
    for name in sorted(names, key=lambda name: len(left_out(name))):
        project = baked_projects(name, VARIANTS[name])
        ahead(("suite", name), suite_run(name, project, baked_python))


@pytest.mark.parametrize("variant", SUITE_VARIANTS)
def test_baked_test_suite_passes(variant, baked_projects, baked_python, ahead):
    """The baked project's own tests, as its README runs them, in the shared venv
    (less what ``suite_selection`` leaves to other variants).

    The environment is cleaned of anything that steers Django, so the suite
    relies on its own test settings (and starts its own Redis/PostgreSQL).
    Every selected variant's suite starts before the first test
    (``start_ahead``); each of these tests waits for its own.
    """
    project = baked_projects(variant, VARIANTS[variant])
    future = ahead(("suite", variant), suite_run(variant, project, baked_python))
    result = checked(ahead.wait(future), project, 150)
    assert " passed" in result.stdout.splitlines()[-1]
