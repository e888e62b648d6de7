"""The user model: Django's, a session epoch, and usernames unique whatever their case."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower

from session_security.registry.epoch import SessionEpochMixin

# "Alice" cannot be registered next to "alice", by any path, on any database.
USERNAME_CONSTRAINT = "accounts_user_username_case_insensitive_unique"
USERNAME_TAKEN = "A user with that username already exists (usernames ignore case)."


def same_username(username):
    """The filter matching ``username`` as the constraint does: NFKC, ``LOWER()`` on both sides."""
    username = AbstractUser.normalize_username(username)
    return models.Q(username_lower=Lower(models.Value(username)))


class UserManager(DjangoUserManager):
    """Finds a user by any case of the name (sign-in, ``createsuperuser``)."""

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
