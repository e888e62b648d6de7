"""System checks (``session_security.E/W0NN``) for what Django's ``check --deploy`` ignores."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

from session_security.middleware.sessions import SessionSecurityMiddleware
from session_security.storage.engines import SESSION_CACHE_ALIAS, is_shared_cache

ONE_YEAR = 365 * 24 * 3600
JSON_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
MIDDLEWARE = "session_security.middleware.sessions.SessionSecurityMiddleware"


@register(Tags.security, deploy=True)
def check_session_cache(app_configs, **kwargs):
    engine = settings.SESSION_ENGINE
    if not engine.endswith((".cache", ".cached_db")):
        return []
    backend = settings.CACHES.get(SESSION_CACHE_ALIAS, {}).get("BACKEND", "")
    if is_shared_cache(backend):
        return []
    if engine.endswith(".cache"):
        return [
            Error(
                f"The cache session engine stores sessions in {backend!r}, which is not "
                "shared between processes: users are signed out on restart and split "
                "between workers.",
                hint="Set CACHE_URL to a Redis server (redis://host:6379/0).",
                id="session_security.E001",
            )
        ]
    return [
        Warning(
            f"The cached_db session engine caches sessions in {backend!r}, which is not "
            "shared between processes: workers may serve stale sessions.",
            hint="Set CACHE_URL to a Redis server, or use DJANGO_SESSION_ENGINE=db.",
            id="session_security.W001",
        )
    ]


@register(Tags.security)
def check_serializer(app_configs, **kwargs):
    if settings.SESSION_SERIALIZER == JSON_SERIALIZER:
        return []
    return [
        Warning(
            f"SESSION_SERIALIZER is {settings.SESSION_SERIALIZER!r}: a serializer other "
            "than JSON (pickle) turns a leaked SECRET_KEY into remote code execution.",
            hint=f"Use {JSON_SERIALIZER!r}.",
            id="session_security.W002",
        )
    ]


@register(Tags.security)
def check_samesite(app_configs, **kwargs):
    errors = []
    for name in ("SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE"):
        value = getattr(settings, name)
        if str(value) not in ("Lax", "Strict"):
            errors.append(
                Warning(
                    f"{name} is {value!r}: the cookie is sent with cross-site requests.",
                    hint="Use 'Lax' or 'Strict' (DJANGO_SESSION_COOKIE_SAMESITE).",
                    id="session_security.W003",
                )
            )
    return errors


@register(Tags.security)
def check_host_prefix(app_configs, **kwargs):
    errors = []
    for kind in ("SESSION", "CSRF"):
        name = getattr(settings, f"{kind}_COOKIE_NAME")
        if not name.startswith("__Host-"):
            continue
        domain = getattr(settings, f"{kind}_COOKIE_DOMAIN")
        path = getattr(settings, f"{kind}_COOKIE_PATH", "/")
        secure = getattr(settings, f"{kind}_COOKIE_SECURE")
        if domain or path != "/" or not secure:
            errors.append(
                Error(
                    f"{kind}_COOKIE_NAME {name!r} has the __Host- prefix, which browsers "
                    "accept only with Secure, Path=/ and no Domain; this cookie would be "
                    "dropped.",
                    hint=f"Unset {kind}_COOKIE_DOMAIN, keep Path=/ and Secure.",
                    id="session_security.E002",
                )
            )
    return errors


@register(Tags.security)
def check_timeouts(app_configs, **kwargs):
    errors = []
    age, idle = settings.SESSION_COOKIE_AGE, settings.SESSION_IDLE_TIMEOUT
    rotation = settings.SESSION_ROTATION_INTERVAL
    if idle > age:
        errors.append(
            Warning(
                f"SESSION_IDLE_TIMEOUT ({idle}s) is longer than SESSION_COOKIE_AGE "
                f"({age}s): the idle timeout can never fire.",
                hint="Lower DJANGO_SESSION_IDLE_TIMEOUT or raise DJANGO_SESSION_COOKIE_AGE.",
                id="session_security.W004",
            )
        )
    if rotation and rotation >= idle:
        errors.append(
            Warning(
                f"SESSION_ROTATION_INTERVAL ({rotation}s) is not shorter than "
                f"SESSION_IDLE_TIMEOUT ({idle}s): keys would rarely rotate.",
                hint="Lower DJANGO_SESSION_ROTATION_INTERVAL, or 0 to turn it off.",
                id="session_security.W005",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_hsts(app_configs, **kwargs):
    seconds = settings.SECURE_HSTS_SECONDS
    if settings.SECURE_HSTS_PRELOAD and seconds < ONE_YEAR:
        return [
            Error(
                f"SECURE_HSTS_PRELOAD is on with SECURE_HSTS_SECONDS={seconds}: preload "
                "lists refuse a max-age under one year.",
                hint=f"Set DJANGO_SECURE_HSTS_SECONDS to at least {ONE_YEAR}.",
                id="session_security.E003",
            )
        ]
    if 0 < seconds < ONE_YEAR:
        return [
            Warning(
                f"SECURE_HSTS_SECONDS is {seconds}: ASVS 3.4.1 asks for at least one year.",
                hint=f"Set DJANGO_SECURE_HSTS_SECONDS to at least {ONE_YEAR}.",
                id="session_security.W006",
            )
        ]
    return []


def is_session_security_middleware(path):
    """Whether ``path`` names the layer's session middleware, or a subclass of it."""
    try:
        return issubclass(import_string(path), SessionSecurityMiddleware)
    except (ImportError, TypeError):
        return False


@register(Tags.security)
def check_middleware(app_configs, **kwargs):
    middleware = settings.MIDDLEWARE
    if "django.contrib.sessions.middleware.SessionMiddleware" not in middleware and any(
        is_session_security_middleware(path) for path in middleware
    ):
        return []
    return [
        Error(
            f"{MIDDLEWARE} must replace Django's SessionMiddleware in MIDDLEWARE: "
            "without it no timeout, rotation or revocation is enforced.",
            id="session_security.E004",
        )
    ]


@register(Tags.security, deploy=True)
def check_csp(app_configs, **kwargs):
    policy = settings.SECURE_CSP
    missing = [name for name in ("object-src", "base-uri", "frame-ancestors") if name not in policy]
    middleware = "django.middleware.csp.ContentSecurityPolicyMiddleware"
    if not missing and middleware in settings.MIDDLEWARE:
        return []
    return [
        Warning(
            "The Content-Security-Policy is missing or lacks "
            f"{', '.join(missing) or 'its middleware'} (ASVS 3.4.3, 3.4.6).",
            id="session_security.W007",
        )
    ]


# The counters' one-statement upsert reads its count back with RETURNING.
SQLITE_FOR_COUNTERS = (3, 35)


@register(Tags.compatibility)
def check_counter_store(app_configs, **kwargs):
    import sqlite3

    from django.db import connections, router

    from session_security.models import RateCounter

    if is_shared_cache(settings.CACHES["default"]["BACKEND"]):
        return []  # the counters live in Redis
    if connections[router.db_for_write(RateCounter)].vendor != "sqlite":
        return []
    if sqlite3.sqlite_version_info >= SQLITE_FOR_COUNTERS:
        return []
    return [
        Error(
            "The rate-limit counters need SQLite 3.35 or newer; Python links "
            f"{sqlite3.sqlite_version}: every password reset would be refused as if its "
            "counters were down.",
            hint="Use a Python built against a newer SQLite, PostgreSQL, or set CACHE_URL.",
            id="session_security.E005",
        )
    ]


@register(Tags.compatibility)
def check_compiled_reads(app_configs, **kwargs):
    """The per-request reads compile against this Django (no query), or say why they cannot."""
    from importlib import import_module

    from session_security.registry import records  # noqa: F401 (makes its read)
    from session_security.storage.joined_read import JoinedRead
    from session_security.storage.orm_read import compiled_off

    import_module(settings.SESSION_ENGINE)  # the engine's own read, if it has one
    reason = compiled_off()
    for read in JoinedRead.every if reason is None else ():
        try:
            read.probe()
        except Exception as error:  # noqa: BLE001 - whatever it is, the reads fall back to the ORM
            reason = f"{read.model.__name__}: {type(error).__name__}: {error}"
    if reason is None:
        return []
    return [
        Warning(
            f"The session layer reads through the ORM, not its compiled join ({reason}): "
            "sign-in works, each signed-in request costs more CPU.",
            hint="Django changed its compiler: run the layer's tests, update joined_read.py."
            if "SESSION_JOINED_READ" not in reason
            else "Remove SESSION_JOINED_READ: 'orm' only serves to measure the compiled join.",
            id="session_security.W009",
        )
    ]
