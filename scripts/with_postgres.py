#!/usr/bin/env python3
"""Run a command against a throw-away PostgreSQL server.

    python scripts/with_postgres.py -- pytest -q

Creates a cluster in a temporary directory (initdb), starts it on a free loopback port
(pg_ctl), exports DATABASE_URL for the command, and stops and removes the cluster
afterwards, whatever the command's outcome. initdb refuses to run as root, so as root
the server runs as the unprivileged `postgres` user (runuser), in a directory it owns.

Without PostgreSQL's programs it exits 0 with a notice, unless CI=true, where a missing
PostgreSQL is a failure: CI must test on both databases.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

PG_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def find_bin() -> Path | None:
    for candidate in [*PG_DIRS]:
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    bindir = find_bin()
    if bindir is None:
        message = "PostgreSQL is not installed (no initdb found)"
        if os.getenv("CI", "").lower() == "true":
            print(f"FAIL: {message}; CI must run the tests on PostgreSQL.", file=sys.stderr)
            return 1
        print(f"SKIPPED the PostgreSQL run: {message}.", file=sys.stderr)
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="vanort-pg-"))
    datadir, logfile = workdir / "data", workdir / "server.log"
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
        workdir.chmod(0o700)
    port = free_port()
    try:
        subprocess.run(
            as_server_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(datadir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            as_server_user(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(datadir),
                    "-l",
                    str(logfile),
                    "-w",
                    "-o",
                    f"-h 127.0.0.1 -p {port} -k {workdir} -F",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/vanort")
        subprocess.run(
            as_server_user(
                [
                    str(bindir / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "postgres",
                    "vanort",
                ]
            ),
            check=True,
        )
        print(f"PostgreSQL {bindir.parent.name} on 127.0.0.1:{port}", file=sys.stderr)
        return subprocess.run(argv, env=env).returncode
    finally:
        subprocess.run(
            as_server_user(
                [str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "fast", "-w", "stop"]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
