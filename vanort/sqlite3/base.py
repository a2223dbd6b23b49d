"""Django's SQLite backend, except that a request never creates the database file.

SQLite creates a missing file on connecting. A database moved away, or a wrong
VANORT_VAR_DIR, so gave an empty database whose every page failed with "no such table".
Here only the commands that make a database (`migrate`, `restore`, Django's test runner)
may create the file; anything else finds it missing and gets an OperationalError, which
the site answers with its 503 page (vanort/errors.py).

Connections are kept between requests (settings.CONN_MAX_AGE), and an open connection
would go on reading and writing a file that was moved away. So a connection is usable
only while its path still names the file it opened (one stat, with Django's health
check at the start of each request).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from django.db.backends.sqlite3 import base

# The commands that may create the file (the name as `vanort`/manage.py is given it).
CREATING_COMMANDS = {"migrate", "restore", "test", "testserver", "flush"}


def may_create() -> bool:
    command = sys.argv[1].replace("-", "_") if len(sys.argv) > 1 else ""
    return command in CREATING_COMMANDS or "pytest" in sys.modules


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        name = str(conn_params.get("database", ""))
        in_memory = self.is_in_memory_db() or name.startswith("file:") or name == ""
        if not in_memory and not Path(name).exists() and not may_create():
            raise sqlite3.OperationalError(
                f"the database file {name} does not exist; create it with `vanort migrate` "
                "(or restore a backup)"
            )
        connection = super().get_new_connection(conn_params)
        self._opened_file = None if in_memory else _identity(name)
        return connection

    def is_usable(self) -> bool:
        opened = getattr(self, "_opened_file", None)
        if opened is not None and _identity(str(self.settings_dict["NAME"])) != opened:
            return False  # moved, deleted or replaced since it was opened
        return super().is_usable()


def _identity(name: str) -> tuple[int, int] | None:
    try:
        found = os.stat(name)
    except OSError:
        return None
    return found.st_dev, found.st_ino
