from django.apps import AppConfig


class SessionSecurityConfig(AppConfig):
    name = "session_security"
    verbose_name = "Session security"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Importing registers the system checks and the signal receivers.
        from session_security import checks, receivers, unreachable  # noqa: F401
