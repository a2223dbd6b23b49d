import csv
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from interop.errors import ImportRefused
from interop.pairs import MAX_FIELD, MAX_SIZE, import_pairs
from register.management.limits import add_limit_arguments


class Command(BaseCommand):
    help = (
        "Import twin-town pairs from a CSV file (city1,country1,lat1,lng1,city2,country2,"
        "lat2,lng2) as facts reported by an outside source. All-or-nothing; a re-run "
        "changes nothing; refused rows are listed with their line numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Refuse the whole file at the first row that is refused.",
        )
        parser.add_argument(
            "--refused-csv",
            type=Path,
            help="Also write the refused rows (line, category, reason) to this CSV file.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar, even on a terminal."
        )
        add_limit_arguments(
            parser,
            max_size=MAX_SIZE,
            max_field=MAX_FIELD,
            field_help="Refuse a row with a longer field, in characters (default {default}).",
        )

    def handle(
        self,
        *args,
        file: Path,
        strict: bool,
        refused_csv,
        no_progress,
        max_size,
        max_field_length,
        **options,
    ):
        progress = sys.stderr.isatty() and not no_progress
        try:
            with translation.override("en"):  # the command speaks one language
                report = import_pairs(
                    file,
                    progress=progress,
                    strict=strict,
                    max_size=max_size,
                    max_field=max_field_length,
                )
        except ImportRefused as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from None
        for line in report.summary():
            self.stdout.write(line)
        for refusal in report.refused:
            self.stdout.write(f"{report.file}, {refusal}")
        if refused_csv:
            with refused_csv.open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(["line", "category", "reason"])
                for refusal in report.refused:
                    writer.writerow([refusal.line, refusal.category, refusal.reason])
