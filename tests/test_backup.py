"""`vanort backup FILE` and `vanort restore FILE`, run as an operator runs them, on the
database the suite runs on (SQLite, or PostgreSQL under scripts/with_postgres.py)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import VANORT, _fresh_database_url

EVERYTHING = ["register", "accounts", "auth.user", "axes"]


def dump(run) -> list:
    rows = json.loads(run("dumpdata", *EVERYTHING, "--indent", "0").stdout)
    return sorted(rows, key=lambda row: (row["model"], str(row["pk"])))


@pytest.fixture
def second_database(tmp_path, vanort_process):
    """Another empty database, of the same kind as the suite's."""
    home = tmp_path / "second"
    home.mkdir()
    url, drop = _fresh_database_url(home)
    env = dict(vanort_process.env, DATABASE_URL=url, VANORT_VAR_DIR=str(home / "var"))

    def run(*args: str, check: bool = True, input: str | None = None):
        result = subprocess.run(
            [VANORT, *args], env=env, capture_output=True, text=True, input=input, timeout=600
        )
        if check and result.returncode != 0:
            raise AssertionError(f"vanort {' '.join(args)}:\n{result.stdout}\n{result.stderr}")
        return result

    yield run
    drop()


def populate(vanort_process) -> None:
    """The demo, a staff user, a change and a deletion (so that the history has more than
    creations), written by one `vanort shell` after `vanort migrate`."""
    vanort_process("migrate", "--noinput", "-v", "0")
    vanort_process(
        "shell",
        "-c",
        "from django.contrib.auth.models import User\n"
        "from accounts.users import enrol\n"
        "from register.demo import load_demo\n"
        "from register.models import Relation as R\n"
        "halmstad = load_demo()\n"
        "enrol(User(username='alice'), halmstad, 'editor', password='a-long-Passw0rd-x')\n"
        "r = R.objects.get(partner__name='Stord')\n"
        "r.description_sv = 'Ändrad'; r.save(); R.objects.get(partner__name='Moshi').delete()\n",
    )


def test_it_restores_identical_data_history_and_users(vanort_process, second_database, tmp_path):
    populate(vanort_process)
    backup = tmp_path / "vanort.backup"
    result = vanort_process("backup", str(backup))
    assert backup.stat().st_size > 0, result.stdout
    original = dump(vanort_process)
    assert any(row["model"] == "register.historicalrelation" for row in original)
    assert any(row["model"] == "auth.user" for row in original)

    second_database("migrate", "--noinput", "-v", "0")  # an empty, migrated database
    second_database("restore", str(backup))

    assert dump(second_database) == original
    login = second_database(
        "shell",
        "-c",
        "from django.contrib.auth import authenticate;"
        "from django.test import RequestFactory;"
        "r = RequestFactory().post('/admin/login/');"
        "print(authenticate(r, username='alice', password='a-long-Passw0rd-x'))",
    )
    assert "alice" in login.stdout
    # a second restore would overwrite data: refused, nothing changed
    refused = second_database("restore", str(backup), check=False)
    assert refused.returncode != 0
    assert "not empty" in refused.stderr


def test_it_refuses_a_file_that_is_no_backup(vanort_process, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    refused = vanort_process("restore", str(bogus), check=False)
    assert refused.returncode != 0
    assert "not a Vänort backup" in refused.stderr
    missing = vanort_process("restore", str(tmp_path / "nothing"), check=False)
    assert "no such file" in missing.stderr


def test_it_backs_up_while_the_site_writes(vanort_process, second_database, tmp_path):
    """A snapshot taken while another process saves is one consistent state: each
    record's version agrees with the newest row of its history."""
    populate(vanort_process)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [
            VANORT,
            "shell",
            "-c",
            "import pathlib\n"
            "from register.models import Relation as R\n"
            f"stop = pathlib.Path({str(stop)!r})\n"
            "saves = 0\n"
            "while not stop.exists():\n"
            "    for r in R.objects.all():\n"
            "        r.order = saves; r.save(); saves += 1\n"
            "print('saves', saves)\n",
        ],
        env=vanort_process.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    backup = tmp_path / "during.backup"
    try:
        vanort_process("backup", str(backup))
        running = writer.poll() is None
    finally:
        stop.touch()
    out, err = writer.communicate(timeout=600)
    assert writer.returncode == 0, err
    assert running, "the writer had stopped before the backup finished"
    second_database("restore", str(backup))
    check = second_database(
        "shell",
        "-c",
        "from register.models import Relation as R\n"
        "for r in R.objects.all():\n"
        "    h = R.history.filter(id=r.pk).order_by('-history_date').first()\n"
        "    print(r.version == h.version and r.order == h.order)\n",
    )
    verdicts = [word for word in check.stdout.split() if word in ("True", "False")]
    assert verdicts and set(verdicts) == {"True"}, check.stdout
    print(f"backup taken during writes ({out.strip()})")


def test_backup_refuses_to_write_onto_the_live_database_or_its_wal_and_shm(
    vanort_process, tmp_path
):
    """Issue 12 #13: it used to report success, and leave a broken database."""
    if not vanort_process.database_url.startswith("sqlite"):
        pytest.skip("the live file is SQLite's")
    populate(vanort_process)
    live = tmp_path / "cli.sqlite3"
    before = dump(vanort_process)
    (tmp_path / "link.sqlite3").symlink_to(live)
    (tmp_path / "sub").mkdir()
    for target in (
        live,
        tmp_path / "sub" / ".." / "cli.sqlite3",
        tmp_path / "link.sqlite3",
        tmp_path / "cli.sqlite3-wal",
        tmp_path / "cli.sqlite3-shm",
    ):
        result = vanort_process("backup", str(target), check=False)
        assert result.returncode != 0, target
        assert "live database" in result.stderr and "Backed up" not in result.stdout, target
    assert dump(vanort_process) == before
    vanort_process("backup", str(tmp_path / "fine.sqlite3"))
