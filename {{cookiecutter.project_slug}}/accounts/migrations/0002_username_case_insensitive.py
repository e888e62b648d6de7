"""Usernames unique regardless of case: refuse "Alice" next to "alice".

Before the constraint is added, existing look-alikes are looked for and named:
the constraint cannot be created while two of them exist, and the database's
own error would not say which accounts to rename.
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models.functions import Lower

import accounts.models


def refuse_existing_look_alikes(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    clashes = (
        User.objects.annotate(folded=Lower("username"))
        .values("folded")
        .annotate(count=models.Count("id"))
        .filter(count__gt=1)
        .values_list("folded", flat=True)
    )
    if clashes:
        names = sorted(
            User.objects.annotate(folded=Lower("username"))
            .filter(folded__in=list(clashes))
            .values_list("username", flat=True)
        )
        raise RuntimeError(
            "These usernames differ only in case; rename all but one of each group "
            f"before migrating: {', '.join(names)}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", accounts.models.UserManager()),
            ],
        ),
        migrations.RunPython(refuse_existing_look_alikes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                name="accounts_user_username_case_insensitive_unique",
                violation_error_code="unique",
                violation_error_message=(
                    "A user with that username already exists (usernames ignore case)."
                ),
            ),
        ),
    ]
