"""`vanort backup FILE`: a consistent snapshot of the whole database while the site runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from register.management.commands import _snapshot


class Command(BaseCommand):
    help = (
        "Write a consistent snapshot of the database (register, history, users) to FILE. "
        "SQLite: the online backup API; PostgreSQL: pg_dump (custom format)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if file.exists() and file.is_dir():
            raise CommandError(f"{file}: is a directory; give a file name.")
        if not file.parent.exists():
            raise CommandError(f"{file.parent}: no such directory.")
        if connection.vendor == "sqlite":
            _snapshot.sqlite_backup(file)
        elif connection.vendor == "postgresql":
            _snapshot.pg_backup(file)
        else:
            raise CommandError(f"Backups of {connection.vendor} databases are not supported.")
        self.stdout.write(f"Backed up the {connection.vendor} database to {file}.")
