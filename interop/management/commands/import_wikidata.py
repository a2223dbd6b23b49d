from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interop.errors import ImportRefused
from interop.wikidata import import_wikidata


class Command(BaseCommand):
    help = (
        "Import P190 (twinned administrative body) statements from a Wikidata entity JSON "
        "file or a SPARQL 1.1 Query Results JSON file. Places are matched by Wikidata id. "
        "All or nothing; a re-run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            report = import_wikidata(file)
        except ImportRefused as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from None
        for line in report.summary():
            self.stdout.write(line)
