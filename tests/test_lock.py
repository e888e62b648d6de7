"""Every bake carries a ``uv.lock`` that matches its ``pyproject.toml``, pinning tested versions.

The lock is a template (``{{cookiecutter.project_slug}}/uv.lock``) written by
``.ci/lock.py`` from ``uv lock`` on real bakes, with Jinja conditions around
what some answers add (psycopg with ``database=postgresql``, pillow with
``benchmark=yes``) and the package name taken from ``project_slug``. Each bake
here must pass ``uv lock --check``: the default, the minimal and the full one,
every value of every choice question, and a slug uv spells differently. The
baked suites' shared venv is installed from the full bake's lock
(``baked_python``), so the lock's versions are the ones the tests ran with.
"""

import json
import re
import subprocess
import tomllib

import pytest
import yaml
from conftest import TEMPLATE_DIR, VENV_ANSWERS, clean_environment, find_uv

TEMPLATE_CONTEXT = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
CAPABILITIES = ("session_device_bound", "sign_in_alerts", "allauth", "scale_out", "benchmark")

BAKES = {
    "default": {},
    "minimal": dict.fromkeys(CAPABILITIES, "no"),
    "full": VENV_ANSWERS,
    # uv names the package "zeta-billing2" (PEP 503): the lock must say so.
    "odd-slug": {"project_name": "Zeta Billing", "project_slug": "Zeta__Billing2"},
}
BAKES |= {
    f"{key}={value}": {key: value}
    for key, values in TEMPLATE_CONTEXT.items()
    if isinstance(values, list) and not key.startswith("_")
    for value in values[1:]
}


def uv_lock_check(project):
    return subprocess.run(
        [find_uv(), "lock", "--check"],
        cwd=project,
        env=clean_environment(UV_PYTHON_DOWNLOADS="never"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("name", BAKES)
def test_the_baked_lock_matches_the_baked_pyproject(baked_projects, name):
    project = baked_projects(name if name != "full" else "venv-source", BAKES[name])
    lock = project / "uv.lock"
    before = lock.read_bytes()
    result = uv_lock_check(project)
    assert result.returncode == 0, result.stderr
    assert lock.read_bytes() == before
    assert not lock.read_text().startswith("{#"), "the template's header comment was rendered"


def normalized(name):
    """A distribution name as uv.lock spells it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(project):
    """``{name: version}`` of the registry packages ``uv.lock`` pins."""
    packages = tomllib.loads((project / "uv.lock").read_text())["package"]
    return {p["name"]: p["version"] for p in packages if "registry" in p["source"]}


def test_the_lock_follows_the_answers(baked_projects):
    minimal = locked_versions(baked_projects("minimal", BAKES["minimal"]))
    full = locked_versions(baked_projects("venv-source", VENV_ANSWERS))
    # psycopg is in every dev group; pyjwt is device binding's, pillow the benchmark's,
    # django-allauth allauth's (with [mfa]: fido2 for passkeys, qrcode for TOTP's QR code).
    assert set(full) - set(minimal) == {"pillow", "pyjwt", "django-allauth", "fido2", "qrcode"}
    assert {name: full[name] for name in minimal} == minimal, "one version per package"


@pytest.mark.baked  # needs the shared venv of the baked suites
def test_the_baked_suites_run_on_the_locked_versions(baked_projects, baked_python):
    """The shared venv holds exactly what the full bake's lock pins (for this platform)."""
    listed = subprocess.run(
        [find_uv(), "pip", "list", "--format", "json", "--python", str(baked_python)],
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    installed = {normalized(p["name"]): p["version"] for p in json.loads(listed.stdout)}
    locked = locked_versions(baked_projects("venv-source", VENV_ANSWERS))
    assert {name: locked.get(name) for name in installed} == installed
    assert {"django", "psycopg", "pillow", "pytest"} <= set(installed)


def test_ci_installs_the_committed_lock(baked_projects):
    """CI's ``uv run`` fails on a lock that no longer matches pyproject.toml, never relocks."""
    project = baked_projects("default", BAKES["default"])
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    for job in workflow["jobs"].values():
        assert job.get("env", {}).get("UV_LOCKED") == "1", job.get("env")
