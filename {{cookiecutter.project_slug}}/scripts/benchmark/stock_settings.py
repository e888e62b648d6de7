"""The stock floor: this project with Django's own session handling.

Everything of ``config.settings`` stays (pages, apps, headers, database,
caches, cookies), except the session layer: Django's ``SessionMiddleware``
replaces this project's session middleware, Django's own backend of the same
engine replaces the hardened one, and Django's ``AuthenticationMiddleware``
authenticates. No idle timeout, no rotation, no registry read per request:
what a team would have without this project.
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS as PROJECT_APPS
from config.settings import MIDDLEWARE as PROJECT_MIDDLEWARE
from config.settings import SESSION_ENGINE_NAME

DJANGO_SESSIONS = "django.contrib.sessions.middleware.SessionMiddleware"
DJANGO_AUTHENTICATION = "django.contrib.auth.middleware.AuthenticationMiddleware"


def stock_middleware(project):
    """``project`` with each session-layer entry swapped for Django's own, in place."""
    stock = []
    for name in project:
        if name.endswith("AuthenticationMiddleware"):
            name = DJANGO_AUTHENTICATION
        elif name.startswith("session_security."):
            name = DJANGO_SESSIONS
        if name not in stock:
            stock.append(name)
    if DJANGO_SESSIONS not in stock or DJANGO_AUTHENTICATION not in stock:
        raise ImproperlyConfigured(f"cannot make a stock MIDDLEWARE out of {project}")
    if stock.index(DJANGO_SESSIONS) > stock.index(DJANGO_AUTHENTICATION):
        raise ImproperlyConfigured("the session middleware must come before authentication")
    return stock


# Django's own table of stored sessions (``django_session``), for its db engines
# (the project installs the app too, for ``clearsessions``: then once).
INSTALLED_APPS = list(dict.fromkeys([*PROJECT_APPS, "django.contrib.sessions"]))
MIDDLEWARE = stock_middleware(PROJECT_MIDDLEWARE)
SESSION_ENGINE = f"django.contrib.sessions.backends.{SESSION_ENGINE_NAME}"
