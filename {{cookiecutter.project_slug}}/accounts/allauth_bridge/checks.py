"""System check: django-allauth's session state never travels in a cookie the browser holds."""

from django.conf import settings
from django.core.checks import Error, register

SIGNED_COOKIES = Error(
    "DJANGO_SESSION_ENGINE=signed_cookies with django-allauth.",
    hint=(
        "allauth keeps secrets in the session: the TOTP secret being set up, a pending "
        "sign-in, the passkey challenge. The signed_cookies engine would put them in the "
        "cookie, where anyone who sees it reads them, for good (signed, not encrypted). "
        "Choose db, cache or cached_db."
    ),
    id="allauth_bridge.E001",
)


@register()
def session_engine_keeps_secrets_on_the_server(app_configs, **kwargs):
    return [SIGNED_COOKIES] if settings.SESSION_ENGINE_NAME == "signed_cookies" else []
