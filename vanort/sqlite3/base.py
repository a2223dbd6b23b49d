"""Django's SQLite backend, except that a request never creates the database file.

SQLite creates a missing file on connecting. A database moved away, or a wrong
VANORT_VAR_DIR, so gave an empty database whose every page failed with "no such table".
Here only the commands that make a database (`migrate`, `restore`, Django's test runner)
may create the file; anything else finds it missing and gets an OperationalError, which
the site answers with its 503 page (vanort/errors.py).
"""

from __future__ import annotations

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
        return super().get_new_connection(conn_params)
