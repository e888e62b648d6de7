"""Django's own session and authentication tests hold the layer to Django's contract.

Django's ``tests/sessions_tests`` (from the sdist of the installed Django,
fetched and cached by ``tests/fixtures/django_tests.py``) run with each
per-backend class subclassed for the layer's store (``db``, its custom-model
subclass, ``cached_db``, ``cache``, ``signed_cookies``; the async variants
too), the middleware tests through ``SessionSecurityMiddleware`` on each
engine, and Django's own backends beside them as the control
(``django_contract/suite.py``); Django's ``tests/auth_tests`` on
``AuthenticationMiddleware``, ``get_user``/``aget_user``, ``login``/``logout``
and ``update_session_auth_hash``, on the layer's middleware and on Django's
(``django_contract/auth_suite.py``). They run once, in a process of their own
(Django's ``sessions_tests`` app must be installed before Django starts),
against the real Redis and the bake's database.
"""

import json
import os
import subprocess
import sys

import django
import pytest
from django.conf import settings

from tests.fixtures.django_tests import django_tests
from tests.fixtures.processes import carry_mark
from tests.fixtures.services import EXTERNAL_REDIS, is_postgresql

# Every engine, in a process of its own; needs the real Redis (in CI, a skip fails the run).
pytestmark = [pytest.mark.every_engine, pytest.mark.services]

STRICT_KEYS = (
    "strict keys: '12345678' is no session key here, only Django's own shape reaches the "
    "store (docs/session-layer.md: 'only keys of the shape Django makes (32 of [a-z0-9])')"
)
# Every deliberate difference from Django, by test id: listed once, with its reason.
EXPECTED_DIFFERENCES = {
    f"{name}.test_session_key_valid_string_saved": STRICT_KEYS
    for name in (
        "LayerDatabaseSessionTests",
        "LayerDatabaseSessionWithTimeZoneTests",
        "LayerCustomDatabaseSessionTests",
        "LayerCacheDBSessionTests",
        "LayerCacheDBSessionWithTimeZoneTests",
        "LayerCacheSessionTests",
    )
}
RELOGIN = (
    "a new key on every sign-in, also the same user's over a live session (ASVS 7.2.4): "
    "docs/session-layer.md 'Every sign-in gets a new session key and a new registry row'"
)
EXPECTED_DIFFERENCES |= {
    "LayerLoginTest.test_session_key_flushed_on_login_after_password_change": RELOGIN,
    "LayerSessionAuthenticationTests.test_user_password_change_updates_session": (
        "a new password saved by any view but the project's ends every session of the user, "
        "this one too: docs/session-layer.md 'Any other new password ends all of the user's "
        "sessions, whoever set it'"
    ),
    **dict.fromkeys(
        (
            "LayerTestLoginRequiredMiddleware.test_public_view_logged_in_performance",
            "LayerTestLoginRequiredMiddleware.test_protected_view_logged_in_performance",
        ),
        "the session, its row and the user are read and checked before any view, in one "
        "query: docs/session-layer.md 'The two per-request reads (the stored session with its "
        "row and user; the row by primary key with its user) are one query each'",
    ),
}
AUTH_CLASSES = (
    "TestAuthenticationMiddleware",
    "TestAsyncLoginLogoutAfterSyncMiddleware",
    "TestLoginRequiredMiddleware",
    "TestGetUser",
    "TestLogin",
    "SignalTestCase",
    "LoginTest",
    "LogoutTest",
    "LogoutThenLoginTests",
    "LoginRedirectAuthenticatedUser",
    "ChangePasswordTest",
    "SessionAuthenticationTests",
)

# The test classes of ``django_contract/suite.py`` and ``auth_suite.py``, by what they hold to
# Django's contract.
GROUPS = {
    "db": (
        "LayerDatabaseSessionTests",
        "LayerDatabaseSessionWithTimeZoneTests",
        "LayerCustomDatabaseSessionTests",
    ),
    "cached_db": ("LayerCacheDBSessionTests", "LayerCacheDBSessionWithTimeZoneTests"),
    "cache": ("LayerCacheSessionTests",),
    "signed_cookies": ("LayerCookieSessionTests",),
    "middleware": tuple(
        f"LayerSessionMiddlewareTests_{engine}"
        for engine in ("db", "cached_db", "cache", "signed_cookies")
    ),
    "auth": (
        *(f"Layer{name}" for name in AUTH_CLASSES),
        "LayerVerifiedTestAuthenticationMiddleware",
        "LayerVerifiedTestAsyncLoginLogoutAfterSyncMiddleware",
    ),
    "auth_control": AUTH_CLASSES,
    "control": (
        "DatabaseSessionTests",
        "DatabaseSessionWithTimeZoneTests",
        "CustomDatabaseSessionTests",
        "CacheDBSessionTests",
        "CacheDBSessionWithTimeZoneTests",
        "CacheSessionTests",
        "CookieSessionTests",
        "SessionMiddlewareTests",
        "ClearSessionsCommandTests",
        "SessionBaseTests",
    ),
}


def contract_redis_url(request):
    external = os.environ.get(EXTERNAL_REDIS)
    if external:
        return external
    server = request.getfixturevalue("redis_proc")
    return f"redis://{server.host}:{server.port}/1"  # not the database the other tests empty


@pytest.fixture(scope="module")
def results(request, tmp_path_factory):
    """``{"Class.test_name": [outcome, detail]}`` of one run of the suite."""
    try:
        folder = django_tests()
    except OSError as error:
        pytest.skip(
            f"Django {django.__version__}'s tests are not cached and could not be fetched "
            f"from PyPI ({error}); CI has the network"
        )
    env = {
        "CONTRACT_REDIS_URL": contract_redis_url(request),
        "DJANGO_SETTINGS_MODULE": "tests.session_security.django_contract.settings",
        "PYTHONPATH": os.pathsep.join([str(settings.BASE_DIR), str(folder)]),
    }
    if is_postgresql(settings.DATABASES["default"]):
        server = request.getfixturevalue("postgresql_server")
        name = server.create_database("contract")
        env |= {"DATABASE_URL": server.url(name), "CONTRACT_TEST_DATABASE": f"test_{name}"}
    path = tmp_path_factory.mktemp("contract") / "results.json"
    command = [sys.executable, "-m", "tests.session_security.django_contract.run", str(path)]
    finished = subprocess.run(
        command,
        cwd=settings.BASE_DIR,
        env=carry_mark(os.environ | env),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if not path.exists():
        pytest.fail(f"Django's tests did not run:\n{finished.stderr[-5000:]}")
    return json.loads(path.read_text())


@pytest.mark.parametrize("group", GROUPS)
def test_django_session_tests_pass(results, group):
    ran = {test: found for test, found in results.items() if test.split(".")[0] in GROUPS[group]}
    assert {test.split(".")[0] for test in ran} == set(GROUPS[group]), "a class did not run"
    failed = {
        test: detail
        for test, (outcome, detail) in ran.items()
        if outcome == "failed" and test not in EXPECTED_DIFFERENCES
    }
    assert not failed, "\n\n".join(f"{test}:\n{detail}" for test, detail in failed.items())


@pytest.mark.parametrize(
    "test_id",
    [
        pytest.param(
            test_id, marks=pytest.mark.xfail(strict=True, reason=reason, raises=AssertionError)
        )
        for test_id, reason in EXPECTED_DIFFERENCES.items()
    ],
)
def test_deliberate_difference(results, test_id):
    """Fails (xfail) while the difference holds; a difference that disappears fails the run."""
    outcome, detail = results[test_id]  # a KeyError: the test is gone, not a difference
    assert outcome == "passed", detail
