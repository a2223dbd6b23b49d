"""A real Wikidata answer can be imported (issue 13, 1; issue 12, 6 and 8): a WDQS
SPARQL answer to the documented P190 query creates the places the register lacks,
matches the ones it has, refuses unusable rows one by one, and refuses malformed shapes
with their JSON path, never with a traceback."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interop.errors import ImportRefused
from interop.models import ReportedPair
from interop.wikidata import P190_QUERY, NothingUsable, import_wikidata
from register.models import Place, PlaceName, Source
from tests.wikidata_answers import answer, literal, side, time, write

pytestmark = pytest.mark.django_db

HALMSTAD = {
    "qid": "Q1001",
    "label": "Halmstad",
    "lang": "sv",
    "country": "SE",
    "lat": 56.6739,
    "lon": 12.8572,
}
NIKOPOL_UA = {
    "qid": "Q2002",
    "label": "Nikopol",
    "lang": "sv",
    "country": "UA",
    "lat": 47.5692,
    "lon": 34.3917,
}
NIKOPOL_BG = {
    "qid": "Q2003",
    "label": "Nikopol",
    "lang": "sv",
    "country": "BG",
    "lat": 43.7058,
    "lon": 24.8953,
}


def counts():
    return (
        Place.objects.count(),
        PlaceName.objects.count(),
        ReportedPair.objects.count(),
        Source.objects.count(),
        Place.history.count(),
    )


def row(one, other, **extra):
    return {**side("item", one), **side("partner", other), **extra}


def sparql(*bindings, variables=None):
    from tests.wikidata_answers import VARS

    return {"head": {"vars": variables or VARS}, "results": {"bindings": list(bindings)}}


def test_it_creates_the_places_it_lacks_from_the_answer(tmp_path):
    start, precision = time(1948, 1, 1, 8)
    path = write(
        tmp_path / "a.json",
        sparql(
            row(HALMSTAD, NIKOPOL_UA, start=start, startPrecision=precision),
            row(HALMSTAD, NIKOPOL_BG, reference={"type": "uri", "value": "https://example.org/x"}),
        ),
    )
    report = import_wikidata(path)
    assert (report.places_created, report.places_matched, report.pairs_new) == (3, 0, 2)
    ukraine = Place.objects.get(wikidata_id="Q2002")
    assert (ukraine.name, ukraine.country) == ("Nikopol", "UA")
    assert (ukraine.latitude, ukraine.longitude) == (Decimal("47.569200"), Decimal("34.391700"))
    assert ukraine.names.get().name == "Nikopol"  # the label's language kept
    assert Place.objects.get(wikidata_id="Q2003").country == "BG"  # not merged
    pair = ReportedPair.objects.get(place_b__wikidata_id="Q2002")
    assert pair.start == "194X"
    assert ReportedPair.objects.get(place_b__wikidata_id="Q2003").references.get().url == (
        "https://example.org/x"
    )


def test_a_second_run_changes_nothing(tmp_path):
    path = write(tmp_path / "a.json", answer(60, 30, seed=3))
    first = import_wikidata(path)
    assert first.places_created == 30
    before = counts()
    again = import_wikidata(path)
    assert counts() == before
    assert (again.places_created, again.pairs_new, again.pairs_updated) == (0, 0, 0)
    assert again.places_matched == 30 and again.pairs_unchanged == first.pairs_new


def test_it_matches_the_registers_places_by_name_country_and_distance(demo, tmp_path):
    halmstad, moshi = demo.place, Place.objects.get(name="Moshi")
    near_moshi = {
        **NIKOPOL_UA,
        "qid": "Q3003",
        "label": "Moshi",
        "country": "TZ",
        "lat": -3.35,
        "lon": 37.34,
    }
    far_moshi = {**near_moshi, "qid": "Q3004", "lat": -6.8, "lon": 39.28}  # 400 km away
    path = write(
        tmp_path / "a.json",
        sparql(row(HALMSTAD, near_moshi), row(HALMSTAD, far_moshi), row(HALMSTAD, NIKOPOL_UA)),
    )
    report = import_wikidata(path)
    halmstad.refresh_from_db()
    moshi.refresh_from_db()
    assert halmstad.wikidata_id == "Q1001"  # matched by name in Sweden, its id filled in
    assert moshi.wikidata_id == "Q3003"  # 2 km from the register's point: the same town
    assert Place.objects.get(wikidata_id="Q3004").pk != moshi.pk  # far away: another
    assert (report.places_matched, report.places_created) == (2, 2)
    assert Place.objects.filter(name="Halmstad").count() == 1
    assert halmstad.history.first().history_change_reason.startswith("import-wikidata")


def test_it_shows_a_progress_bar_when_asked(tmp_path, capsys):
    path = write(tmp_path / "a.json", answer(10, 5))
    import_wikidata(path, progress=True)
    assert "reading" in capsys.readouterr().err


def test_two_items_that_fit_one_place_are_refused_not_guessed(tmp_path):
    Place.objects.create(name="Lund", country="SE")
    lund_1 = {**HALMSTAD, "qid": "Q4001", "label": "Lund", "lat": 55.70, "lon": 13.19}
    lund_2 = {**HALMSTAD, "qid": "Q4002", "label": "Lund", "lat": 62.60, "lon": 17.30}
    path = write(
        tmp_path / "a.json",
        sparql(row(lund_1, NIKOPOL_UA), row(lund_2, NIKOPOL_BG), row(NIKOPOL_UA, NIKOPOL_BG)),
    )
    report = import_wikidata(path)
    assert len(report.refused) == 2
    assert all("Q4001 and Q4002 both fit Lund" in str(r) for r in report.refused)
    assert Place.objects.filter(name="Lund").get().wikidata_id == ""


@pytest.mark.parametrize(
    ("mutate", "position", "words"),
    [
        (
            lambda b: b.update(reference={"type": "uri", "value": "javascript:alert(1)"}),
            "row 1",
            "not an http or https URL",
        ),
        (
            lambda b: b.update(reference={"type": "uri", "value": "https://x.org/" + "a" * 600}),
            "row 1",
            "longer than 500",
        ),
        (lambda b: b.update(itemCoord=literal("Point(abc)")), "row 1", "not a WKT Point"),
        (lambda b: b.update(itemCoord=literal("Point(200 10)")), "row 1", "outside ±180"),
        (lambda b: b.update(itemCountry=literal("Sverige")), "row 1", "not an ISO 3166-1 code"),
        (lambda b: b.update(partner=b["item"]), "row 1", "twinned with itself"),
        (lambda b: b.update(start=literal("1990-01-01T00:00:00Z")), "row 1", "startPrecision"),
        (lambda b: b.pop("itemCountry"), "row 1", "no country (P297)"),
        (lambda b: b.pop("itemLabel"), "row 1", "no label"),
        (lambda b: b.update(item="Q1"), "row 1", "not an RDF term"),
    ],
)
def test_it_refuses_an_unusable_row_with_its_number_and_reason(tmp_path, mutate, position, words):
    first = row(HALMSTAD, NIKOPOL_UA)
    mutate(first)
    path = write(tmp_path / "a.json", sparql(first, row(NIKOPOL_UA, NIKOPOL_BG)))
    report = import_wikidata(path)
    assert len(report.refused) == 1, report.refused
    assert str(report.refused[0]).startswith(position) and words in str(report.refused[0])
    assert report.pairs_new == 1
    assert not Source.objects.filter(url__startswith="javascript").exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"head": [], "results": {"bindings": []}}, "head: is not an object"),
        ({"head": {"vars": "item"}, "results": {}}, "head.vars: is not a list"),
        ({"head": {"vars": ["item", "partner"]}, "results": []}, "results: is not an object"),
        (
            {"head": {"vars": ["item", "partner"]}, "results": {"bindings": {}}},
            "results.bindings: is not a list",
        ),
        ({"entities": {"Q1": {"claims": []}}}, "entities.Q1.claims: is not an object"),
        (
            {"entities": {"Q1": {"claims": {"P190": "abc"}}}},
            "entities.Q1.claims.P190: is not a list",
        ),
        ([1, 2], "not a SPARQL 1.1 Query Results JSON file"),
    ],
)
def test_it_refuses_a_malformed_shape_with_its_json_path(tmp_path, data, words):
    path = write(tmp_path / "a.json", data)
    before = counts()
    with pytest.raises(ImportRefused) as refused:
        import_wikidata(path)
    assert words in refused.value.reason
    assert counts() == before


def test_it_refuses_a_qualifier_without_datavalue(tmp_path):
    claim = {
        "id": "Q1$abc",
        "mainsnak": {"snaktype": "value", "datavalue": {"value": {"id": "Q2"}}},
        "qualifiers": {"P580": [{"snaktype": "value"}]},
    }
    path = write(tmp_path / "a.json", {"entities": {"Q1": {"claims": {"P190": [claim]}}}})
    with pytest.raises(ImportRefused) as refused:
        import_wikidata(path)
    assert "entities.Q1.claims.P190[0].qualifiers.P580[0]: has no datavalue" in refused.value.reason


def test_bindings_that_are_not_objects_are_refused_and_nothing_usable_exits_non_zero(cli, tmp_path):
    path = write(tmp_path / "a.json", sparql("x"))
    result = cli("import-wikidata", str(path), check=False)
    assert result.returncode != 0
    assert "row 1 (results.bindings[0]): results.bindings[0]: is not an object" in result.stderr
    assert "Nothing was imported" in result.stderr
    assert counts() == (0, 0, 0, 0, 0)


def test_an_empty_file_or_answer_creates_nothing_and_exits_non_zero(cli, tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("")
    assert cli("import-wikidata", str(empty), check=False).returncode != 0
    no_rows = write(tmp_path / "none.json", sparql())
    result = cli("import-wikidata", str(no_rows), check=False)
    assert result.returncode != 0 and "no P190 statements" in result.stderr
    assert counts() == (0, 0, 0, 0, 0)


def test_the_command_imports_reports_refusals_and_documents_the_query(cli, tmp_path, capsys):
    path = write(tmp_path / "a.json", answer(40, 20, seed=5, bad=0.2))
    result = cli("import-wikidata", str(path))
    assert "new, 0 already in the register" in result.stdout
    assert "refused: row " in result.stdout
    assert "reading" not in result.stderr  # no progress bar off a terminal
    capsys.readouterr()
    cli("import-wikidata", "--help", check=False)
    help_text = capsys.readouterr().out
    assert "?item p:P190 ?statement" in help_text and "wikibase:timePrecision" in help_text


def test_the_query_is_documented():
    from pathlib import Path

    docs = (Path(__file__).parent.parent / "docs" / "wikidata.md").read_text()
    assert P190_QUERY in docs


def test_a_generated_answer_of_1000_rows_over_500_places_imports(
    tmp_path, django_assert_max_num_queries
):
    path = write(tmp_path / "a.json", answer(1000, 500, seed=7, bad=0.01))
    with django_assert_max_num_queries(60):  # bulk: not a query per row
        report = import_wikidata(path)
    assert 490 <= report.places_created <= 500  # a place only in refused rows is not made
    assert report.statements + len(report.refused) == 1000
    assert report.pairs_new == ReportedPair.objects.count()


# --- random and mutated answers -----------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
BASE = answer(4, 4, seed=11)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


ALL_PATHS = list(paths(BASE))


def mutated(data, path, value):
    data = copy.deepcopy(data)
    if not path:
        return value
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


class Rollback(Exception):
    pass


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.builds(mutated, st.just(BASE), st.sampled_from(ALL_PATHS), json_values),
        json_values,
        st.builds(
            lambda v: {"head": {"vars": ["item", "partner"]}, "results": {"bindings": v}},
            st.lists(json_values, max_size=3),
        ),
    )
)
def test_random_and_mutated_answers_import_or_are_refused_cleanly(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("answers") / "a.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    try:
        with transaction.atomic():
            before = counts()
            try:
                report = import_wikidata(path)
            except NothingUsable as refused:
                assert counts() == before and refused.reason
            except ImportRefused as refused:
                assert counts() == before and refused.reason
            else:
                assert report.statements > 0
                assert ReportedPair.objects.count() > 0
            raise Rollback
    except Rollback:
        pass
