import csv
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interop.errors import ImportRefused
from interop.pairs import import_pairs


class Command(BaseCommand):
    help = (
        "Import twin-town pairs from a CSV file (city1,country1,lat1,lng1,city2,country2,"
        "lat2,lng2) as facts reported by an outside source. All-or-nothing; a re-run "
        "changes nothing; refused rows are listed with their line numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--strict", action="store_true", help="Refuse the whole file if any row is refused."
        )
        parser.add_argument(
            "--refused-csv",
            type=Path,
            help="Also write the refused rows (line, category, reason) to this CSV file.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar, even on a terminal."
        )

    def handle(self, *args, file: Path, strict: bool, refused_csv, no_progress, **options):
        progress = sys.stderr.isatty() and not no_progress
        try:
            report = import_pairs(file, progress=progress, strict=strict)
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
