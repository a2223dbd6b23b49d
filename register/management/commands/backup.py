"""`vanort backup FILE`: a consistent snapshot of the whole database while the site runs."""

import os
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
            refuse_the_live_database(file)
            _snapshot.sqlite_backup(file)
        elif connection.vendor == "postgresql":
            _snapshot.pg_backup(file)
        else:
            raise CommandError(f"Backups of {connection.vendor} databases are not supported.")
        self.stdout.write(f"Backed up the {connection.vendor} database to {file}.")


def refuse_the_live_database(file: Path) -> None:
    """A backup written onto the live database, or its -wal, -shm or -journal file, would
    destroy what it copies: refuse, whatever path (symbolic link, hard link) leads there."""
    live = Path(connection.settings_dict["NAME"])
    if str(live) == ":memory:" or str(live).startswith("file:"):
        return
    target = file.resolve()
    for suffix in ("", "-wal", "-shm", "-journal"):
        own = Path(f"{live}{suffix}").resolve()
        same = target == own or (target.exists() and own.exists() and os.path.samefile(target, own))
        if same:
            what = "the live database" if not suffix else f"the live database's {suffix} file"
            raise CommandError(f"{file}: is {what} ({own}); write the backup to another file.")
