"""Django's session tests, each per-backend class subclassed for the layer's store.

Django's own classes are imported too: the control, run beside them unchanged.
"""

from unittest import mock

from django.test import override_settings
from sessions_tests import models as django_models
from sessions_tests import tests as django_tests
from sessions_tests.tests import (  # noqa: F401 - the control: Django's own backends
    CacheDBSessionTests,
    CacheDBSessionWithTimeZoneTests,
    CacheSessionTests,
    ClearSessionsCommandTests,
    CookieSessionTests,
    CustomDatabaseSessionTests,
    DatabaseSessionTests,
    DatabaseSessionWithTimeZoneTests,
    SessionBaseTests,
)

from session_security.middleware.sessions import SessionSecurityMiddleware
from session_security.models import Session
from session_security.storage import cache, cached_db, db, signed_cookies


class SessionStore(db.SessionStore):
    """Django's documented custom model (its test's store), on the layer's ``db`` store.

    Named as Django's: the name is in the signing salt, and the model decodes with Django's.
    """

    @classmethod
    def get_model_class(cls):
        return django_models.CustomSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.account_id = int(data.get("_auth_user_id"))
        except (ValueError, TypeError):
            instance.account_id = None
        return instance

    def get_session_cookie_age(self):
        return 60 * 60 * 24


CustomModelStore = SessionStore  # this module is the engine of ``LayerCustomDatabaseSessionTests``


class LayerDatabaseSessionTests(DatabaseSessionTests):
    backend = db.SessionStore
    session_engine = "session_security.storage.db"


@override_settings(USE_TZ=True)
class LayerDatabaseSessionWithTimeZoneTests(LayerDatabaseSessionTests):
    pass


class LayerCustomDatabaseSessionTests(CustomDatabaseSessionTests):
    backend = CustomModelStore
    session_engine = __name__


class LayerCacheDBSessionTests(CacheDBSessionTests):
    backend = cached_db.SessionStore


@override_settings(USE_TZ=True)
class LayerCacheDBSessionWithTimeZoneTests(LayerCacheDBSessionTests):
    pass


class LayerCacheSessionTests(CacheSessionTests):
    backend = cache.SessionStore


class LayerCookieSessionTests(CookieSessionTests):
    backend = signed_cookies.SessionStore


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.db")
class SessionMiddlewareTests(django_tests.SessionMiddlewareTests):
    """The control: Django's middleware on Django's engine."""


def middleware_tests(engine):
    """Django's middleware tests, run through ``SessionSecurityMiddleware`` on ``engine``."""

    @override_settings(SESSION_ENGINE=f"session_security.storage.{engine}")
    class Tests(django_tests.SessionMiddlewareTests):
        def setUp(self):
            super().setUp()
            for name, replacement in (
                ("SessionMiddleware", SessionSecurityMiddleware),
                ("Session", Session),  # the stored sessions' model
            ):
                patcher = mock.patch.object(django_tests, name, replacement)
                patcher.start()
                self.addCleanup(patcher.stop)

        if engine in ("cache", "signed_cookies"):

            def test_empty_session_saved(self):
                self.skipTest("it reads the stored sessions' model: this engine has none")

    Tests.__name__ = Tests.__qualname__ = f"LayerSessionMiddlewareTests_{engine}"
    return Tests


LayerSessionMiddlewareTests_db = middleware_tests("db")
LayerSessionMiddlewareTests_cached_db = middleware_tests("cached_db")
LayerSessionMiddlewareTests_cache = middleware_tests("cache")
LayerSessionMiddlewareTests_signed_cookies = middleware_tests("signed_cookies")
