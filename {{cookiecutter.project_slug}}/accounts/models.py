"""The user model: Django's, plus a session epoch, from the first migration.

Django advises a custom user model for every new project, because changing
``AUTH_USER_MODEL`` later is hard.

The session epoch comes from the session layer's mixin: every session's auth
hash covers it, and a new password raises it (ending the user's sessions on
every engine), except where the user explicitly chose to keep the others.

Usernames are unique regardless of case (a constraint on ``LOWER(username)``,
after the NFKC normalisation ``AbstractUser`` applies), and sign-in accepts
any case of the name: a look-alike "Alice" next to "alice" would confuse
people, support staff and the audit log. ``LOWER()`` folds ASCII on SQLite and
follows the database's locale on PostgreSQL; the lookup uses the same
function on both sides, so it always agrees with the constraint.
"""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower

from session_security.registry.epoch import SessionEpochMixin

# One account per name whatever its case: "Alice" cannot be registered next to
# "alice", by any path (forms, admin, commands, raw queries), on any database.
USERNAME_CONSTRAINT = "accounts_user_username_case_insensitive_unique"
USERNAME_TAKEN = "A user with that username already exists (usernames ignore case)."


def same_username(username):
    """The filter matching ``username`` as the constraint compares names: NFKC
    (as ``AbstractUser`` normalises them) and the database's ``LOWER()`` on
    both sides, so at most one account can match."""
    username = AbstractUser.normalize_username(username)
    return models.Q(username_lower=Lower(models.Value(username)))


class UserManager(DjangoUserManager):
    """Finds a user by any case of the name: sign-in (``ModelBackend`` calls
    ``get_by_natural_key``), ``createsuperuser``'s "already taken" check."""

    def get_by_natural_key(self, username):
        return self.annotate(username_lower=Lower("username")).get(same_username(username))

    async def aget_by_natural_key(self, username):
        return await self.annotate(username_lower=Lower("username")).aget(same_username(username))


class User(SessionEpochMixin, AbstractUser):
    """Django's user, plus the session layer's epoch (see ``session_security.registry.epoch``)."""

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name=USERNAME_CONSTRAINT,
                violation_error_code="unique",
                violation_error_message=USERNAME_TAKEN,
            )
        ]
