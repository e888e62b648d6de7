"""The user model: Django's, a session epoch, and usernames unique whatever their case."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models

from accounts.usernames import username_key
from session_security.registry.epoch import SessionEpochMixin

# "Alice" cannot be registered next to "alice", nor "STRASSE" next to "straße",
# by any path, on any database: a unique constraint on the username's key.
USERNAME_CONSTRAINT = "accounts_user_username_key_unique"
USERNAME_TAKEN = "A user with that username already exists (usernames ignore case)."


class UsernameKeyField(models.TextField):
    """``username_key(username)``, set on every save and bulk insert; never in a form."""

    def __init__(self, *args, **kwargs):
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = username_key(model_instance.username)
        setattr(model_instance, self.attname, value)
        return value


class UserManager(DjangoUserManager):
    """Finds a user by any case or width of the name (sign-in, ``createsuperuser``)."""

    def get_by_natural_key(self, username):
        return self.get(username_key=username_key(username))

    async def aget_by_natural_key(self, username):
        return await self.aget(username_key=username_key(username))


class User(SessionEpochMixin, AbstractUser):
    """Django's user, plus the session layer's epoch (see ``session_security.registry.epoch``)."""

    username_key = UsernameKeyField()

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["username_key"],
                name=USERNAME_CONSTRAINT,
                violation_error_code="unique",
                violation_error_message=USERNAME_TAKEN,
            )
        ]

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_key"}
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        """The key is checked whenever the username is, and its error shown on the username."""
        self.username_key = username_key(self.get_username())
        if exclude is not None and "username" not in exclude:
            exclude = set(exclude) - {"username_key"}
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict({})
            if "username_key" in errors:
                errors.setdefault("username", []).extend(errors.pop("username_key"))
            raise ValidationError(errors) from None
