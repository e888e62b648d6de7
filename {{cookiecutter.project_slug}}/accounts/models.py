"""The user model: Django's, plus a session epoch, from the first migration.

Django advises a custom user model for every new project, because changing
``AUTH_USER_MODEL`` later is hard.

Django ends a user's sessions on a password change by hashing the password
into every session. Here the hash covers a *session epoch* instead: raising
it ends every session of the user on every engine in one write, and it is
raised on every password change (the admin's form, ``changepassword``, a
reset), except where the user explicitly chose to keep the other sessions.

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
from django.utils.crypto import salted_hmac

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


class User(AbstractUser):
    session_epoch = models.PositiveIntegerField(
        default=0,
        help_text="Raised to sign the user out everywhere: each session carries a hash of "
        "it, and a session with an old one is refused on every engine.",
    )

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

    # Set by the password-change view for the duration of one save:
    # keep every session (the user unticked "sign out my other sessions")...
    keep_sessions_on_password_change = False
    # ...or keep this one registry row (the session making the change).
    keep_session_record = None

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.pk}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def save(self, *args, **kwargs):
        password_changed = self._password is not None and self.pk is not None
        end_sessions = password_changed and not self.keep_sessions_on_password_change
        if end_sessions:
            self.session_epoch += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "session_epoch"}
        super().save(*args, **kwargs)
        if end_sessions:
            from session_security import revocation

            revocation.end_other_sessions(self, self.keep_session_record, "password_changed")
