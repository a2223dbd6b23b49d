import sys

from django.core.management.base import BaseCommand

from opendata.register_format import dumps, export_register
from register.management.organisations import organisation_from_slug


class Command(BaseCommand):
    help = "Write an organisation's register in Vänort's own JSON format (version 1)."

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="The organisation's slug, e.g. halmstad.")
        parser.add_argument("--output", "-o", help="A file to write (default: standard output).")
        parser.add_argument(
            "--with-drafts",
            action="store_true",
            help="Include unpublished relations, agreements and activities.",
        )

    def handle(self, *args, organisation, output, with_drafts, **options):
        org = organisation_from_slug(organisation)
        text = dumps(export_register(org, published_only=not with_drafts))
        if output:
            with open(output, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
        else:
            sys.stdout.write(text)
