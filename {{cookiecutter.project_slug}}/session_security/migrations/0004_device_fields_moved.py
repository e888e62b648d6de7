# The keys of bound sessions moved to a table of their own, which only a
# project with device-bound sessions has (its migration copies them first).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("session_security", "0003_stored_sessions"),
    ]

    operations = [
        migrations.RemoveField(model_name="sessionrecord", name=name)
        for name in (
            "device_public_key",
            "device_algorithm",
            "device_bound_at",
            "device_challenge",
            "device_challenge_at",
        )
    ]
