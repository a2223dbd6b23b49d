"""Wikidata in and out: QuickStatements for P190 with qualifiers at the register's
precision and references, and P190 read from entity JSON and SPARQL results JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from interop.errors import ImportRefused
from interop.models import ReportedPair
from interop.wikidata import import_wikidata, quickstatements, wikidata_time
from register.demo import SEED_URL
from register.models import Place, Relation, Source

DATA = Path(__file__).parent / "data" / "wikidata"
IDS = {
    "Halmstad": "Q1001",
    "Gentofte": "Q1002",
    "Moshi": "Q1003",
    "Hanko": "Q1004",
    "Stord": "Q1005",
    "Asti": "Q1006",
}  # ids for the tests, not the real items


@pytest.fixture
def identified(demo):
    for name, qid in IDS.items():
        Place.objects.filter(name=name).update(wikidata_id=qid)
    return type(demo).objects.get(pk=demo.pk)


@pytest.mark.parametrize(
    ("edtf", "time", "qualifiers"),
    [
        ("2008", "+2008-00-00T00:00:00Z/9", []),
        ("2010-10", "+2010-10-00T00:00:00Z/10", []),
        ("2010-10-05", "+2010-10-05T00:00:00Z/11", []),
        ("194X", "+1940-00-00T00:00:00Z/8", []),  # a decade stays a decade
        ("19XX", "+1950-00-00T00:00:00Z/7", []),
        ("2009~", "+2009-00-00T00:00:00Z/9", ["Q5727902"]),  # circa
        ("2009?", "+2009-00-00T00:00:00Z/9", ["Q18122778"]),  # presumably
    ],
)
def test_it_writes_times_at_the_registers_precision(edtf, time, qualifiers):
    assert wikidata_time(edtf) == (time, qualifiers)


def test_it_exports_p190_both_ways_with_qualifiers_and_references(identified):
    result = quickstatements(identified)
    rows = [line.split("\t") for line in result.lines]
    assert len(rows) == 10  # five relations, both directions
    moshi = [row for row in rows if "Q1003" in row[:3]]
    assert moshi[0][:3] == ["Q1001", "P190", "Q1003"]
    assert moshi[1][:3] == ["Q1003", "P190", "Q1001"]
    assert moshi[0][3:] == [
        "P580",
        "+2008-00-00T00:00:00Z/9",
        "P582",
        "+2012-00-00T00:00:00Z/9",  # 2008 plus a four-year term, ended
        "S854",
        f'"{SEED_URL}"',
    ]
    gentofte = next(row for row in rows if row[:3] == ["Q1001", "P190", "Q1002"])
    assert gentofte[3:5] == ["P580", "+1940-00-00T00:00:00Z/8"]
    asti = next(row for row in rows if row[:3] == ["Q1001", "P190", "Q1006"])
    assert "P580" not in asti  # "by 2009" cannot be a time value: left out, and said so
    assert any("Asti" in note and "[..2009]" in note for note in result.skipped)


def test_it_writes_circa_for_an_approximate_start(identified):
    Relation.objects.filter(partner__name="Stord").update(since="1992~")
    stord = next(line for line in quickstatements(identified).lines if "Q1005" in line)
    assert "P580\t+1992-00-00T00:00:00Z/9\tP1480\tQ5727902" in stord


def test_it_skips_a_relation_whose_place_has_no_wikidata_id(demo):
    result = quickstatements(demo)
    assert result.lines == []
    assert len(result.skipped) == 5


def test_it_serves_quickstatements_over_the_api(client, identified):
    response = client.get("/api/organisations/halmstad/wikidata.qs")
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().count("\tP190\t") == 10


def test_it_imports_p190_from_an_entity_json_file(identified):
    report = import_wikidata(DATA / "entity-p190.json")
    assert report.statements == 2 and report.pairs_new == 2
    assert any("deprecated" in note for note in report.skipped)
    wikidata = Source.objects.get(title="Wikidata")
    pairs = {
        frozenset([p.place_a.name, p.place_b.name]): p
        for p in ReportedPair.objects.filter(source=wikidata).select_related("place_a", "place_b")
    }
    gentofte = pairs[frozenset(["Halmstad", "Gentofte"])]
    assert gentofte.start == "194X"  # precision 8: the 1940s
    assert [s.url for s in gentofte.references.all()] == ["https://www.halmstad.se/vanorter"]
    moshi = pairs[frozenset(["Halmstad", "Moshi"])]
    assert (moshi.start, moshi.end) == ("2008", "2012-06-15")
    again = import_wikidata(DATA / "entity-p190.json")
    assert (again.pairs_new, again.pairs_updated, again.pairs_unchanged) == (0, 0, 2)


def test_it_imports_p190_from_sparql_results(identified):
    report = import_wikidata(DATA / "sparql-p190.json")
    assert report.pairs_new == 2
    stord = ReportedPair.objects.get(place_b__name="Stord")
    assert stord.start == "199X"
    assert stord.references.get().url == "https://www.stord.kommune.no/"
    asti = ReportedPair.objects.get(place_b__name="Asti")
    assert asti.start == "2010-10"


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def broken_copy(tmp_path, name: str, old: str, new: str) -> Path:
    path = tmp_path / name
    path.write_text((DATA / name).read_text().replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("name", "old", "new", "needle", "words"),
    [
        ("entity-p190.json", '"precision": 9', '"precision": 4', "+2008", "precision 4"),
        ("entity-p190.json", "+2012-06-15T", "2012-06-15T", "2012-06-15T", "not a Wikidata time"),
    ],
)
def test_it_refuses_a_file_with_a_problem_naming_its_line(
    identified, tmp_path, name, old, new, needle, words
):
    path = broken_copy(tmp_path, name, old, new)
    before = ReportedPair.objects.count(), Source.objects.count()
    with pytest.raises(ImportRefused) as refused:
        import_wikidata(path)
    assert words in refused.value.reason
    assert refused.value.file == str(path)
    assert refused.value.line == line_of(path, needle)
    assert (ReportedPair.objects.count(), Source.objects.count()) == before


@pytest.mark.parametrize(
    ("name", "old", "new", "position", "words"),
    [
        ("entity-p190.json", '"Q1003"}', '"Q999999"}', "line ", "Q999999 is not the Wikidata id"),
        ("sparql-p190.json", "entity/Q1006", "entity/Q424242", "row 2", "Q424242 is not"),
        ("sparql-p190.json", "entity/Q1005", "wiki/Q1005", "row 1", "not a Wikidata item URI"),
        ("sparql-p190.json", '"startPrecision": {', '"ignored": {', "row 1", "startPrecision"),
    ],
)
def test_it_refuses_a_row_it_cannot_use_and_imports_the_rest(
    identified, tmp_path, name, old, new, position, words
):
    path = broken_copy(tmp_path, name, old, new)
    report = import_wikidata(path)
    assert len(report.refused) == 1
    refusal = str(report.refused[0])
    assert refusal.startswith(position) and words in refusal
    assert report.pairs_new == report.statements == 1
    assert ReportedPair.objects.count() == 1


def test_it_refuses_a_file_that_is_not_json_or_not_utf8(identified, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "entities": {\n    "Q1": [\n}\n')
    with pytest.raises(ImportRefused) as refused:
        import_wikidata(broken)
    assert refused.value.line == 4 and "not valid JSON" in refused.value.reason
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"head": {"vars": ["Malmö"]}}'.encode("latin-1"))
    with pytest.raises(ImportRefused) as refused:
        import_wikidata(latin)
    assert "UTF-8" in refused.value.reason
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"head": {"vars": ["city"]}, "results": {"bindings": []}}))
    with pytest.raises(ImportRefused) as refused:
        import_wikidata(other)
    assert "head.vars lacks item, partner" in refused.value.reason


def test_the_command_imports_and_refuses_with_file_and_line(cli, tmp_path):
    path = tmp_path / "entity.json"
    shutil.copy(DATA / "entity-p190.json", path)
    failed = cli("import-wikidata", str(path), check=False)
    assert failed.returncode != 0
    assert f"{path}, line " in failed.stderr
    assert "Q1001 is not the Wikidata id of any place" in failed.stderr
    assert "Nothing was imported" in failed.stderr


def test_it_refuses_a_quickstatement_of_an_unknown_item_and_imports_the_rest(identified, tmp_path):
    path = tmp_path / "edits.qs"
    path.write_text("Q1001\tP190\tQ1002\n\nQ1001\tP190\tQ777777\n")
    report = import_wikidata(path)
    assert [str(r) for r in report.refused] == [
        "line 3: Q777777 is not the Wikidata id of any place in the register, and the "
        "answer gives it no label to create it from"
    ]
    assert ReportedPair.objects.count() == 1


def test_quickstatements_round_trip_into_reported_pairs(identified, tmp_path):
    Relation.objects.filter(partner__name="Stord").update(since="1992~")
    path = tmp_path / "halmstad.qs"
    path.write_text(quickstatements(identified).text, encoding="utf-8")
    report = import_wikidata(path)
    assert report.statements == 10  # both directions of five relations
    assert report.pairs_new == 5
    pairs = {
        p.place_b.name if p.place_a.name == "Halmstad" else p.place_a.name: p
        for p in ReportedPair.objects.select_related("place_a", "place_b")
    }
    assert (pairs["Moshi"].start, pairs["Moshi"].end) == ("2008", "2012")
    assert pairs["Gentofte"].start == "194X"
    assert pairs["Stord"].start == "1992~"
    assert pairs["Asti"].start == ""
    assert pairs["Moshi"].references.get().url == SEED_URL


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("LAST\tP190\tQ1002", "LAST and new items are not supported"),
        ("Q1001\tP47\tQ1002", "only P190"),
        ("Q1001\tP190", "needs an item, a property and a value"),
        ("Q1001\tP190\tQ1002\tP580", "P580 has no value"),
        ("Q1001\tP190\tQ1002\tP580\t1948", "not a time value"),
        ("Q1001\tP190\tQ1002\tP580\t+1948-00-00T00:00:00Z/11", "precision 11 does not fit"),
        ("Q1001\tP190\tQ1002\tS854\thttps://x.example", "quoted URL"),
        ("Q1001\tP190\tQ1002\tP17\tQ34", "P17 is not a qualifier"),
    ],
)
def test_it_refuses_quickstatements_it_cannot_read(identified, tmp_path, line, words):
    path = tmp_path / "edits.qs"
    path.write_text(f"Q1001\tP190\tQ1002\tP580\t+1940-00-00T00:00:00Z/8\n\n{line}\n")
    with pytest.raises(ImportRefused) as refused:
        import_wikidata(path)
    assert refused.value.line == 3
    assert words in refused.value.reason
    assert ReportedPair.objects.count() == 0
