"""The rate-limit counts of the database store (``counters.py``), used when no Redis holds them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("session_security", "0004_device_fields_moved"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("count", models.PositiveIntegerField()),
                (
                    "window_ends_at",
                    models.DateTimeField(db_index=True, help_text="When the count starts anew."),
                ),
            ],
        ),
    ]
