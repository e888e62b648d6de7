from django.apps import AppConfig


class SignInAlertsConfig(AppConfig):
    name = "session_security.sign_in_alerts"
    label = "sign_in_alerts"
    verbose_name = "Sign-in alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from session_security import audit
        from session_security.sign_in_alerts import receivers

        audit.EVENTS.extend(receivers.EVENTS)
