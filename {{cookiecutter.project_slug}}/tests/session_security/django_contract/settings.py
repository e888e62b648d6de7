"""The project's test settings, with what Django's session tests assume of theirs."""

import os

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "sessions_tests"]  # noqa: F405

# Django's tests keep sessions in the "default" cache: here the real Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["CONTRACT_REDIS_URL"],
    }
}
SESSION_CACHE_ALIAS = "default"
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CONTRACT_TEST_DATABASE")}  # noqa: F405

# The project's cookie, for Django's authentication tests (``auth_suite.py``).
PROJECT_SESSION_COOKIE = {
    name: globals()[name]
    for name in (
        "SESSION_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_DOMAIN",
        "SESSION_COOKIE_SAMESITE",
    )
}
# The cookie as Django's session tests expect it (their assertions spell out ``sessionid``).
SESSION_COOKIE_NAME = "sessionid"
SESSION_COOKIE_SECURE = False
SESSION_COOKIE_DOMAIN = None
SESSION_COOKIE_PATH = "/"
SESSION_COOKIE_SAMESITE = "Lax"
