"""`vanort unlock-user NAME`: lift a sign-in lock set by django-axes."""

from axes.utils import reset
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Unlock a user locked out after repeated failed sign-ins (from every address)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        count = reset(username=username)
        if count:
            self.stdout.write(f"Unlocked {username} ({count} lock record(s) removed).")
        else:
            self.stdout.write(f"{username} was not locked.")
