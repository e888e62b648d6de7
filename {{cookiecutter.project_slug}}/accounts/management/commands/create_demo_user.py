"""Create a demo user with a random password, for local development only."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


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
            user = users.create_user(username)
        user.set_password(password)
        user.save()
        self.stdout.write(f"Demo user: {username}\nPassword:  {password}")
