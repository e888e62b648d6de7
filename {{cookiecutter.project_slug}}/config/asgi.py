"""ASGI entry point (``uvicorn config.asgi:application``), static files in front."""

import os

from django.core.asgi import get_asgi_application
from servestatic import ServeStaticASGI

from config.static import serve_static

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = serve_static(get_asgi_application(), ServeStaticASGI)
