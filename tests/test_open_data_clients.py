"""The open data read by the tools its users run (issue 13): GDAL's ogr2ogr, icalendar
with recurring-ical-events, pyld, openapi-spec-validator, rdflib, the csv module."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import date

import icalendar
import pytest
import recurring_ical_events
from openapi_spec_validator import validate
from pyld import jsonld
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from register.models import Place, Relation

BASE = "/api/organisations/halmstad"


# --- GeoJSON with GDAL --------------------------------------------------------------------


@pytest.fixture
def ogr2ogr():
    path = shutil.which("ogr2ogr")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ogr2ogr (gdal-bin) is missing; .ci/run installs it")
        pytest.skip("ogr2ogr (gdal-bin) is not installed")
    return path


def test_geojson_feature_ids_are_unique_and_name_their_kind(client, demo):
    data = client.get(f"{BASE}/relations.geojson").json()
    ids = [feature["id"] for feature in data["features"]]
    assert len(ids) == len(set(ids))
    for feature in data["features"]:
        properties = feature["properties"]
        assert "id" not in properties and "wikidata" not in properties
        if properties["kind"] == "place":
            assert feature["id"] == f"place/{properties['place_id']}"
        else:
            assert feature["id"] == f"relation/{properties['relation_id']}"
            assert f"place/{properties['partner_id']}" in ids


def test_ogr2ogr_converts_the_geojson_to_a_geopackage(client, demo, ogr2ogr, tmp_path):
    source = tmp_path / "relations.geojson"
    source.write_bytes(client.get(f"{BASE}/relations.geojson").content)
    target = tmp_path / "relations.gpkg"
    run = subprocess.run(
        [ogr2ogr, "-f", "GPKG", str(target), str(source)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "UNIQUE constraint failed" not in run.stderr
    with sqlite3.connect(target) as db:
        (table,) = db.execute("SELECT table_name FROM gpkg_contents").fetchone()
        rows = db.execute(
            f'SELECT kind, name, place_id, relation_id, partner_id FROM "{table}"'
        ).fetchall()
    places = {place_id: name for kind, name, place_id, _, _ in rows if kind == "place"}
    relations = [
        (partner_id, relation_id)
        for kind, _, _, relation_id, partner_id in rows
        if kind == "relation"
    ]
    assert len(relations) == 5
    for partner_id, relation_id in relations:
        # The partner id names the partner's own feature, as in the register.
        assert places[partner_id] == Relation.objects.get(pk=relation_id).partner.name


def test_the_bulk_pairs_geojson_converts_too(client, demo, ogr2ogr, tmp_path):
    from tests.test_bulk_downloads import some_pairs

    some_pairs(demo)
    source = tmp_path / "pairs.geojson"
    response = client.get("/api/pairs.geojson")
    source.write_bytes(b"".join(response.streaming_content))
    run = subprocess.run(
        [ogr2ogr, "-f", "GPKG", str(tmp_path / "pairs.gpkg"), str(source)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr


# --- iCalendar ------------------------------------------------------------------------------


def test_only_days_become_events_with_place_and_page(client, demo):
    activity = demo.activities.get()
    activity.date = "2010-10-14"
    activity.save()
    moshi = Relation.objects.get(partner__name="Moshi").agreements.get()
    response = client.get(f"{BASE}/calendar.ics", headers={"Accept-Language": "en"})
    calendar = icalendar.Calendar.from_ical(response.content)
    events = recurring_ical_events.of(calendar).between(date(1900, 1, 1), date(2100, 1, 1))
    assert [event["UID"].split("@")[0] for event in events] == [f"activity-{activity.pk}"]
    (meeting,) = events
    assert meeting.decoded("DTSTART") == date(2010, 10, 14)
    assert meeting.decoded("DTEND") == date(2010, 10, 15)
    assert str(meeting["LOCATION"]) == "Asti, Italy"
    assert meeting["GEO"].latitude == pytest.approx(44.9)
    assert str(meeting["URL"]).endswith("/en/halmstad/partners/asti/")
    assert "Participants" in str(meeting["DESCRIPTION"])
    assert response["Content-Language"] == "en"
    # Imprecise dates ("2012", "194X") are notes without a time span, never long events.
    notes = {str(c["UID"]).split("@")[0]: c for c in calendar.walk("VJOURNAL")}
    end = notes[f"agreement-{moshi.pk}-end"]
    assert "DTSTART" not in end
    assert str(end["SUMMARY"]) == "Municipal partnership with Moshi ends"
    assert "not a day" in str(end["DESCRIPTION"])
    for event in calendar.walk("VEVENT"):
        assert (event.decoded("DTEND") - event.decoded("DTSTART")).days == 1


def test_the_calendar_is_swedish_when_asked_in_swedish(client, demo):
    response = client.get(f"{BASE}/calendar.ics", headers={"Accept-Language": "sv"})
    calendar = icalendar.Calendar.from_ical(response.content)
    assert response["Content-Language"] == "sv"
    summaries = [str(c["SUMMARY"]) for c in calendar.walk("VJOURNAL")]
    assert "Kommunalt partnerskap med Moshi upphör" in summaries


# --- CSV --------------------------------------------------------------------------------------


def test_the_csv_has_labels_in_the_requested_language_and_date_bounds(client, demo):
    text = client.get(f"{BASE}/relations.csv", headers={"Accept-Language": "en"}).content
    rows = list(csv.DictReader(io.StringIO(text.decode(), newline="")))
    moshi = rows[1]
    assert moshi["agreement_kind"] == "kommunalt-partnerskap"
    assert moshi["agreement_kind_label"] == "municipal partnership"
    assert moshi["focus_areas"] == "utbildning; demokrati"
    assert moshi["focus_area_labels"] == "education; democracy"
    assert (moshi["agreement_start_earliest"], moshi["agreement_start_latest"]) == (
        "2008-01-01",
        "2008-12-31",
    )
    gentofte = rows[2]
    assert gentofte["relation_since"] == "194X"
    assert (gentofte["relation_since_earliest"], gentofte["relation_since_latest"]) == (
        "1940-01-01",
        "1949-12-31",
    )
    swedish = client.get(f"{BASE}/relations.csv", headers={"Accept-Language": "sv"}).content
    rows = list(csv.DictReader(io.StringIO(swedish.decode(), newline="")))
    assert rows[1]["agreement_kind_label"] == "kommunalt partnerskap"


# --- QuickStatements ------------------------------------------------------------------------


def test_quickstatements_say_what_was_left_out_and_why(client, demo):
    text = client.get(f"{BASE}/wikidata.qs").content.decode()
    assert text.strip()
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("has no Wikidata id" in line for line in comments)
    assert text.splitlines()[0].startswith("#")


# --- JSON-LD --------------------------------------------------------------------------------


def test_json_ld_has_one_id_per_thing_in_both_languages_and_same_as_wikidata(client, demo):
    Place.objects.filter(name="Asti").update(wikidata_id="Q16160")

    def graph(lang):
        from tests.test_discovery import read_head

        head = read_head(client, f"/{lang}/halmstad/")
        (block,) = [text for kind, text in head.scripts if kind == "application/ld+json"]
        return jsonld.expand(json.loads(block))

    swedish, english = graph("sv"), graph("en")
    assert [node["@id"] for node in swedish] == [node["@id"] for node in english]
    api = jsonld.expand(client.get(f"{BASE}/jsonld").json())
    assert [node["@id"] for node in api] == [node["@id"] for node in swedish]
    ids = [node["@id"] for node in api]
    assert len(ids) == len(set(ids))
    asti = next(n for n in api if n.get("https://schema.org/name", [{}])[0].get("@value") == "Asti")
    assert asti["https://schema.org/sameAs"] == [{"@id": "http://www.wikidata.org/entity/Q16160"}]
    (dataset,) = [n for n in api if n["@type"] == ["https://schema.org/Dataset"]]
    downloads = dataset["https://schema.org/distribution"]
    assert all(d["@type"] == ["https://schema.org/DataDownload"] for d in downloads)
    formats = {d["https://schema.org/encodingFormat"][0]["@value"] for d in downloads}
    assert {"text/csv", "application/geo+json", "text/calendar"} <= formats


# --- OpenAPI --------------------------------------------------------------------------------


def test_the_openapi_document_is_valid_and_says_what_clients_need(client, db):
    document = client.get("/api/openapi.json").json()
    validate(document)
    assert document["servers"] and document["info"]["license"]["url"]
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert all(op["security"] == [] for op in operations)
    for op in operations:
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"]
            if status == "200":
                assert "ETag" in response["headers"]
                for content in response.get("content", {}).values():
                    assert content["schema"] != {"type": "object"}  # never untyped
    place = document["components"]["schemas"]["PlaceOut"]["properties"]
    types = {json.dumps(place[name], sort_keys=True) for name in ("latitude", "longitude")}
    assert all('"number"' in t and '"string"' not in t for t in types)
    assert '"null"' in json.dumps(place["wikidata_id"])
    for path in ("/api/pairs.csv", "/api/places.csv", "/api/pairs.geojson", "/datasets/dcat"):
        assert path in document["info"]["description"]


def test_the_api_gives_coordinates_as_numbers_and_no_empty_wikidata_id(client, demo):
    place = client.get(f"/api/places/{demo.place_id}").json()
    assert isinstance(place["latitude"], float)
    moshi = Place.objects.get(name="Moshi")
    assert client.get(f"/api/places/{moshi.pk}").json()["wikidata_id"] in (None, moshi.wikidata_id)
    if not moshi.wikidata_id:
        assert client.get(f"/api/places/{moshi.pk}").json()["wikidata_id"] is None


def test_the_register_schema_id_is_the_url_it_is_served_from(client, db):
    response = client.get("/api/schemas/register-1.json")
    assert response.json()["$id"] == "http://testserver/api/schemas/register-1.json"


# --- DCAT-AP-SE -------------------------------------------------------------------------------


def test_the_dcat_catalogue_has_dcat_ap_se_mandatory_properties(client, demo):
    response = client.get("/datasets/dcat")
    assert response["Content-Type"].startswith("application/rdf+xml")
    graph = Graph().parse(data=response.content, format="xml")
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    for predicate in (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.publisher,
        DCAT.dataset,
        DCTERMS.license,
    ):
        assert graph.value(catalog, predicate) is not None, predicate
    datasets = set(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == 2  # Halmstad's register and the national pairs
    assert URIRef("http://testserver/api/pairs#dataset") in datasets
    for dataset in datasets:
        assert (dataset, RDF.type, DCAT.Dataset) in graph
        for predicate in (
            DCTERMS.title,
            DCTERMS.description,
            DCTERMS.publisher,
            DCAT.contactPoint,
            DCAT.theme,
        ):
            assert graph.value(dataset, predicate) is not None, (dataset, predicate)
        for distribution in graph.objects(dataset, DCAT.distribution):
            assert graph.value(distribution, DCAT.accessURL) is not None
            assert graph.value(distribution, DCTERMS.license) is not None
            assert graph.value(distribution, DCTERMS.format) is not None
    halmstad = URIRef("http://testserver/api/organisations/halmstad#dataset")
    formats = {
        str(graph.value(d, DCTERMS.format)).rsplit("/", 1)[-1]
        for d in graph.objects(halmstad, DCAT.distribution)
    }
    assert formats == {"JSON", "CSV", "GEOJSON", "ICS", "JSON_LD"}
    urls = {str(graph.value(d, DCAT.accessURL)) for d in graph.objects(halmstad, DCAT.distribution)}
    assert "http://testserver/api/organisations/halmstad/register.json" in urls
    print(f"DCAT triples: {len(graph)}")


def test_the_page_links_the_catalogue_in_its_head(client, demo):
    html = client.get("/sv/halmstad/").content.decode()
    assert 'type="application/rdf+xml" href="/datasets/dcat"' in html
