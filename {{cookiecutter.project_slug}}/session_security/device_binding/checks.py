"""Device binding's system check: a bound cookie Chrome can keep up with."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Chrome refreshes a bound cookie within 120 s of its expiry and allows itself
# 6 signatures per 9 minutes: shorter cookies cannot be kept up.
SUSTAINABLE_BOUND_COOKIE_AGE = 300


@register(Tags.security, deploy=True)
def check_device_bound_cookie_age(app_configs, **kwargs):
    age = settings.SESSION_DEVICE_BOUND_COOKIE_AGE
    if not settings.SESSION_DEVICE_BOUND or age >= SUSTAINABLE_BOUND_COOKIE_AGE:
        return []
    return [
        Warning(
            f"SESSION_DEVICE_BOUND_COOKIE_AGE is {age}s: Chrome refreshes within 120 s of "
            "expiry and signs at most 6 refreshes per 9 minutes, so bound sessions this "
            "short end on their own.",
            hint=f"Set DJANGO_SESSION_DEVICE_BOUND_COOKIE_AGE to {SUSTAINABLE_BOUND_COOKIE_AGE} "
            "or more.",
            id="session_security.W008",
        )
    ]
