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

# The cookie as Django's tests expect it (their assertions spell out ``sessionid``).
SESSION_COOKIE_NAME = "sessionid"
SESSION_COOKIE_SECURE = False
SESSION_COOKIE_DOMAIN = None
SESSION_COOKIE_PATH = "/"
SESSION_COOKIE_SAMESITE = "Lax"
