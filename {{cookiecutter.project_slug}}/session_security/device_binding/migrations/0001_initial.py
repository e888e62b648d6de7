import django.db.models.deletion
from django.db import migrations, models


def copy_bound_sessions(apps, schema_editor):
    """Keys of sessions bound before this table existed (they were registry columns)."""
    record_model = apps.get_model("session_security", "SessionRecord")
    key_model = apps.get_model("device_binding", "DeviceKey")
    bound = record_model.objects.filter(device_public_key__isnull=False)
    key_model.objects.bulk_create(
        key_model(
            record_id=record.pk,
            public_key=record.device_public_key,
            algorithm=record.device_algorithm,
            bound_at=record.device_bound_at,
            challenge=record.device_challenge,
            challenge_at=record.device_challenge_at,
        )
        for record in bound.iterator()
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("session_security", "0003_stored_sessions"),
    ]
    # The registry's columns are dropped after they are copied here.
    run_before = [
        ("session_security", "0004_device_fields_moved"),
    ]

    operations = [
        migrations.CreateModel(
            name="DeviceKey",
            fields=[
                (
                    "record",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="device_key",
                        serialize=False,
                        to="session_security.sessionrecord",
                    ),
                ),
                ("public_key", models.JSONField(help_text="The browser's public key (a JWK).")),
                ("algorithm", models.CharField(max_length=8)),
                ("bound_at", models.DateTimeField()),
                (
                    "challenge",
                    models.CharField(
                        blank=True, help_text="The next refresh must sign this.", max_length=64
                    ),
                ),
                ("challenge_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(copy_bound_sessions, migrations.RunPython.noop),
    ]
