"""End sessions from the command line: one user's, or everyone's (ASVS 7.4.5)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from session_security.registry import revocation


class Command(BaseCommand):
    help = "Sign users out everywhere, on every session engine."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", action="append", dest="usernames", metavar="USERNAME")
        who.add_argument("--all", action="store_true", help="every user (an incident)")

    def handle(self, *args, usernames=None, all=False, **options):
        if all:
            count = revocation.sign_out_everyone("ended_by_admin", timezone.now())
            self.stdout.write(f"Ended {count} session(s) of every user.")
            return
        model = get_user_model()
        for username in usernames:
            try:
                user = model.objects.get(**{model.USERNAME_FIELD: username})
            except model.DoesNotExist as error:
                raise CommandError(f"No user {username!r}.") from error
            count = revocation.sign_out_everywhere(user, "ended_by_admin", timezone.now())
            self.stdout.write(f"Ended {count} session(s) of {username}.")
