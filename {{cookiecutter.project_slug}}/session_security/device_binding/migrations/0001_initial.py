import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
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
    ]
