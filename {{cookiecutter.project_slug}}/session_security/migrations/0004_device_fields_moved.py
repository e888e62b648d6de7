# The keys of bound sessions moved to a table of their own, which only a
# project with device-bound sessions has. A session bound under the old
# columns ends here (its owner signs in again and binds anew): dropping its
# key silently would leave it unbound, a copied cookie working again.

from django.db import migrations
from django.utils import timezone

DEVICE_FIELDS = (
    "device_public_key",
    "device_algorithm",
    "device_bound_at",
    "device_challenge",
    "device_challenge_at",
)


def end_bound_sessions(apps, schema_editor):
    record_model = apps.get_model("session_security", "SessionRecord")
    live = record_model.objects.filter(device_public_key__isnull=False, ended_at__isnull=True)
    live.update(ended_at=timezone.now(), end_reason="binding_moved")


class Migration(migrations.Migration):
    dependencies = [
        ("session_security", "0003_stored_sessions"),
    ]

    operations = [
        migrations.RunPython(end_bound_sessions, migrations.RunPython.noop),
        *(migrations.RemoveField(model_name="sessionrecord", name=name) for name in DEVICE_FIELDS),
    ]
