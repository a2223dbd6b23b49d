from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendata.register_format import (
    MAX_SIZE,
    MAX_TEXT,
    RegisterFormatError,
    read_file,
    run_import,
)
from register.management.limits import add_limit_arguments


class Command(BaseCommand):
    help = (
        "Import an organisation's register from Vänort's own JSON format (version 1), "
        "validated against its JSON Schema: creates what is missing and updates what "
        "changed, also into an organisation that already exists. All or nothing; every "
        "problem in the file is reported at once, at its JSON path."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be created, updated or left unchanged; write nothing.",
        )
        add_limit_arguments(
            parser,
            max_size=MAX_SIZE,
            max_field=MAX_TEXT,
            field_help="Refuse a longer free text, in characters (default {default}).",
        )

    def handle(self, *args, file: Path, dry_run: bool, max_size, max_field_length, **options):
        try:
            document = read_file(file, max_size=max_size, max_text=max_field_length)
            result = run_import(document, str(file), dry_run=dry_run)
        except RegisterFormatError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from None
        plan, organisation = result.plan, result.organisation
        if dry_run:
            for line in plan.lines():
                self.stdout.write(line)
        for note in plan.notes:
            self.stdout.write(f"note: {note}")
        if dry_run:
            self.stdout.write(f"Dry run, nothing was written: {plan.summary()}.")
            return
        counts = plan.counts()
        self.stdout.write(
            f"Imported the register of {organisation.name_sv}: "
            f"{organisation.relations.count()} relations, "
            f"{organisation.activities.count()} activities "
            f"({counts['create']} records created, {counts['update']} updated, "
            f"{counts['unchanged']} unchanged)."
        )
