"""Django's authentication tests where the layer replaces Django, and Django's own beside them.

Each Django class runs twice: ``Layer*`` with the layer's session middleware, store and
``AuthenticationMiddleware`` (the bake's settings), and unchanged on Django's ``SessionMiddleware``,
``AuthenticationMiddleware`` and ``db`` engine (the control). Both run Django's test middleware
list (its ``runtests.py``) with the layer's classes in place of Django's two, and the project's user
model: Django's tests name ``auth.User``, which the project swaps for ``accounts.User`` (Django's
``AbstractUser`` plus the session epoch), so their ``User`` is the project's.
"""

import sys
import types
from unittest import mock

# Django's test models are not installed: one proxies ``auth.User``, which the project swaps, and
# Django refuses the app. The selected tests use none of them: stand-ins for their imports.
MODELS = types.ModuleType("auth_tests.models")
MODELS.__getattr__ = lambda name: None
sys.modules.setdefault("auth_tests.models", MODELS)

from auth_tests import (  # noqa: E402
    test_basic,
    test_login,
    test_middleware,
    test_signals,
    test_views,
)
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.signals import user_logged_in, user_logged_out  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from session_security import receivers  # noqa: E402
from session_security.middleware.authentication import AuthenticationMiddleware  # noqa: E402
from session_security.middleware.sessions import SessionSecurityMiddleware  # noqa: E402
from tests.session_security.django_contract.settings import PROJECT_SESSION_COOKIE  # noqa: E402

MODULES = (test_basic, test_login, test_middleware, test_signals, test_views)
for module in MODULES:
    module.User = get_user_model()

# The bake's session middleware (with device binding: its subclass).
SESSION_MIDDLEWARE = next(
    path for path in settings.MIDDLEWARE if ".sessions" in path or "device" in path
)
AUTHENTICATION_MIDDLEWARE = "session_security.middleware.authentication.AuthenticationMiddleware"


def django_middleware(session, authentication):
    """Django's ``runtests.py`` middleware, with these two in its places."""
    return [
        session,
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        authentication,
        "django.contrib.messages.middleware.MessageMiddleware",
    ]


# What Django's tests assume of their settings, in both runs: the project's cookie; Django's
# defaults for the sign-in URLs and validators (the tests' passwords are short); the model backend
# only (django-axes refuses ``authenticate()`` without a request, as the test client calls it).
COMMON = {
    **PROJECT_SESSION_COOKIE,
    "AUTHENTICATION_BACKENDS": ["django.contrib.auth.backends.ModelBackend"],
    "AUTH_PASSWORD_VALIDATORS": [],
    "LOGIN_URL": "/accounts/login/",
    "LOGIN_REDIRECT_URL": "/accounts/profile/",
    "LOGOUT_REDIRECT_URL": None,
    "CSRF_FAILURE_VIEW": "django.views.csrf.csrf_failure",  # the project's needs its templates
}
layer = override_settings(
    **COMMON, MIDDLEWARE=django_middleware(SESSION_MIDDLEWARE, AUTHENTICATION_MIDDLEWARE)
)
django_settings = override_settings(
    **COMMON,
    SESSION_ENGINE="django.contrib.sessions.backends.db",
    MIDDLEWARE=django_middleware(
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ),
)


class WithoutTheLayersReceivers:
    """Django's ``login()`` and ``logout()`` alone: the layer's receivers are the layer's."""

    def setUp(self):
        for signal, receiver, uid in (
            (user_logged_in, receivers.on_login, "session_security.login"),
            (user_logged_out, receivers.on_logout, "session_security.logout"),
        ):
            signal.disconnect(dispatch_uid=uid)
            self.addCleanup(signal.connect, receiver, dispatch_uid=uid)
        super().setUp()


def control(cls):
    """Django's own ``cls``, on Django's session middleware, engine and ``login()``."""
    return django_settings(
        type(cls.__name__, (WithoutTheLayersReceivers, cls), {"__module__": __name__})
    )


class ThroughTheSessionLayer:
    """The layer's ``AuthenticationMiddleware`` behind its session middleware, called as Django's
    tests call theirs: on a request holding the test client's session (sent as its cookie)."""

    def __init__(self, get_response):
        session_middleware = import_string(SESSION_MIDDLEWARE)
        self.chain = session_middleware(AuthenticationMiddleware(get_response))

    def __call__(self, request):
        request.COOKIES[settings.SESSION_COOKIE_NAME] = request.session.session_key
        return self.chain(request)


def patching(module, **replacements):
    """A mixin starting ``replacements`` of ``module``'s names before Django's ``setUp``."""

    class Patched:
        def setUp(self):
            for name, replacement in replacements.items():
                patcher = mock.patch.object(module, name, replacement)
                patcher.start()
                self.addCleanup(patcher.stop)
            super().setUp()

    return Patched


# --- The control: Django's own classes ------------------------------------------------------
@control
class TestAuthenticationMiddleware(test_middleware.TestAuthenticationMiddleware):
    pass


@control
class TestAsyncLoginLogoutAfterSyncMiddleware(
    test_middleware.TestAsyncLoginLogoutAfterSyncMiddleware
):
    pass


@control
class TestLoginRequiredMiddleware(test_middleware.TestLoginRequiredMiddleware):
    pass


@control
class TestGetUser(test_basic.TestGetUser):
    pass


@control
class TestLogin(test_login.TestLogin):
    pass


class Signals:
    def test_login_with_custom_user_without_last_login_field(self):
        self.skipTest("swaps in Django's test models, which are not installed (see above)")


@control
class SignalTestCase(Signals, test_signals.SignalTestCase):
    pass


VIEW_CLASSES = (
    "LoginTest",
    "LogoutTest",
    "LogoutThenLoginTests",
    "LoginRedirectAuthenticatedUser",
    "ChangePasswordTest",
    "SessionAuthenticationTests",
)
for name in VIEW_CLASSES:
    globals()[name] = control(type(name, (getattr(test_views, name),), {}))


# --- The layer ------------------------------------------------------------------------------
# Django's tests call ``AuthenticationMiddleware`` by hand: the layer's, as a drop-in ...
@layer
class LayerTestAuthenticationMiddleware(
    patching(test_middleware, AuthenticationMiddleware=AuthenticationMiddleware),
    test_middleware.TestAuthenticationMiddleware,
):
    pass


@layer
class LayerTestAsyncLoginLogoutAfterSyncMiddleware(
    patching(test_middleware, AuthenticationMiddleware=AuthenticationMiddleware),
    test_middleware.TestAsyncLoginLogoutAfterSyncMiddleware,
):
    pass


# ... and behind the layer's session middleware: the user it read and verified (``verify``).
@layer
class LayerVerifiedTestAuthenticationMiddleware(
    patching(test_middleware, AuthenticationMiddleware=ThroughTheSessionLayer),
    test_middleware.TestAuthenticationMiddleware,
):
    def test_no_session(self):
        self.skipTest("the session middleware is in front: there is always a session")

    def skip_async(self):
        self.skipTest(
            "calls the middleware by hand in async code, where the session read (I/O) is refused: "
            "under ASGI the layer reads in a thread (``__acall__``); run as a drop-in above"
        )

    test_auser = test_auser_after_alogin = test_auser_after_login = skip_async
    test_auser_after_alogout = test_auser_after_logout = skip_async


@layer
class LayerVerifiedTestAsyncLoginLogoutAfterSyncMiddleware(
    patching(test_middleware, AuthenticationMiddleware=ThroughTheSessionLayer),
    test_middleware.TestAsyncLoginLogoutAfterSyncMiddleware,
):
    pass


@layer
class LayerTestLoginRequiredMiddleware(test_middleware.TestLoginRequiredMiddleware):
    pass


@layer
class LayerTestGetUser(test_basic.TestGetUser):
    pass


@layer
class LayerTestLogin(test_login.TestLogin):
    pass


@layer
class LayerSignalTestCase(Signals, test_signals.SignalTestCase):
    pass


for name in VIEW_CLASSES:
    globals()["Layer" + name] = layer(
        type(
            "Layer" + name,
            (
                patching(test_views, SessionMiddleware=SessionSecurityMiddleware),
                getattr(test_views, name),
            ),
            {},
        )
    )


def read_back_from_the_cookie(self):
    self.skipTest(
        "calls the view by hand, then reads the session from the client's cookie, which no "
        "middleware rewrote: a signed cookie still holds it (on Django's signed_cookies too)"
    )


if settings.SESSION_ENGINE.endswith("signed_cookies"):
    for test in ("test_default_logout_then_login", "test_logout_then_login_with_custom_login"):
        setattr(globals()["LayerLogoutThenLoginTests"], test, read_back_from_the_cookie)
