"""Settings for {{ cookiecutter.project_name }}.

Production defaults, from the environment: docs/configuration.md lists every variable.
"""

from datetime import timedelta
from pathlib import Path

{% if cookiecutter.scale_out == "yes" -%}
from django.core.exceptions import ImproperlyConfigured
{% endif -%}
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

from config.environment import (
    POOL_MODES,
    choice,
    database,
    database_pool,
    flag,
    integer,
    mailer,
    required,
    text,
    url_setting,
    words,
)
{%- if cookiecutter.scale_out == "yes" %}
from scale_out import sentinel
{%- endif %}
from session_security.storage import engines

BASE_DIR = Path(__file__).resolve().parent.parent

# The answers given when the project was baked: defaults for the variables below.
BAKED_DATABASE_URL = {{ '"postgres://localhost:5432/' ~ cookiecutter.project_slug ~ '"' if cookiecutter.database == "postgresql" else 'f"sqlite:///{BASE_DIR / \'db.sqlite3\'}"' }}
BAKED_SESSION_ENGINE = "{{ cookiecutter.session_engine }}"
BAKED_SESSION_COOKIE_AGE = {{ cookiecutter.session_cookie_age }}
BAKED_SESSION_IDLE_TIMEOUT = {{ cookiecutter.session_idle_timeout }}
BAKED_SESSION_ROTATION_INTERVAL = {{ cookiecutter.session_rotation_interval }}
BAKED_SESSION_EXPIRE_AT_BROWSER_CLOSE = {{ "True" if cookiecutter.session_expire_at_browser_close == "yes" else "False" }}
BAKED_SESSION_COOKIE_SAMESITE = "{{ cookiecutter.session_cookie_samesite }}"
BAKED_SESSION_BIND_IP = "{{ cookiecutter.session_bind_ip }}"
BAKED_SESSION_BIND_USER_AGENT = "{{ cookiecutter.session_bind_user_agent }}"
BAKED_DEFAULT_FROM_EMAIL = "webmaster@{{ cookiecutter.domain_name }}"

# --- Core ------------------------------------------------------------------

# Debug pages leak settings and source code: off unless asked for.
DEBUG = flag("DJANGO_DEBUG", default=False)

# Signs sessions, CSRF tokens and reset links; a known key forges them. Required without debug.
SECRET_KEY = required("DJANGO_SECRET_KEY", when=not DEBUG, fallback=get_random_secret_key)
# Old keys still accepted for verifying (and re-signing) during a key rotation.
SECRET_KEY_FALLBACKS = words("DJANGO_SECRET_KEY_FALLBACKS")

# Host-header attacks (poisoned password-reset links, cache poisoning).
ALLOWED_HOSTS = words("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
# Origins allowed to POST through a TLS-terminating proxy (CSRF Origin check).
CSRF_TRUSTED_ORIGINS = words("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    # Unused by the layer (sessions live in session_security's table): it gives third-party
    # imports of its model and Django's `clearsessions` (which runs the layer's cleanup).
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "session_security",
{%- if cookiecutter.session_device_bound == "yes" %}
    # Device-bound sessions (DBSC): the key each bound session is tied to.
    "session_security.device_binding",
{%- endif %}
{%- if cookiecutter.sign_in_alerts == "yes" %}
    # Sign-in alerts: the browsers each account knows, sessions from new ones.
    "session_security.sign_in_alerts",
{%- endif %}
{%- if cookiecutter.allauth == "yes" %}
    # django-allauth on the session layer: before "accounts" and allauth, whose pages it restyles.
    "accounts.allauth_bridge",
{%- endif %}
    "accounts",
{%- if cookiecutter.scale_out == "yes" %}
    # The one ordinary model: read from the replica when there is one.
    "notices",
{%- endif %}
    # Login throttling: failed sign-ins are counted in its tables.
    "axes",
{%- if cookiecutter.allauth == "yes" %}
    # Sign-up, email addresses, re-authentication; TOTP, recovery codes and passkeys.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # allauth's list of passkeys and security keys loads its template tags (humanize).
    "django.contrib.humanize",
{%- endif %}
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
{%- if cookiecutter.scale_out == "yes" %}
    # Stale reads while changing something: writes and the admin read the primary.
    "scale_out.routers.PrimaryReadsMiddleware",
{%- endif %}
    # Permissions-Policy and Cross-Origin-Resource-Policy.
    "config.headers.SecurityHeadersMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Replaces Django's SessionMiddleware: timeouts, rotation, binding, revocation, first.
{%- if cookiecutter.session_device_bound == "yes" %}
    # ... and a device-bound session's bound cookie, the DBSC offer and challenge.
    "session_security.device_binding.middleware.DeviceBoundSessionMiddleware",
{%- else %}
    "session_security.middleware.sessions.SessionSecurityMiddleware",
{%- endif %}
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, taking the user the session layer already read and verified.
    "session_security.middleware.authentication.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
{%- if cookiecutter.allauth == "yes" %}
    # allauth's: its pending sign-in steps and re-authentication redirects.
    "allauth.account.middleware.AccountMiddleware",
{%- endif %}
{%- if cookiecutter.sign_in_alerts == "yes" %}
    # A sign-in from a new browser: its cookie on the response, the owner's mail after it.
    "session_security.sign_in_alerts.middleware.SignInAlertMiddleware",
{%- endif %}
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: a refused sign-in becomes the lockout page, headers and all.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------

DATABASES = {"default": database("DATABASE_URL", default=BAKED_DATABASE_URL)}
# Under ASGI, a new connection per request (set-up costs more than the request): psycopg's
# pool instead, per process; refused with persistent connections or off PostgreSQL.
DATABASE_POOL = database_pool(
    DATABASES["default"],
    mode=choice("DJANGO_DB_POOL", POOL_MODES, default="off"),
    min_size=integer("DJANGO_DB_POOL_MIN_SIZE", default=2),
    max_size=integer("DJANGO_DB_POOL_MAX_SIZE", default=10, minimum=1),
    timeout=integer("DJANGO_DB_POOL_TIMEOUT", default=10, minimum=1),
    max_age=integer("DJANGO_CONN_MAX_AGE", default=None),
)
if DATABASE_POOL:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = DATABASE_POOL
# Reconnecting on every request costs more than the request itself on PostgreSQL.
DATABASES["default"]["CONN_MAX_AGE"] = (
    0 if DATABASE_POOL else integer("DJANGO_CONN_MAX_AGE", default=60)
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
{%- if cookiecutter.scale_out == "yes" %}

# A streaming replica for ordinary reads. A lagging copy must never decide
# about a session: sessions, the registry, users, axes and the admin read the
# primary (scale_out/routers.py); an unreachable replica sends reads there too.
DATABASE_REPLICA = database("DATABASE_REPLICA_URL", default=None)
if DATABASE_REPLICA is not None:
    if DATABASE_REPLICA["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must name a replica of DATABASE_URL's database "
            f"(same engine; got {DATABASE_REPLICA['ENGINE']!r})"
        )
    DATABASES["replica"] = DATABASE_REPLICA | {
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        # The test database's replica is the test database itself.
        "TEST": {"MIRROR": "default"},
    }
    if DATABASE_POOL:
        # A pool of its own, of the same sizes (the default's).
        DATABASES["replica"].setdefault("OPTIONS", {})["pool"] = DATABASE_POOL
    if "postgresql" in DATABASE_REPLICA["ENGINE"]:
        # A replica that does not answer costs each request 2 s, not minutes.
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASE_ROUTERS = ["scale_out.routers.ReplicaRouter"]
{%- endif %}

# --- Caches and sessions ---------------------------------------------------

{% if cookiecutter.scale_out == "yes" -%}
# Redis with Sentinel (redis+sentinel://) follows a failover; sessions use the primary only.
CACHES = engines.caches(url_setting("CACHE_URL", sentinel.cache_url_config, default=None))
{% else -%}
# Of a multi-server redis:// URL, sessions use the first server (the primary) only.
CACHES = engines.caches(url_setting("CACHE_URL", engines.cache_url_config, default=None))
{% endif %}

SESSION_ENGINE_NAME = choice(
    "DJANGO_SESSION_ENGINE", engines.ENGINE_NAMES, default=BAKED_SESSION_ENGINE
)
SESSION_ENGINE = engines.engine_path(SESSION_ENGINE_NAME, CACHES, debug=DEBUG)
SESSION_CACHE_ALIAS = engines.SESSION_CACHE_ALIAS
# JSON only: a pickle serializer turns a leaked SECRET_KEY into code execution.
SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
# The per-request reads' own compiled join; "orm" (to measure it) reads through select_related.
SESSION_JOINED_READ = "compiled"

# Absolute lifetime, counted from sign-in and never extended by activity.
SESSION_COOKIE_AGE = integer(
    "DJANGO_SESSION_COOKIE_AGE", default=BAKED_SESSION_COOKIE_AGE, minimum=1
)
# A stolen cookie keeps working only while the session is in use.
SESSION_IDLE_TIMEOUT = integer(
    "DJANGO_SESSION_IDLE_TIMEOUT", default=BAKED_SESSION_IDLE_TIMEOUT, minimum=1
)
# A key captured mid-session stops working after the next rotation (0 = off).
SESSION_ROTATION_INTERVAL = integer(
    "DJANGO_SESSION_ROTATION_INTERVAL", default=BAKED_SESSION_ROTATION_INTERVAL
)
# Shared computers: the session ends with the browser.
SESSION_EXPIRE_AT_BROWSER_CLOSE = flag(
    "DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE",
    default=BAKED_SESSION_EXPIRE_AT_BROWSER_CLOSE,
)
# Cookie theft by a stolen IP address or browser switch: off, log or enforce.
SESSION_BIND_IP = choice(
    "DJANGO_SESSION_BIND_IP", ("off", "log", "enforce"), default=BAKED_SESSION_BIND_IP
)
SESSION_BIND_USER_AGENT = choice(
    "DJANGO_SESSION_BIND_USER_AGENT",
    ("off", "log", "enforce"),
    default=BAKED_SESSION_BIND_USER_AGENT,
)
# A stolen session cannot end sessions or change the password without it (sudo mode).
SESSION_REAUTH_WINDOW = integer("DJANGO_SESSION_REAUTH_WINDOW", default=600, minimum=1)
# Forgotten or stolen sessions pile up: at most this many per user, oldest ends (0 = no limit).
SESSION_MAX_PER_USER = integer("DJANGO_SESSION_MAX_PER_USER", default=0)
{%- if cookiecutter.session_device_bound == "yes" %}
# Session cookies copied off the machine: Chrome binds the session to a key it keeps (DBSC).
SESSION_DEVICE_BOUND = flag("DJANGO_SESSION_DEVICE_BOUND", default=True)
SESSION_DEVICE_BOUND_COOKIE_AGE = integer(
    "DJANGO_SESSION_DEVICE_BOUND_COOKIE_AGE", default=300, minimum=10
)
{%- endif %}
# Mobile clients move within a network: compare this many leading bits.
SESSION_BIND_IPV4_PREFIX = integer("DJANGO_SESSION_BIND_IPV4_PREFIX", default=32)
SESSION_BIND_IPV6_PREFIX = integer("DJANGO_SESSION_BIND_IPV6_PREFIX", default=128)
# Forged X-Forwarded-For: only this many proxies in front of us are believed.
TRUSTED_PROXY_COUNT = integer("DJANGO_TRUSTED_PROXY_COUNT", default=0)

# --- Cookies ---------------------------------------------------------------

# Cookies injected by a sibling subdomain or over plain HTTP: __Host- forbids both.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
# Eavesdropping on plain HTTP.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Script injection reading the session key.
SESSION_COOKIE_HTTPONLY = True
# Not HttpOnly on purpose: unreadable cross-origin anyway, and fetch() may need the token.
CSRF_COOKIE_HTTPONLY = False
# Cross-site request forgery and cross-site leaks.
SESSION_COOKIE_SAMESITE = choice(
    "DJANGO_SESSION_COOKIE_SAMESITE", ("Lax", "Strict"), default=BAKED_SESSION_COOKIE_SAMESITE
)
CSRF_COOKIE_SAMESITE = SESSION_COOKIE_SAMESITE
# Sibling subdomains reading or overwriting our cookies.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
# A friendly page when a browser drops the Secure cookies (plain HTTP off loopback).
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"

# --- Transport and headers -------------------------------------------------

# Downgrade to plain HTTP.
SECURE_SSL_REDIRECT = flag("DJANGO_SECURE_SSL_REDIRECT", default=True)
# SSL stripping on later visits: browsers remember to use HTTPS for a year.
SECURE_HSTS_SECONDS = integer("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preload lists are hard to leave: opt in deliberately.
SECURE_HSTS_PRELOAD = flag("DJANGO_SECURE_HSTS_PRELOAD", default=False)
# ... so Django's reminder to preload (security.W021) is silenced until then.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Behind a TLS-terminating proxy only: a client could forge this header.
if flag("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# MIME sniffing turning uploads into scripts.
SECURE_CONTENT_TYPE_NOSNIFF = True
# URLs (with their query strings) leaking to other sites.
SECURE_REFERRER_POLICY = "same-origin"
# Cross-window attacks (Spectre-style leaks, tab-nabbing).
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Clickjacking.
X_FRAME_OPTIONS = "DENY"
# Script injection and foreign content: only what the pages load, from here, inline with a nonce.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # data: for the empty favicon in base.html (no request for /favicon.ico).
    "img-src": [CSP.SELF, "data:"],
{%- if cookiecutter.allauth == "yes" %}
    # allauth's passkey sign-in fetches its WebAuthn challenge from here (fetch(), not a form).
    "connect-src": [CSP.SELF],
{%- endif %}
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
# Powerful browser features nobody here needs (sent by SecurityHeadersMiddleware).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# Other sites embedding our responses (cross-origin reads; SecurityHeadersMiddleware).
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

# --- Authentication --------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Password guessing: a locked-out pair is refused before any password is checked (axes first).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Offline cracking of a stolen password table: Argon2 first.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Login throttling (django-axes, ASVS 6.3.1) ----------------------------

# Online password guessing: this many failures lock a username and address pair (429).
AXES_FAILURE_LIMIT = integer("DJANGO_LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(seconds=integer("DJANGO_LOGIN_COOL_OFF", default=900, minimum=1))
# The pair, never the username alone: a guesser elsewhere cannot lock the owner out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Forged X-Forwarded-For: the address through TRUSTED_PROXY_COUNT proxies, as for sessions.
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip_address"
# "ALICE", " alice " and "Alice\t" are all counted as "alice".
AXES_USERNAME_CALLABLE = "accounts.throttling.normalised_username"
# The "too many attempts" page: 429 with Retry-After, no inline script or style.
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
# A successful sign-in clears that pair's failures.
AXES_RESET_ON_SUCCESS = True
# Each attempt while locked out (even with the right password) restarts the cool-off.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
# Successful sign-ins are in the audit log and the registry: no ever-growing table of them.
AXES_DISABLE_ACCESS_LOG = True
# Masked in the stored form data and in axes' log lines (the password always is).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
{%- if cookiecutter.allauth == "yes" %}

# --- Sign-up, email verification and MFA (django-allauth, docs/allauth.md) --

ACCOUNT_ADAPTER = "accounts.allauth_bridge.adapter.AccountAdapter"
# Anyone may create an account (false: only administrators make them).
ACCOUNT_SIGNUP_OPEN = flag("DJANGO_SIGNUP_OPEN", default=True)
# Accounts made in someone else's name: no session before the address is proven by its mail.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# ... then signed in by the link, only in the browser that signed up (its pending sign-in).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_LOGIN_METHODS = {"username"}
# Account enumeration: sign-up and reset answer alike whether an address is known.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
# Links in mails: never http://.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[{{ cookiecutter.project_name }}] "
# Changes made by someone else: a mail on each address or password change.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# One sudo mode: the layer's window (SESSION_REAUTH_WINDOW) decides on allauth's pages too, by
# the adapter; allauth's own record of recent authentications never suffices alone.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
# ... by the password or a second factor; a code mailed to the address would let whoever reads
# the mailbox into sudo mode.
ACCOUNT_REAUTHENTICATION_METHODS = ["password", "mfa"]
# Password guesses meet django-axes' lockout (the adapter); allauth's own "login_failed" limit
# is left at its default: it guards the second factor's codes (5 wrong per account in 5 min).
# Second factors: an authenticator app, recovery codes, passkeys (phishing-resistant).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "{{ cookiecutter.project_name }}"
{%- endif %}

# --- Password-reset throttling (accounts/password_reset.py) -----------------

# Mailbox flooding via "forgot password": per target and per client address, in the window.
PASSWORD_RESET_ADDRESS_LIMIT = integer("DJANGO_PASSWORD_RESET_ADDRESS_LIMIT", default=3, minimum=1)
PASSWORD_RESET_CLIENT_LIMIT = integer("DJANGO_PASSWORD_RESET_CLIENT_LIMIT", default=10, minimum=1)
PASSWORD_RESET_WINDOW = integer("DJANGO_PASSWORD_RESET_WINDOW", default=3600, minimum=1)

# --- Email -----------------------------------------------------------------

# A production backend (check --deploy refuses console); a URL no backend can use stops start-up.
MAILERS = {"default": mailer("EMAIL_URL", default="smtp://localhost:25")}
DEFAULT_FROM_EMAIL = text("DJANGO_DEFAULT_FROM_EMAIL", default=BAKED_DEFAULT_FROM_EMAIL)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation and static files ---------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by the app server (config/static.py); collectstatic writes gzip and Brotli copies.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "servestatic.storage.CompressedStaticFilesStorage"},
}

# --- Logging ---------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "filters": {"refused_host": {"()": "session_security.audit.RefusedHost"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Scanners' random Host headers: one audit line each, not a traceback.
        "django.security.DisallowedHost": {"filters": ["refused_host"]},
        # One line per session event (login, logout, timeout, rotation...).
        "session_security.audit": {
            "level": choice("DJANGO_AUDIT_LOG_LEVEL", ("INFO", "WARNING"), default="INFO"),
        },
    },
}
