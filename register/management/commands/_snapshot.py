"""Consistent snapshots of the whole database, taken and restored while the site runs.

SQLite: the online backup API copies the database page by page under a read lock, so
the copy is one consistent state even while editors save. PostgreSQL: pg_dump reads in
one snapshot (custom format); pg_restore loads it in a single transaction.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def kind_of_file(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise CommandError(f"{path}: not a Vänort backup (neither an SQLite file nor a pg_dump).")


def holds_data() -> bool:
    """True if the database has users or register data (restore would overwrite them)."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in ("auth_user", "register_organisation", "register_place"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


# --- SQLite ---------------------------------------------------------------------------


def sqlite_backup(target: Path) -> None:
    connection.ensure_connection()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    copy = sqlite3.connect(partial)
    try:
        connection.connection.backup(copy)  # one step: a single consistent state
    finally:
        copy.close()
    os.replace(partial, target)  # never leave a half-written backup under the real name


def sqlite_restore(source: Path) -> None:
    snapshot = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        check = snapshot.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise CommandError(f"{source}: the backup is damaged ({check}).")
        connection.ensure_connection()
        snapshot.backup(connection.connection)
    finally:
        snapshot.close()
    connection.close()


# --- PostgreSQL -------------------------------------------------------------------------


def pg_program(name: str) -> str:
    """The client program matching the server's major version, else any on PATH."""
    connection.ensure_connection()
    major = getattr(connection, "pg_version") // 10000  # noqa: B009 - PostgreSQL's only
    for candidate in (Path(f"/usr/lib/postgresql/{major}/bin/{name}"), shutil.which(name)):
        if candidate and Path(candidate).exists():
            return str(candidate)
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if found:
        return str(found[0])
    raise CommandError(f"{name} is not installed; install the postgresql-client package.")


def pg_args() -> tuple[list[str], dict[str, str]]:
    settings = connection.settings_dict
    args = ["--dbname", settings["NAME"]]
    if settings.get("HOST"):
        args += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return args, env


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def pg_backup(target: Path) -> None:
    args, env = pg_args()
    partial = target.with_name(target.name + ".partial")
    command = [pg_program("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges"]
    run([*command, "--file", str(partial)], env)
    os.replace(partial, target)


def pg_restore(source: Path) -> None:
    args, env = pg_args()
    has_tables = bool(connection.introspection.table_names())
    connection.close()  # pg_restore --clean must be able to drop the tables
    command = [
        pg_program("pg_restore"),
        *args,
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
    ]
    if has_tables:  # a migrated but empty database: replace its empty tables
        command += ["--clean", "--if-exists"]
    run([*command, str(source)], env)
