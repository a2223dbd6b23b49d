"""A database that is gone answers 503 in the visitor's language, never a 500 or an
empty database (issue 12 #4). Real servers (make run's granian) on loopback ports: the SQLite file
moved away while it runs, and a PostgreSQL server stopped while it runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, VANORT

sys.path.insert(0, str(ROOT / "scripts"))
import stack  # noqa: E402
import with_postgres  # noqa: E402


def fetch(url: str, language: str = "sv") -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()  # any case
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def serve(env: dict) -> tuple[subprocess.Popen, str]:
    port = with_postgres.free_port()
    process = subprocess.Popen(
        stack.make_run_command(port, workers=1),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/sv/halmstad/", timeout=5)
            return process, base
        except urllib.error.HTTPError:
            return process, base
        except OSError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGTERM)
    raise AssertionError("the server did not answer")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def assert_unavailable(base: str) -> None:
    """The page served before the fault keeps answering from the response cache
    (vanort/caching.py, issue 14); a page never served, the API and sign-in answer 503."""
    status, headers, body = fetch(base + "/sv/halmstad/")
    assert status == 200 and "Halmstad" in body, (status, body[:500])
    status, headers, body = fetch(base + "/sv/halmstad/kontakt/")
    assert status == 503, (status, body[:500])
    assert "Tjänsten är tillfälligt otillgänglig" in body and 'lang="sv"' in body
    assert "site.css" in body and headers.get("Retry-After")
    status, headers, body = fetch(base + "/en/halmstad/", language="sv")
    assert status == 503 and "The service is temporarily unavailable" in body
    status, headers, body = fetch(base + "/api/relations?organisation=halmstad", "en")
    assert status == 503 and headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["status"] == 503


class SignIn:
    """The admin's sign-in form, fetched while the database is there, sent after."""

    def __init__(self, base: str):
        import http.cookiejar
        import re

        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self.opener.open(base + "/admin/login/", timeout=30).read().decode()
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def send(self) -> tuple[int, str]:
        from urllib.parse import urlencode

        data = urlencode(
            {"csrfmiddlewaretoken": self.token, "username": "hanna", "password": "x" * 12}
        ).encode()
        request = urllib.request.Request(
            self.base + "/admin/login/", data=data, headers={"Accept-Language": "en"}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def test_the_sqlite_file_moved_away_gives_503_and_is_not_recreated(tmp_path):
    home = tmp_path / "var"
    database = tmp_path / "vanort.sqlite3"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", VANORT_VAR_DIR=str(home))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for command in (["migrate", "--noinput", "-v", "0"], ["load-demo"]):
        subprocess.run([VANORT, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    process, base = serve(env)
    try:
        assert fetch(base + "/sv/halmstad/")[0] == 200
        sign_in = SignIn(base)
        moved = tmp_path / "moved"
        moved.mkdir()
        for path in tmp_path.glob("vanort.sqlite3*"):
            path.rename(moved / path.name)
        assert_unavailable(base)
        status, body = sign_in.send()
        assert status == 503 and "temporarily unavailable" in body, (status, body[:300])
        assert not database.exists(), "a request created an empty database"
        for path in moved.iterdir():
            path.rename(tmp_path / path.name)
        assert fetch(base + "/sv/halmstad/")[0] == 200

        # A writer (an import) holds the database: sign-in waits the short busy timeout
        # (VANORT_SQLITE_TIMEOUT, 5 s), then answers 503; it used to hang 20 s, then 500.
        import sqlite3

        writer = sqlite3.connect(database, isolation_level=None)
        writer.execute("BEGIN EXCLUSIVE")
        try:
            began = time.monotonic()
            status, body = SignIn(base).send()
            waited = time.monotonic() - began
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert status == 503 and "temporarily unavailable" in body, (status, body[:300])
        assert 4 <= waited < 15, waited
    finally:
        stop(process)


def test_a_command_other_than_migrate_does_not_create_the_sqlite_file(tmp_path):
    database = tmp_path / "none.sqlite3"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", VANORT_VAR_DIR=str(tmp_path))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [VANORT, "load-demo"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode != 0 and "vanort migrate" in result.stderr
    assert not database.exists()


@pytest.fixture
def postgres_server():
    """A throw-away PostgreSQL server of this test's own, which the test may stop."""
    bindir = with_postgres.find_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed")
    workdir = Path(tempfile.mkdtemp(prefix="vanort-pg-fault-"))
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
        workdir.chmod(0o700)
    data, port = workdir / "data", with_postgres.free_port()
    run = with_postgres.as_server_user
    subprocess.run(
        run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]),
        check=True,
        capture_output=True,
    )

    def pg_ctl(*args: str) -> None:
        subprocess.run(
            run([str(bindir / "pg_ctl"), "-D", str(data), "-w", *args]),
            check=False,
            capture_output=True,
        )

    pg_ctl("-l", str(workdir / "log"), "-o", f"-h 127.0.0.1 -p {port} -k {workdir} -F", "start")
    subprocess.run(
        run(
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
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/vanort", lambda: pg_ctl("-m", "fast", "stop")
    finally:
        pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(workdir, ignore_errors=True)


def test_a_stopped_postgresql_gives_503(postgres_server, tmp_path):
    url, stop_postgres = postgres_server
    env = dict(os.environ, DATABASE_URL=url, VANORT_VAR_DIR=str(tmp_path / "var"))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for command in (["migrate", "--noinput", "-v", "0"], ["load-demo"]):
        subprocess.run([VANORT, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    process, base = serve(env)
    try:
        assert fetch(base + "/sv/halmstad/")[0] == 200
        sign_in = SignIn(base)
        stop_postgres()
        assert_unavailable(base)
        status, body = sign_in.send()
        assert status == 503 and "temporarily unavailable" in body, (status, body[:300])
    finally:
        stop(process)
