"""`vanort import-register` as a municipality uses it (issue 11 #5, issue 12 #3, #7-#9):
into an organisation that exists, creating what is missing and updating what changed;
a plan with --dry-run; every problem at once, at its JSON path, in plain words; the
schema's example file; places, owners and every field kept through export and import."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest

from opendata.register_format import dumps, export_register, json_schema
from register.imprecise import validate_edtf
from register.models import (
    Agreement,
    Organisation,
    Place,
    PlaceName,
    Relation,
    Source,
)
from tests.snapshot import snapshot

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "register-example.json"


def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def write(tmp_path, document, name="register.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else dumps(document), "utf-8")
    return path


def state() -> tuple:
    """Counts and versions of the register's records, and their history rows."""
    from django.apps import apps

    models = list(apps.get_app_config("register").get_models())
    return tuple(
        (m.__name__, m.objects.count(), sum(m.objects.values_list("version", flat=True)))
        if any(f.name == "version" for f in m._meta.fields)
        else (m.__name__, m.objects.count())
        for m in models
    )


def test_the_example_is_valid_by_the_schema_and_imports_after_start_municipality(cli, tmp_path):
    jsonschema.validate(example(), json_schema())
    cli(
        "start-municipality", "exempelby", "--name", "Exempelby kommun", "--place", "Exempelby",
        "--latitude", "56.83", "--longitude", "14.82",
    )  # fmt: skip
    home = Organisation.objects.get(slug="exempelby").place_id
    result = cli("import-register", str(EXAMPLE))
    assert "Imported the register of Exempelby kommun: 4 relations, 2 activities" in result.stdout
    organisation = Organisation.objects.get(slug="exempelby")
    assert organisation.place_id == home  # the place start-municipality made, not a copy
    assert organisation.place.region == "Kronobergs län"  # a blank filled from the file
    assert organisation.governance_rules.get(kind__code="samarbetsavtal").body == "ks"
    tartu = Relation.objects.get(organisation=organisation, partner__name="Tartu")
    renewal = tartu.agreements.get(start="2022")
    assert renewal.renews.start == "2019-03"
    assert [f.funder for f in tartu.agreements.get(start="2019-03").funding.all()] == [
        "Interreg Central Baltic",
        "Exempelby kommun",
    ]
    assert set(Source.objects.filter(organisation=organisation).values_list("title", flat=True))
    assert Source.objects.filter(organisation=None).count() == 0


def test_a_second_identical_run_changes_nothing_and_a_change_is_an_update(cli, tmp_path):
    cli("import-register", str(EXAMPLE))
    before = state()
    again = cli("import-register", str(EXAMPLE))
    assert "(0 records created, 0 updated, 41 unchanged)" in again.stdout
    assert state() == before  # no version bumped, no history row written
    document = example()
    document["relations"][0]["description_en"] = "Twin town since 1956."
    document["relations"][1]["agreements"][0]["focus_areas"] = ["naringsliv"]
    document["places"][1]["names"]["fi"] = "Porvoo"
    path = write(tmp_path, document)
    porvoo = Relation.objects.get(partner__name="Porvoo")
    history = porvoo.history.count()
    changed = cli("import-register", str(path))
    assert "0 records created, 3 updated" in changed.stdout
    porvoo.refresh_from_db()
    assert porvoo.description_en == "Twin town since 1956."
    assert porvoo.version == 2 and porvoo.history.count() == history + 1
    assert porvoo.history.first().history_type == "~"
    agreement = Agreement.objects.get(relation__partner__name="Tartu", start="2019-03")
    assert [a.code for a in agreement.focus_areas.all()] == ["naringsliv"]
    assert PlaceName.objects.get(place__name="Porvoo", language="fi").name == "Porvoo"


def test_dry_run_prints_the_plan_and_writes_nothing(cli, tmp_path):
    before = state()
    result = cli("import-register", str(EXAMPLE), "--dry-run")
    assert "create    organisation exempelby ($.organisation)" in result.stdout
    assert "create    agreement a3 ($.relations[1].agreements[1])" in result.stdout
    assert "Dry run, nothing was written: 41 to create, 0 to update, 0 unchanged." in (
        result.stdout
    )
    assert state() == before
    cli("import-register", str(EXAMPLE))
    document = example()
    document["organisation"]["phone"] = "0470-99 99 99"
    planned = cli("import-register", str(write(tmp_path, document)), "--dry-run")
    assert "update    organisation exempelby ($.organisation)" in planned.stdout
    assert "unchanged relation r1 ($.relations[0])" in planned.stdout
    assert Organisation.objects.get(slug="exempelby").phone == "0470-12 34 56"


def test_it_reports_every_schema_problem_in_one_run(cli, tmp_path):
    document = example()
    document["relations"][2]["agreements"][0]["start"] = "194Y"
    document["relations"][0]["agreements"][0].pop("kind")
    document["sources"][0]["accessed_on"] = "2023-02-30"
    document["relations"][1]["order"] = -1
    document["places"][1]["country"] = "Finland"
    result = cli("import-register", str(write(tmp_path, document)), check=False)
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert "5 problems:" in lines[0]
    for expected in [
        "$.relations[2].agreements[0].start: “194Y” is not a date the register can read",
        "$.relations[0].agreements[0].kind: is missing",
        "$.sources[0].accessed_on: “2023-02-30” is not a calendar date that exists",
        "$.relations[1].order: must be at least 0",
        "$.places[1].country: “Finland” is not a two-letter country code",
    ]:
        assert any(expected in line for line in lines), expected
    assert "Nothing was imported." in result.stderr
    assert Organisation.objects.count() == 0


def test_it_reports_every_content_problem_in_one_run_in_plain_words(cli, tmp_path):
    document = example()
    tartu = document["relations"][1]["agreements"][0]
    tartu.update(start="2019", term_months=None, end="2015")  # the end before the start
    document["relations"][2]["since"] = "2008-02-30"  # the pattern's form, not a date
    document["relations"][3]["agreements"][0]["kind"] = "nope"
    document["governance"][1]["kind"] = "unknown-kind"
    document["activities"][0]["young_participants"] = 400
    document["relations"][0]["partner"] = "p9"
    result = cli("import-register", str(write(tmp_path, document)), check=False)
    assert result.returncode != 0
    text = result.stderr
    for expected in [
        "$.governance[1].kind: “unknown-kind” is not in the vocabulary of agreement kinds",
        "$.relations[0].partner: refers to “p9”, which the document does not define",
        "$.relations[1].agreements[0].end: The end cannot be before the start",
        "$.relations[2].since: “2008-02-30” is not a valid EDTF date",
        "$.relations[3].agreements[0].kind: “nope” is not in the vocabulary of agreement kinds",
        "$.activities[0].young_participants: There cannot be more young participants (400)",
    ]:
        assert expected in text, expected
    assert "6 problems" in text
    assert "agreement_end_not_before_start" not in text and "Constraint" not in text
    assert not re.search(r"[åäö]|inte|är ", text.replace("Exempelby", ""))  # English only
    assert "Traceback" not in text
    assert Organisation.objects.count() == 0 and Place.objects.count() == 0


@pytest.mark.parametrize(
    "text",
    ["", "2008", "2008-05", "2008-05-03", "194X", "19XX", "1995~", "1995?", "1995%",
     "[..2009]", "2008/2012", "2008-05/2012~", "2008/..", "../2009", "2009~/2012"],
)  # fmt: skip
def test_the_edtf_pattern_admits_the_forms_the_register_uses(text):
    pattern = json_schema()["properties"]["relations"]["items"]["properties"]["since"]["pattern"]
    assert re.search(pattern, text)
    validate_edtf(text)


@pytest.mark.parametrize("text", ["194Y", "2008-13", "2008-05-32", "20080", "soon", "2008//9"])
def test_the_edtf_pattern_refuses_what_is_not_a_date(text):
    pattern = json_schema()["properties"]["relations"]["items"]["properties"]["since"]["pattern"]
    assert not re.search(pattern, text)


def test_places_keep_names_region_coordinates_and_wikidata_id(cli):
    cli("import-register", str(EXAMPLE))
    porvoo = Place.objects.get(name="Porvoo")
    assert (porvoo.country, porvoo.region) == ("FI", "Uusimaa")
    assert str(porvoo.latitude) == "60.393300"
    assert dict(porvoo.names.values_list("language", "name")) == {"sv": "Borgå", "en": "Porvoo"}


def test_a_matched_place_gets_its_blanks_filled_and_its_wikidata_id(cli, tmp_path):
    existing = Place.objects.create(name="Borgå", country="FI")
    document = example()
    document["places"][1]["wikidata_id"] = "Q211"
    cli("import-register", str(write(tmp_path, document)))
    existing.refresh_from_db()
    assert Place.objects.filter(country="FI").count() == 1  # "Borgå" is Porvoo's sv name
    assert (existing.wikidata_id, existing.region) == ("Q211", "Uusimaa")
    assert existing.latitude is not None


def test_two_places_sharing_a_reference_are_refused_with_both_paths(cli, tmp_path):
    document = example()
    document["places"][3]["ref"] = "p2"  # Kiel given the reference of Porvoo
    result = cli("import-register", str(write(tmp_path, document)), check=False)
    assert result.returncode != 0
    assert (
        "$.places[3].ref: “p2” is also the reference of $.places[1]; each record needs its own"
        in result.stderr
    )
    twice = example()
    twice["places"].append(dict(copy.deepcopy(twice["places"][1]), ref="p6"))
    twice["relations"][2]["partner"] = "p6"
    result = cli("import-register", str(write(tmp_path, twice)), check=False)
    assert "$.places[5]: is the same place as $.places[1] (Porvoo, FI)" in result.stderr
    assert Relation.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["places"][1].update(name="Por\u0000voo"), "$.places[1].name: contains a "
         "control character (U+0000)"),
        (lambda d: d["organisation"].update(background_en="x" * 60_000),
         "$.organisation.background_en: is longer than 50000 characters (give "
         "--max-field-length"),
        (lambda d: d["governance"].append({"kind": "kommunalt-partnerskap2", "body": "ks"}),
         "$.governance[2].kind: “kommunalt-partnerskap2” is not in the vocabulary"),
    ],
)  # fmt: skip
def test_refusals_instead_of_tracebacks(cli, tmp_path, change, words):
    document = example()
    change(document)
    result = cli("import-register", str(write(tmp_path, document)), check=False)
    assert result.returncode != 0
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert Organisation.objects.count() == 0


def test_deep_nesting_and_a_large_file_are_refused(cli, tmp_path):
    deep = write(tmp_path, "[" * 100_000 + "]" * 100_000, "deep.json")
    result = cli("import-register", str(deep), check=False)
    assert result.returncode != 0
    assert "line 1: the document nests more than 32 levels deep" in result.stderr
    large = cli("import-register", str(EXAMPLE), "--max-size", "1kB", check=False)
    assert "more than the limit of 1 kB; give --max-size to allow a larger file" in large.stderr
    assert "Imported" in cli("import-register", str(EXAMPLE), "--max-size", "1MB").stdout


def test_every_field_of_every_record_survives_export_and_import(demo, vanort_process, tmp_path):
    """Into an empty database: compared field by field through the ORM, the sources'
    owners included (issue 12 #3), not only the re-exported bytes."""
    from django.core.management import call_command

    Source.objects.create(
        organisation=demo, title="Uncited note", document="Diarium 2024/1", publisher="KS"
    )
    PlaceName.objects.create(place=demo.place, language="en", name="Halmstad")
    expected = snapshot("halmstad")
    assert any(s["organisation"] == "organisation halmstad" for s in expected["sources kept"])
    path = tmp_path / "halmstad.json"
    call_command("export_register", "halmstad", "--with-drafts", "--output", str(path))
    vanort_process("migrate", "--noinput", "-v", "0")
    vanort_process("import-register", str(path))
    dumped = vanort_process(
        "shell", "-v", "0", "-c", "from tests.snapshot import dump; dump('halmstad')"
    ).stdout
    assert json.loads(dumped.strip().splitlines()[-1]) == json.loads(json.dumps(expected))
    assert export_register(demo, published_only=False)["sources"][0]["owner"] == "halmstad"
