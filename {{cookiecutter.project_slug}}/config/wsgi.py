"""WSGI entry point (``gunicorn config.wsgi``), static files in front."""

import os

from django.core.wsgi import get_wsgi_application
from servestatic import ServeStatic

from config.static import serve_static

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = serve_static(get_wsgi_application(), ServeStatic)
