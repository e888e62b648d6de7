from django.apps import AppConfig


class DeviceBindingConfig(AppConfig):
    name = "session_security.device_binding"
    label = "device_binding"
    verbose_name = "Device-bound sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from session_security import audit
        from session_security.device_binding import checks, protocol  # noqa: F401 (checks)
        from session_security.models import SessionRecord

        # Every request reads the session's key with its registry row: one query.
        SessionRecord.read_with.append("device_key")
        audit.EVENTS.extend(protocol.EVENTS)
