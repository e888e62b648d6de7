from django.apps import AppConfig


class AllauthBridgeConfig(AppConfig):
    name = "accounts.allauth_bridge"
    label = "allauth_bridge"
    verbose_name = "django-allauth on the session layer"

    def ready(self):
        from accounts.allauth_bridge import checks, receivers  # noqa: F401  (registered, connected)
        from session_security import audit

        audit.EVENTS.extend(receivers.EVENTS)
