"""ASGI entry point (``uvicorn config.asgi:application``), static files in front."""

import os

from django.core.asgi import get_asgi_application
from servestatic import ServeStaticASGI

from config.static import serve_static

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Off by default: each sync-pool thread would keep its own connection. Before the settings load.
os.environ.setdefault("DJANGO_CONN_MAX_AGE", "0")

application = serve_static(get_asgi_application(), ServeStaticASGI)
