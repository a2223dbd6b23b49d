"""Starting a municipality and adding its users from the command line."""

from __future__ import annotations


def test_it_starts_a_municipality_and_adds_its_administrator(cli):
    cli("migrate", "--noinput", "-v", "0")
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
    check = cli(
        "shell",
        "-c",
        "from accounts.models import Membership as M;"
        "from register.models import Organisation as O;"
        "m = M.objects.get(user__username='vera'); o = O.objects.get(slug='varberg');"
        "print(m.role, m.user.is_staff, m.user.check_password('en-lång-Lösen-1234'),"
        " o.place.country, sorted((r.kind.code, r.body) for r in o.governance_rules.all()))",
    )
    assert (
        "administrator True True SE [('samarbetsavtal', 'ks'), ('vanortsavtal', 'kf')]"
        in check.stdout
    )
    # the same user becomes an editor of a second municipality
    cli("start-municipality", "falkenberg", "--name", "Falkenbergs kommun", "--place", "Falkenberg")
    cli("add-user", "vera", "--organisation", "falkenberg")
    roles = cli(
        "shell",
        "-c",
        "from accounts.models import Membership as M;"
        "print(sorted(M.objects.values_list('organisation__slug', 'role')))",
    )
    assert "[('falkenberg', 'editor'), ('varberg', 'administrator')]" in roles.stdout


def test_it_refuses_bad_input_and_changes_nothing(cli):
    cli("migrate", "--noinput", "-v", "0")
    bad_country = cli(
        "start-municipality", "x", "--name", "X", "--place", "X", "--country", "QQ", check=False
    )
    assert bad_country.returncode != 0
    assert "country" in bad_country.stderr and "QQ" in bad_country.stderr
    bad_rule = cli(
        "start-municipality",
        "y",
        "--name",
        "Y",
        "--place",
        "Y",
        "--rule",
        "vanortsavtal=mayor",
        check=False,
    )
    assert "--rule" in bad_rule.stderr
    unknown_kind = cli(
        "start-municipality",
        "z",
        "--name",
        "Z",
        "--place",
        "Z",
        "--rule",
        "nosuchkind=kf",
        check=False,
    )
    assert "nosuchkind" in unknown_kind.stderr
    no_org = cli("add-user", "vera", "--organisation", "nowhere", check=False)
    assert no_org.returncode != 0 and "nowhere" in no_org.stderr
    weak = cli("start-municipality", "w", "--name", "W", "--place", "W")
    assert weak.returncode == 0
    weak_password = cli(
        "add-user", "vera", "--organisation", "w", "--password-stdin", input="123\n", check=False
    )
    assert weak_password.returncode != 0 and "password" in weak_password.stderr
    counts = cli(
        "shell",
        "-c",
        "from register.models import Organisation, Place;"
        "from django.contrib.auth.models import User;"
        "print(Organisation.objects.count(), Place.objects.count(), User.objects.count())",
    )
    assert "1 1 0" in counts.stdout  # only “w”, and no half-created user


def test_it_unlocks_a_user_that_is_not_locked(cli):
    cli("migrate", "--noinput", "-v", "0")
    assert "was not locked" in cli("unlock-user", "nobody").stdout
