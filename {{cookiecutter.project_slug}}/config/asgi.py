"""ASGI entry point (``uvicorn config.asgi:application``), static files in front."""

import os

from django.core.asgi import get_asgi_application
from servestatic import ServeStaticASGI

from config.static import serve_static

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Each request would otherwise open a connection of its own: pooled on PostgreSQL.
# Before the settings load. Persistent connections are off (each sync-pool thread
# would keep its own), unless DJANGO_CONN_MAX_AGE asks for them (then no pool).
os.environ.setdefault("DJANGO_DB_POOL", "auto")
os.environ.setdefault("DJANGO_CONN_MAX_AGE", "0")

application = serve_static(get_asgi_application(), ServeStaticASGI)
