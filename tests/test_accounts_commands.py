"""Starting a municipality and adding its users from the command line."""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.models import Membership
from register.models import Organisation, Place


@pytest.fixture(autouse=True)
def installation_language():
    """A `vanort` process starts in the installation's language; in this process, a test
    client's request before may have left another one active (LocaleMiddleware)."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def test_it_starts_a_municipality_and_adds_its_administrator(cli):
    started = cli(
        "start-municipality",
        "varberg",
        "--name",
        "Varbergs kommun",
        "--name-en",
        "Varberg Municipality",
        "--place",
        "Varberg",
        "--country",
        "se",
        "--latitude",
        "57.1056",
        "--longitude",
        "12.2508",
        "--rule",
        "vanortsavtal=kf",
        "--rule",
        "samarbetsavtal=ks",
    )
    assert "Started Varbergs kommun at /sv/varberg/ with 2 rules" in started.stdout
    added = cli(
        "add-user",
        "vera",
        "--organisation",
        "varberg",
        "--role",
        "administrator",
        "--email",
        "vera@varberg.se",
        "--password-stdin",
        input="en-lång-Lösen-1234\n",
    )
    assert "Created vera: administrator of Varbergs kommun." in added.stdout
    vera = Membership.objects.get(user__username="vera")
    varberg = Organisation.objects.get(slug="varberg")
    assert vera.role == "administrator" and vera.user.is_staff
    assert vera.user.check_password("en-lång-Lösen-1234")
    assert varberg.place.country == "SE"
    rules = sorted((rule.kind.code, rule.body) for rule in varberg.governance_rules.all())
    assert rules == [("samarbetsavtal", "ks"), ("vanortsavtal", "kf")]
    # the same user becomes an editor of a second municipality
    cli("start-municipality", "falkenberg", "--name", "Falkenbergs kommun", "--place", "Falkenberg")
    cli("add-user", "vera", "--organisation", "falkenberg")
    roles = sorted(Membership.objects.values_list("organisation__slug", "role"))
    assert roles == [("falkenberg", "editor"), ("varberg", "administrator")]


def run(*args: str, stdin: str = "") -> tuple[int, str]:
    """The command in this process (fast); the subprocess run is tested above."""
    out = io.StringIO()
    try:
        with mock_stdin(stdin):
            call_command(*args, stdout=out, stderr=out)
    except CommandError as error:
        return 1, str(error)
    return 0, out.getvalue()


@contextmanager
def mock_stdin(text: str):
    saved, sys.stdin = sys.stdin, io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


def test_it_refuses_bad_input_and_changes_nothing(db):
    code, message = run("start_municipality", "x", "--name", "X", "--place", "X", "--country", "QQ")
    assert code == 1 and "country" in message and "QQ" in message
    code, message = run(
        "start_municipality", "y", "--name", "Y", "--place", "Y", "--rule", "vanortsavtal=mayor"
    )
    assert code == 1 and "--rule" in message
    code, message = run(
        "start_municipality", "z", "--name", "Z", "--place", "Z", "--rule", "nosuchkind=kf"
    )
    assert code == 1 and "nosuchkind" in message
    code, message = run("add_user", "vera", "--organisation", "nowhere")
    assert code == 1 and "nowhere" in message
    assert run("start_municipality", "w", "--name", "W", "--place", "W")[0] == 0
    code, message = run(
        "add_user", "vera", "--organisation", "w", "--password-stdin", stdin="123\n"
    )
    assert code == 1 and "password" in message
    assert (Organisation.objects.count(), Place.objects.count(), User.objects.count()) == (1, 1, 0)
    code, message = run("start_municipality", "w", "--name", "W", "--place", "W2")
    assert code == 1 and "already exists" in message


def test_add_user_refuses_a_weak_password_and_creates_nobody(cli):
    """Issue 12 #12: at least 12 characters, not common, not like the user name."""
    cli("start-municipality", "w", "--name", "W", "--place", "W")
    for weak, rule in [
        ("halmstad", "minst 12 tecken"),  # the command speaks the installation's Swedish
        ("Ny-Lösen-26", "minst 12 tecken"),
        ("password1234", "för vanligt"),
        ("verasvensson", "för likt"),
    ]:
        added = cli(
            "add-user",
            "verasvensson",
            "--organisation",
            "w",
            "--password-stdin",
            check=False,
            input=weak + "\n",
        )
        assert added.returncode == 1 and rule in added.stderr, (weak, added.stderr)
    assert not User.objects.exists()
    cli(
        "add-user",
        "verasvensson",
        "--organisation",
        "w",
        "--password-stdin",
        input="Ny-Lösen-2026\n",
    )
    assert User.objects.get().check_password("Ny-Lösen-2026")


def test_it_unlocks_a_user_that_is_not_locked(db):
    assert "was not locked" in run("unlock_user", "nobody")[1]
