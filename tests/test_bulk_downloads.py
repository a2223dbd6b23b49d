"""Bulk downloads of the national data (issue 13): streamed, with the filters of the
JSON lists, formula-safe."""

from __future__ import annotations

import csv
import io
import json

from interop.models import ReportedPair
from register.models import Place, Source


def some_pairs(demo) -> list[ReportedPair]:
    source = Source.objects.create(title="Wikipedia", url="https://en.wikipedia.org/")
    home = demo.place
    partners = list(Place.objects.exclude(pk=home.pk).order_by("name"))
    return [
        ReportedPair.objects.create(place_a=home, place_b=p, source=source, start="1994")
        for p in partners
    ]


def body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_it_streams_all_pairs_as_csv_with_the_list_filters(client, demo):
    pairs = some_pairs(demo)
    response = client.get("/api/pairs.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body(response), newline="")))
    assert len(rows) == len(pairs) == client.get("/api/pairs").json()["count"]
    assert rows[0]["start"] == "1994"
    assert (rows[0]["start_earliest"], rows[0]["start_latest"]) == ("1994-01-01", "1994-12-31")
    italy = list(csv.DictReader(io.StringIO(body(client.get("/api/pairs.csv?country=IT")))))
    assert [r["place_b_name"] for r in italy] == ["Asti"]
    assert len(italy) == client.get("/api/pairs?country=IT").json()["count"]
    assert client.get("/api/pairs.csv?country=Italy").status_code == 422


def test_it_streams_places_as_csv_formula_safe(client, demo):
    Place.objects.filter(name="Stord").update(region="=1+1")
    response = client.get("/api/places.csv?q=stord")
    rows = list(csv.DictReader(io.StringIO(body(response), newline="")))
    assert [r["name"] for r in rows] == ["Stord"]
    assert rows[0]["region"] == "'=1+1"
    every = list(csv.DictReader(io.StringIO(body(client.get("/api/places.csv")))))
    assert len(every) == client.get("/api/places").json()["count"]


def test_it_streams_all_pairs_as_geojson(client, demo):
    pairs = some_pairs(demo)
    data = json.loads(body(client.get("/api/pairs.geojson")))
    assert data["type"] == "FeatureCollection"
    assert sorted(f["id"] for f in data["features"]) == sorted(f"pair/{p.pk}" for p in pairs)
    one = json.loads(body(client.get(f"/api/pairs.geojson?place={pairs[0].place_b_id}")))
    assert len(one["features"]) == 1
