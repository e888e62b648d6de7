"""ASGI entry point (``uvicorn config.asgi:application``), static files in front.

Persistent database connections are off by default here, as Django's
documentation asks under ASGI: sync ORM calls run in a thread pool and each
thread keeps a connection of its own, so ``CONN_MAX_AGE=60`` piled them up
until PostgreSQL answered "too many clients". An explicit
``DJANGO_CONN_MAX_AGE`` still wins (e.g. with a pool in front of the database).
"""

import os

from django.core.asgi import get_asgi_application
from servestatic import ServeStaticASGI

from config.static import serve_static

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Before the settings load (get_asgi_application sets Django up).
os.environ.setdefault("DJANGO_CONN_MAX_AGE", "0")

application = serve_static(get_asgi_application(), ServeStaticASGI)
