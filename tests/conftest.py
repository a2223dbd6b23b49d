"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL
points at one (scripts/with_postgres.py starts a throw-away server)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
VANORT = str(Path(sys.executable).with_name("vanort"))


@pytest.fixture
def demo(db):
    """Halmstad's register as the seed page states it."""
    from register.demo import load_demo

    return load_demo()


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
def cli(tmp_path):
    """Run `vanort …` as a subprocess against a fresh database of its own."""
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
