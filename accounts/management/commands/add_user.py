"""`vanort add-user`: a staff user with a role in one organisation."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.users import enrol
from register.management.organisations import organisation_from_slug


class Command(BaseCommand):
    help = (
        "Add a user (or an existing one) to an organisation with a role. Example: "
        "vanort add-user anna --organisation halmstad --role editor --email anna@halmstad.se"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="the organisation's slug")
        parser.add_argument("--role", choices=Role.values, default=Role.EDITOR)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input (otherwise set it with "
            "`vanort changepassword USERNAME`)",
        )

    def handle(self, *args, username: str, organisation: str, role: str, **options):
        org = organisation_from_slug(organisation, "--organisation")
        password = sys.stdin.readline().rstrip("\n") if options["password_stdin"] else None
        user = get_user_model().objects.filter(username=username).first()
        created = user is None
        if created:
            user = get_user_model()(username=username)
        if options["email"]:
            user.email = options["email"]
        try:
            enrol(user, org, role, password=password)
        except ValidationError as error:
            raise CommandError("password: " + " ".join(error.messages)) from error
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {username}: {role} of {org.name}.")
        if not user.has_usable_password():
            self.stdout.write(f"Set a password with: vanort changepassword {username}")
