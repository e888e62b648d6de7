"""Create a demo user with a random password, for local development only."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from session_security.audit import log_event
from session_security.registry import revocation


class Command(BaseCommand):
    help = "Create (or reset) the user 'demo' with a fresh random password. Debug only."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("create_demo_user runs only with DJANGO_DEBUG=on.")
        password = secrets.token_urlsafe(12)
        users = get_user_model().objects
        try:  # any case of an existing name is that user (usernames ignore case)
            user = users.get_by_natural_key(username)
        except users.model.DoesNotExist:
            user = users.create_user(username, password=password)
            log_event("demo_password_set", user=user.pk, created="yes")
            self.stdout.write(f"Demo user: {username}\nPassword:  {password}")
            return
        # A new password ends the account's sessions, logged as what it is (not a user's change).
        user.set_password(password)
        user.save(end_sessions=False)
        ended = revocation.password_changed(user, timezone.now(), event="demo_password_set")
        self.stdout.write(f"Demo user: {user.get_username()} (new password)\nPassword:  {password}")
        if ended:
            self.stdout.write(f"Signed out its {ended} session(s): they had the old password.")
