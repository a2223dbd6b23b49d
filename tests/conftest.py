"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL
points at one (scripts/with_postgres.py starts a throw-away server).

Speed without losing what a test proves:
- `cli` runs a `vanort` command in this process, on the test database, and answers like
  the subprocess did (stdout, stderr, returncode). `vanort_process` is the real thing,
  a subprocess on a fresh database of its own, kept for the few end-to-end tests.
- `demo` is Halmstad's register, loaded once per test module inside a transaction that
  each test's own savepoint rolls back to, so every test still starts from the same demo.
- Passwords are hashed with Argon2 at its lowest cost (still Argon2, 1 ms instead of 190).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
VANORT = str(Path(sys.executable).with_name("vanort"))

# What settings.py asks for in production, kept before the tests' cheaper hasher replaces it.
CONFIGURED_PASSWORD_HASHERS = list(settings.PASSWORD_HASHERS)


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher"]


# --- the demo register, loaded once for many tests ------------------------------------------


class DemoTransaction:
    """Halmstad's demo register, loaded inside a transaction that stays open while
    consecutive tests use it. Each test's own transaction (pytest-django's `db`) is a
    savepoint inside it, so what a test changes is rolled back before the next one starts,
    and every test still begins with the demo as load_demo() leaves it. A test that does
    not ask for the demo gets the empty database: the transaction is rolled back first."""

    def __init__(self, blocker):
        self.blocker = blocker
        self.atomic = None
        self.organisation_pk = None

    def open(self) -> None:
        from django.db import transaction

        from register.demo import load_demo

        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.organisation_pk = load_demo().pk

    def close(self) -> None:
        from django.db import transaction

        if self.atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = self.organisation_pk = None


# A test that commits (a live server, transactional_db) cannot run inside that transaction.
_COMMITTING_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def _shares_the_demo(item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return "demo" in names and not names & _COMMITTING_FIXTURES


_shared_demo: DemoTransaction | None = None


@pytest.fixture(scope="session")
def _demo_transaction(django_db_setup, django_db_blocker):
    global _shared_demo
    _shared_demo = DemoTransaction(django_db_blocker)
    yield _shared_demo
    _shared_demo.close()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Just before a test's own transaction begins (pytest-django's `_django_db_helper`):
    open the demo's transaction for a test that shares the demo, roll it back for one that
    does not (and so expects an empty database)."""
    if fixturedef.argname == "_django_db_helper":
        if _shares_the_demo(request.node):
            shared = request.getfixturevalue("_demo_transaction")
            if shared.atomic is None:
                shared.open()
        elif _shared_demo is not None:
            _shared_demo.close()
    return (yield)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A test that does not share the demo (unittest's TestCase classes included, which
    open transactions of their own) starts after the demo's transaction is rolled back."""
    if _shared_demo is not None and not _shares_the_demo(item):
        _shared_demo.close()


@pytest.fixture(autouse=True)
def _empty_response_cache():
    """Each test starts with an empty response cache (vanort/caching.py): a test's changes
    are rolled back, data version included, and some tests change the register with
    QuerySet.update(), which sends no signal and so bumps no version."""
    from django.core.cache import caches

    caches["responses"].clear()


@pytest.fixture
def demo(db):
    """Halmstad's register as the seed page states it (a fresh instance in every test).
    `db` is named here so that pytest-django creates the test database even when only
    such tests run; the shared transaction opens just before db's own (the hook above).
    A test that commits gets the demo loaded for itself."""
    from register.demo import load_demo
    from register.models import Organisation

    if _shared_demo is None or _shared_demo.atomic is None:
        return load_demo()
    return Organisation.objects.get(pk=_shared_demo.organisation_pk)


# --- `vanort` commands ------------------------------------------------------------------


@dataclass
class CommandResult:
    """What a finished `vanort` run shows: as subprocess.CompletedProcess has it."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


class _Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


def run_in_process(*args: str, check: bool = True, input: str | None = None) -> CommandResult:
    """`vanort ARGS` as vanort/cli.py and Django's manage.py run it, in this process:
    the hyphenated name, CommandError as 'CommandError: …' on stderr with exit status 1."""
    from django.core.management import CommandError, call_command

    name, *rest = args
    stdout, stderr = io.StringIO(), io.StringIO()
    saved_stdin, sys.stdin = sys.stdin, _Stdin(input or "")
    returncode = 0
    try:
        call_command(name.replace("-", "_"), *rest, stdout=stdout, stderr=stderr)
    except CommandError as error:
        stderr.write(f"CommandError: {error}\n")
        returncode = error.returncode
    except SystemExit as exit:
        returncode = exit.code if isinstance(exit.code, int) else 1
    finally:
        sys.stdin = saved_stdin
    result = CommandResult(list(args), returncode, stdout.getvalue(), stderr.getvalue())
    if check and returncode != 0:
        raise AssertionError(f"vanort {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def cli(db):
    """Run `vanort …` in this process, on the test database (fast)."""
    return run_in_process


def _fresh_database_url(tmp_path: Path) -> tuple[str, callable]:
    """A database of its own for a subprocess: a SQLite file, or a new PostgreSQL database."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{tmp_path / 'cli.sqlite3'}", lambda: None
    import psycopg

    name = f"vanort_cli_{uuid.uuid4().hex[:10]}"
    dsn = dict(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres")
    with psycopg.connect(**dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(**dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}", drop


@pytest.fixture
def vanort_process(tmp_path):
    """Run `vanort …` as a subprocess against a fresh database of its own, as a user does."""
    url, drop = _fresh_database_url(tmp_path)
    env = dict(os.environ, DATABASE_URL=url, VANORT_VAR_DIR=str(tmp_path / "var"))
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def run(*args: str, check: bool = True, input: str | None = None):
        result = subprocess.run(
            [VANORT, *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            input=input,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"vanort {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    run.env = env
    run.database_url = url
    yield run
    drop()


# The real national data set lies in shared/ beside the project (in a session and in CI).
NATIONAL_PAIRS = Path(
    os.getenv(
        "VANORT_PAIRS_FILE",
        ROOT.parent / "shared" / "data" / "wikipedia-twin-cities" / "twin_cities.csv",
    )
)


def national_pairs_file() -> Path:
    """The real pairs file; a test without it is skipped, but under CI=true it fails."""
    if not NATIONAL_PAIRS.exists():
        message = f"the national data set is not at {NATIONAL_PAIRS} (set VANORT_PAIRS_FILE)"
        if os.getenv("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return NATIONAL_PAIRS


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- three users, as the admin's tests need them (issue 3) -------------------------------


@pytest.fixture
def other_municipality(db):
    """Varbergs kommun, a second organisation of the installation, with one relation."""
    from register.models import Organisation, Place, Relation

    varberg = Place.objects.create(name="Varberg", country="SE")
    org = Organisation.objects.create(slug="varberg", place=varberg, name_sv="Varbergs kommun")
    partner = Place.objects.create(name="Sonderborg", country="DK")
    Relation.objects.create(organisation=org, partner=partner, since="1990", is_published=False)
    return org


def _staff(username: str, organisation=None, role: str = "editor"):
    from django.contrib.auth.models import User

    from accounts.models import Membership

    user = User.objects.create_user(username, f"{username}@example.org", "a-long-Passw0rd-x")
    user.is_staff = True
    user.save()
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def alice(demo):
    """An editor of Halmstad."""
    return _staff("alice", demo)


@pytest.fixture
def bob(other_municipality):
    """An editor of another municipality (Varberg)."""
    return _staff("bob", other_municipality)


@pytest.fixture
def charlie(db):
    """A staff user who belongs to no organisation."""
    return _staff("charlie")
