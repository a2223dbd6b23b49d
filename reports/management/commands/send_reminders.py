"""`vanort send-reminders`: e-mail editors about agreements running out and quiet relations.

Idempotent: each reminder (agreement, window and end; or relation and quiet spell) is
recorded when sent and never sent again, so it is safe to run every hour from cron.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from register.management.organisations import organisation_from_slug
from register.models import Organisation
from reports.reminders import configured_quiet_years, configured_windows, send_reminders


class Command(BaseCommand):
    help = "E-mail each organisation's editors the reminders that are due and not yet sent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--window",
            type=int,
            action="append",
            dest="windows",
            metavar="DAYS",
            help="Days before an agreement's end to remind (repeatable; default from "
            "VANORT_REMINDER_WINDOWS, 180 and 30).",
        )
        parser.add_argument(
            "--quiet-years",
            type=int,
            help="Remind of relations with no activity for this many years (0: never; "
            "default from VANORT_QUIET_YEARS, 3).",
        )
        parser.add_argument(
            "--profile-days",
            type=int,
            metavar="DAYS",
            help="Remind partner profiles expiring within this many days (default from "
            "VANORT_PROFILE_REMINDER_DAYS, 30; only in a national installation).",
        )
        parser.add_argument(
            "--organisation", metavar="SLUG", help="Only this organisation (by slug)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be sent; send nothing."
        )

    def handle(
        self, *args, windows=None, quiet_years=None, organisation=None, profile_days=None, **options
    ):
        if profile_days is not None and profile_days < 0:
            raise CommandError("--profile-days: a number of days, 0 or more.")
        windows = tuple(windows) if windows else configured_windows()
        if any(days < 0 for days in windows):
            raise CommandError("--window: a window is a number of days, 0 or more.")
        quiet_years = configured_quiet_years() if quiet_years is None else quiet_years
        if quiet_years < 0:
            raise CommandError("--quiet-years: a number of years, 0 or more.")
        organisations = Organisation.objects.all()
        if organisation:
            organisations = organisations.filter(
                pk=organisation_from_slug(organisation, "--organisation").pk
            )
        outcome = send_reminders(
            windows=windows,
            quiet_years=quiet_years,
            organisations=organisations,
            dry_run=options["dry_run"],
        )
        for line in outcome.lines:
            self.stdout.write(line)
        if getattr(settings, "VANORT_NATIONAL", False):
            from national.reminders import configured_days, send_profile_reminders

            days = configured_days() if profile_days is None else profile_days
            profiles = send_profile_reminders(
                days=days,
                organisations=organisations if organisation else None,
                dry_run=options["dry_run"],
            )
            for line in profiles.lines:
                self.stdout.write(line)
            if not options["dry_run"]:
                self.stdout.write(f"{profiles.mails} partner profile reminder(s) sent.")
        self.stdout.write(
            f"{outcome.reminders} reminder(s) sent in {outcome.mails} e-mail(s)."
            if not options["dry_run"]
            else "Dry run: nothing sent."
        )
