from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendata.register_format import RegisterFormatError, import_register, read_file


class Command(BaseCommand):
    help = (
        "Import an organisation's register from Vänort's own JSON format (version 1), "
        "validated against its JSON Schema. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            organisation = import_register(read_file(file), str(file))
        except RegisterFormatError as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from None
        self.stdout.write(
            f"Imported the register of {organisation.name_sv}: "
            f"{organisation.relations.count()} relations, "
            f"{organisation.activities.count()} activities."
        )
