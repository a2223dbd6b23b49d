import sys

from django.core.management.base import BaseCommand

from interop.wikidata import quickstatements
from register.management.organisations import organisation_from_slug


class Command(BaseCommand):
    help = (
        "Write QuickStatements (v1) for an organisation's published relations: P190 both "
        "ways, with P580/P582 at the register's precision and S854 references."
    )

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="The organisation's slug, e.g. halmstad.")

    def handle(self, *args, organisation, **options):
        org = organisation_from_slug(organisation)
        result = quickstatements(org)
        sys.stdout.write(result.text)
        for note in result.skipped:
            self.stderr.write(f"not written: {note}")
