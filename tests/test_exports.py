"""Each export of an organisation's published register, read back by an independent
parser: the csv module, JSON Schema for GeoJSON, vobject for iCalendar, pyld for JSON-LD."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
import vobject
from pyld import jsonld

from opendata.exports import _line
from register.models import Activity, Relation

DATA = Path(__file__).parent / "data"
BASE = "/api/organisations/halmstad"


def test_it_exports_relations_as_utf8_csv(client, demo):
    response = client.get(f"{BASE}/relations.csv")
    assert response["Content-Type"].startswith("text/csv; charset=utf-8")
    text = response.content.decode("utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["partner"] for row in rows] == ["Asti", "Moshi", "Gentofte", "Hanko", "Stord"]
    moshi = rows[1]
    assert moshi["agreement_kind"] == "kommunalt-partnerskap"
    assert (moshi["agreement_start"], moshi["agreement_end"]) == ("2008", "2012")
    assert moshi["partner_latitude"] == "-3.334900"
    assert moshi["funding"] == "Sida 100 %"
    assert rows[3]["partner_names"] == "fi:Hanko; sv:Hangö"
    assert rows[2]["relation_since"] == "194X"


def test_it_exports_csv_that_swedish_excel_opens_directly(client, demo):
    raw = client.get(f"{BASE}/relations-excel.csv").content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    moshi = rows[1]
    assert moshi["partner_latitude"] == "-3,334900"  # decimal comma
    assert moshi["partner_longitude"] == "37,340400"
    assert moshi["focus_areas"] == "utbildning; demokrati"  # quoted: it holds the separator
    assert rows[3]["partner"] == "Hanko"


def test_neither_csv_runs_a_formula(client, demo):
    """A place's region written as a formula (OWASP "CSV injection")."""
    Place = Relation._meta.get_field("partner").related_model
    Place.objects.filter(name="Stord").update(region='=HYPERLINK("http://x.example","Stord")')
    excel = client.get(f"{BASE}/relations-excel.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(excel, newline=""), delimiter=";"))
    assert rows[4]["partner_region"] == '\'=HYPERLINK("http://x.example","Stord")'
    assert rows[1]["partner_latitude"] == "-3,334900"  # a negative number stays a number
    plain = client.get(f"{BASE}/relations.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(plain, newline="")))
    # LibreOffice runs a formula from the plain CSV too (issue 13): it is defused as well.
    assert rows[4]["partner_region"] == '\'=HYPERLINK("http://x.example","Stord")'
    assert rows[1]["partner_latitude"] == "-3.334900"


def test_it_exports_geojson_by_rfc_7946(client, demo):
    response = client.get(f"{BASE}/relations.geojson")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    schema = json.loads((DATA / "geojson-rfc7946.schema.json").read_text())
    jsonschema.validate(data, schema)
    points = [f for f in data["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in data["features"] if f["geometry"]["type"] == "LineString"]
    assert {p["properties"]["name"] for p in points} == {
        "Halmstad",
        "Asti",
        "Moshi",
        "Gentofte",
        "Hanko",
        "Stord",
    }
    moshi = next(p for p in points if p["properties"]["name"] == "Moshi")
    assert moshi["geometry"]["coordinates"] == [37.3404, -3.3349]  # longitude first
    assert len(lines) == 5
    asti = next(line for line in lines if line["properties"]["partner"] == "Asti")
    assert asti["properties"]["since_sv"] == "sedan 2009 eller tidigare"
    assert asti["geometry"]["coordinates"][0] == [12.8572, 56.6739]


def test_it_cuts_a_line_at_the_antimeridian():
    line = _line([170.0, 10.0], [-170.0, 20.0])
    assert line["type"] == "MultiLineString"
    (first, second) = line["coordinates"]
    assert first == [[170.0, 10.0], [180.0, 15.0]]
    assert second == [[-180.0, 15.0], [-170.0, 20.0]]


def test_it_exports_an_icalendar_with_activities_and_agreement_dates(client, demo):
    # Issue 13: only a date that is a day becomes an event; October 2010 or the year 2012
    # are notes (VJOURNAL), never month- or year-long events.
    demo.activities.update(date="2010-10-14")
    response = client.get(f"{BASE}/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = vobject.readOne(response.content.decode("utf-8"))
    assert calendar.version.value == "2.0"
    assert calendar.vtimezone.tzid.value == "Europe/Stockholm"
    events = {event.uid.value.split("@")[0]: event for event in calendar.vevent_list}
    meeting = events[f"activity-{demo.activities.get().pk}"]
    assert meeting.summary.value == "Medborgarmöte med Asti"
    assert str(meeting.dtstart.value) == "2010-10-14"
    assert str(meeting.dtend.value) == "2010-10-15"
    assert meeting.dtstamp.value.utcoffset().total_seconds() == 0
    moshi = Relation.objects.get(partner__name="Moshi").agreements.get()
    notes = {note.uid.value.split("@")[0]: note for note in calendar.vjournal_list}
    end = notes[f"agreement-{moshi.pk}-end"]
    assert end.summary.value == "Kommunalt partnerskap med Moshi upphör"
    assert not hasattr(end, "dtstart")
    # The Stockholm zone as vobject reads it: summer time in July, not in January.
    tz = calendar.vtimezone.gettzinfo()
    from datetime import datetime

    assert tz.utcoffset(datetime(2026, 7, 1, 12)).total_seconds() == 7200
    assert tz.utcoffset(datetime(2026, 1, 1, 12)).total_seconds() == 3600


def test_it_leaves_drafts_out_of_every_export(client, demo):
    Relation.objects.filter(partner__name="Stord").update(is_published=False)
    Activity.objects.update(is_published=False)
    for name in ("relations.csv", "relations.geojson", "calendar.ics", "jsonld", "register.json"):
        body = client.get(f"{BASE}/{name}").content.decode("utf-8")
        assert "Stord" not in body, name
        assert "Medborgarmöte" not in body, name


def expand(document: dict) -> list:
    def no_remote_contexts(url, options=None):
        raise AssertionError(f"the document should need no remote context, asked for {url}")

    return jsonld.expand(document, {"documentLoader": no_remote_contexts})


SCHEMA = "https://schema.org/"


def test_it_describes_the_organisation_as_schema_org_json_ld(client, demo):
    """Issue 13: the hours on the town hall (a GovernmentOffice), not the organisation;
    partners by a property that means twinning (Wikidata P190), not knowsAbout."""
    response = client.get(f"{BASE}/jsonld")
    assert response["Content-Type"] == "application/ld+json"
    expanded = expand(json.loads(response.content))
    by_type = {}
    for node in expanded:
        by_type.setdefault(node["@type"][0].removeprefix(SCHEMA), []).append(node)
    (organisation,) = by_type["GovernmentOrganization"]
    assert organisation[f"{SCHEMA}telephone"][0]["@value"] == "035-13 70 00"
    assert organisation[f"{SCHEMA}email"][0]["@value"] == "direkt@halmstad.se"
    address = organisation[f"{SCHEMA}address"][0]
    assert address[f"{SCHEMA}postalCode"][0]["@value"] == "301 05"
    assert f"{SCHEMA}openingHoursSpecification" not in organisation
    (town_hall,) = by_type["GovernmentOffice"]
    assert organisation[f"{SCHEMA}location"][0]["@id"] == town_hall["@id"]
    hours = town_hall[f"{SCHEMA}openingHoursSpecification"]
    monday_to_thursday = hours[0]
    assert [d["@id"] for d in monday_to_thursday[f"{SCHEMA}dayOfWeek"]] == [
        f"{SCHEMA}Monday",
        f"{SCHEMA}Tuesday",
        f"{SCHEMA}Wednesday",
        f"{SCHEMA}Thursday",
    ]
    assert monday_to_thursday[f"{SCHEMA}opens"][0]["@value"] == "08:00"
    assert hours[1][f"{SCHEMA}closes"][0]["@value"] == "16:00"
    cities = {city["@id"]: city for city in by_type["City"]}
    home = cities[organisation[f"{SCHEMA}areaServed"][0]["@id"]]
    twins = [cities[t["@id"]] for t in home["http://www.wikidata.org/prop/direct/P190"]]
    names = [p[f"{SCHEMA}name"][0]["@value"] for p in twins]
    assert names == ["Asti", "Moshi", "Gentofte", "Hanko", "Stord"]
    hanko = twins[3]
    assert hanko[f"{SCHEMA}alternateName"][1]["@value"] == "Hangö"
    assert f"{SCHEMA}knowsAbout" not in organisation


@pytest.mark.parametrize("name", ["relations.csv", "relations.geojson", "calendar.ics", "jsonld"])
def test_it_answers_404_for_an_unknown_organisation(client, db, name):
    assert client.get(f"/api/organisations/nowhere/{name}").status_code == 404


def test_it_answers_304_for_an_unchanged_export(client, demo):
    first = client.get(f"{BASE}/calendar.ics")
    again = client.get(f"{BASE}/calendar.ics", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
