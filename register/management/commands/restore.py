"""`vanort restore FILE`: load a backup into an empty database (nothing is overwritten)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from register.management.commands import _snapshot


class Command(BaseCommand):
    help = (
        "Restore a backup made by `vanort backup` into an empty database of the same kind "
        "(SQLite or PostgreSQL). Refuses a database that already holds users or records."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        kind = _snapshot.kind_of_file(file)
        if kind != connection.vendor:
            raise CommandError(
                f"{file} is a {kind} backup, but this installation uses {connection.vendor}."
            )
        if _snapshot.holds_data():
            raise CommandError(
                "The database is not empty (it has users or register records); restore "
                "only into an empty database, so that nothing is overwritten."
            )
        if kind == "sqlite":
            _snapshot.sqlite_restore(file)
        else:
            _snapshot.pg_restore(file)
        self.stdout.write(f"Restored {file} into the {connection.vendor} database.")
