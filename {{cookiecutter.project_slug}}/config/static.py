"""Static files, served by ServeStatic around the WSGI and ASGI applications.

Not a middleware: one is sync-only or async-only, and would cost the other kind a thread hop.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders


def static_folders():
    """``(folder, url prefix)`` pairs: ``STATIC_ROOT`` after ``collectstatic``, else the sources."""
    root = Path(settings.STATIC_ROOT)
    if root.is_dir():
        return [(root, settings.STATIC_URL)]
    folders = []
    for finder in get_finders():
        for storage in getattr(finder, "storages", {}).values():
            prefix = getattr(storage, "prefix", "") or ""
            folders.append((storage.location, settings.STATIC_URL + (prefix and prefix + "/")))
    return folders


def add_security_headers(headers, path, url):
    headers["Cross-Origin-Resource-Policy"] = settings.CROSS_ORIGIN_RESOURCE_POLICY
    headers["X-Content-Type-Options"] = "nosniff"


def serve_static(application, server_class):
    """Wrap ``application`` with ``server_class`` (``ServeStatic`` or ``ServeStaticASGI``)."""
    server = server_class(
        application,
        max_age=3600,
        allow_all_origins=False,
        add_headers_function=add_security_headers,
    )
    for folder, prefix in static_folders():
        server.add_files(folder, prefix=prefix)
    return server
