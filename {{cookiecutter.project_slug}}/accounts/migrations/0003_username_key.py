"""Usernames unique by their key (NFKC, case-folded: ``accounts.usernames``), on every database.

Replaces the ``LOWER(username)`` constraint of 0002, which let "STRASSE"
next to "straße" on both databases (and "Ǆemal" next to "ǆemal" on SQLite).
Existing accounts get their key; if two share one, the migration stops and
names them (the constraint's own error would not say which accounts to rename).
"""

from collections import defaultdict

from django.db import migrations, models

import accounts.models
from accounts.usernames import username_key


def clashing_usernames(usernames):
    """Groups of the given usernames that share a key, each sorted, the groups sorted."""
    groups = defaultdict(list)
    for username in usernames:
        groups[username_key(username)].append(username)
    return sorted(sorted(group) for group in groups.values() if len(group) > 1)


def fill_keys_refusing_look_alikes(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    users = list(User.objects.only("pk", "username"))
    if clashes := clashing_usernames(user.username for user in users):
        raise RuntimeError(
            "These usernames differ only in case or Unicode form; rename all but one of each "
            f"group before migrating: {'; '.join(', '.join(group) for group in clashes)}"
        )
    for user in users:
        user.username_key = username_key(user.username)
    User.objects.bulk_update(users, ["username_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_username_case_insensitive"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=accounts.models.UsernameKeyField(default=""),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys_refusing_look_alikes, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="user",
            name="accounts_user_username_case_insensitive_unique",
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                fields=("username_key",),
                name="accounts_user_username_key_unique",
                violation_error_code="unique",
                violation_error_message=(
                    "A user with that username already exists (usernames ignore case)."
                ),
            ),
        ),
    ]
