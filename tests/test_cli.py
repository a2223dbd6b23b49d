"""The `vanort` command: loading the demo (in this process), and the command line itself
as a user runs it (a subprocess)."""

import json


def dump(cli) -> list:
    """Every row of the register, history included, in an order that does not depend on
    the process (simple-history creates its many-to-many history models from a set)."""
    result = cli("dumpdata", "register", "--indent", "0")
    return sorted(json.loads(result.stdout), key=lambda row: (row["model"], row["pk"]))


def test_load_demo_twice_changes_nothing(cli):
    first = cli("load-demo")
    assert "Halmstads kommun" in first.stdout
    before = dump(cli)
    cli("load-demo")
    after = dump(cli)
    assert before == after
    models = {row["model"] for row in after}
    assert {
        "register.organisation",
        "register.relation",
        "register.agreement",
        "register.activity",
        "register.source",
        "register.governancerule",
    } <= models
    relations = [row for row in after if row["model"] == "register.relation"]
    assert len(relations) == 5


def test_vanort_behaves_like_manage_py(vanort_process):
    result = vanort_process("help")
    assert "load_demo" in result.stdout
    assert "migrate" in result.stdout


def test_an_unknown_command_fails_with_a_clear_message(vanort_process):
    result = vanort_process("no-such-command", check=False)
    assert result.returncode != 0
    assert "Unknown command" in result.stderr
