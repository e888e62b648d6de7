"""The test suite's environment, then the one real settings module.

Tests run the production configuration (debug off, HTTPS, secure cookies);
this shim only supplies the variables a deployment would set. Variables
already in the environment win, so a run can still pick an engine or a
database: ``DJANGO_SESSION_ENGINE=cache uv run pytest``.
"""

import os

TEST_ENVIRONMENT = {
    "DJANGO_DEBUG": "off",
    "DJANGO_SECRET_KEY": "tests-only-not-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    # Replaced by the real Redis of the test session (see tests/conftest.py);
    # set here because the cache engine refuses to start without one.
    "CACHE_URL": "redis://127.0.0.1:1/0",
    "DJANGO_CONN_MAX_AGE": "0",
}
for name, value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(name, value)

from config.settings import *  # noqa: E402, F403

# Hashing with Argon2's production cost on every test login adds minutes.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The general-purpose cache (rate-limit counters) lives in memory during tests;
# the session cache is pointed at the real Redis per test (tests/conftest.py).
CACHES["default"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}  # noqa: F405
