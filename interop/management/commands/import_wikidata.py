import argparse
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interop.errors import ImportRefused
from interop.wikidata import P190_QUERY, NothingUsable, import_wikidata

EPILOG = f"""\
The SPARQL answer is the JSON that the Wikidata Query Service (query.wikidata.org)
gives for this query (Accept: application/sparql-results+json); item and partner are
required, the other variables are optional (docs/wikidata.md):

{P190_QUERY}

Items are matched to the register's places by Wikidata id, then by a name in the same
country within a few km; an item the register lacks is created from its label, country
(P297) and coordinates. Rows that cannot be used are refused one by one, with their row
and reason, and the rest is imported; a second run changes nothing. The command exits
non-zero when nothing could be used.
"""


class Command(BaseCommand):
    help = (
        "Import P190 (twinned administrative body) statements from a SPARQL 1.1 Query "
        "Results JSON answer, a Wikidata entity JSON file or QuickStatements."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = EPILOG
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar, even on a terminal."
        )

    def handle(self, *args, file: Path, no_progress: bool, **options):
        progress = sys.stderr.isatty() and not no_progress
        try:
            report = import_wikidata(file, progress=progress)
        except NothingUsable as exc:
            for refusal in exc.report.refused:
                self.stderr.write(f"{exc.file}, {refusal}")
            raise CommandError(f"{exc}. Nothing was imported.") from None
        except ImportRefused as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from None
        for line in report.summary():
            self.stdout.write(line)
