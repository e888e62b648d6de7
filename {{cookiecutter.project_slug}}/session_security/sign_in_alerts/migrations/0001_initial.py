import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("session_security", "0005_rate_counters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NewBrowserSignIn",
            fields=[
                (
                    "record",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="new_browser",
                        serialize=False,
                        to="session_security.sessionrecord",
                    ),
                ),
                (
                    "seen_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the owner saw it in the session list.",
                        null=True,
                    ),
                ),
                (
                    "link_used_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the mail's link ended it (it works once).",
                        null=True,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="KnownBrowser",
            fields=[
                ("digest", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("first_seen_at", models.DateTimeField()),
                (
                    "last_seen_at",
                    models.DateTimeField(
                        db_index=True,
                        help_text="Its last sign-in; unseen for its cookie's lifetime: forgotten.",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="known_browsers",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
