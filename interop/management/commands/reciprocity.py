from django.core.management.base import BaseCommand

from interop.analysis import reciprocity
from register.management.organisations import organisation_from_slug


class Command(BaseCommand):
    help = (
        "Compare an organisation's register with imported outside sources: partners a source "
        "lists that the register lacks, and register partners no source lists."
    )

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="The organisation's slug, e.g. halmstad.")

    def handle(self, *args, organisation, **options):
        org = organisation_from_slug(organisation)
        result = reciprocity(org)
        self.stdout.write(f"Listed by an outside source, missing from the register of {org}:")
        for place in result.reported_not_in_register:
            self.stdout.write(f"  {place.name} ({place.country})")
        self.stdout.write(f"In the register of {org}, listed by no outside source:")
        for place in result.in_register_not_reported:
            self.stdout.write(f"  {place.name} ({place.country})")
