"""HTTP as open-data clients expect it: CORS for the read-only open data (never the
admin or the reports), HEAD wherever GET is served, gzip, problem details for errors,
Last-Modified that moves on deletes, ETag and Cache-Control on openapi.json."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from django.utils.http import http_date

from register.models import Activity, Relation

ORIGIN = "https://map.example.org"
OPEN_DATA = [
    "/api/relations",
    "/api/organisations/halmstad/relations.csv",
    "/api/organisations/halmstad/calendar.ics",
    "/api/openapi.json",
    "/datasets/dcat",
]


@pytest.mark.parametrize("url", OPEN_DATA)
def test_it_lets_any_origin_read_the_open_data(client, demo, url):
    response = client.get(url, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "last-modified"} <= exposed


@pytest.mark.parametrize("url", OPEN_DATA)
def test_it_answers_a_cors_preflight(client, demo, url):
    response = client.options(
        url,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code in (200, 204)
    assert response["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in response["Access-Control-Allow-Headers"].lower()


@pytest.mark.parametrize("url", ["/admin/", "/admin/login/", "/sv/halmstad/", "/sv/rapporter/"])
def test_it_never_opens_the_admin_the_reports_or_the_pages_to_other_origins(client, demo, url):
    response = client.get(url, headers={"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in response
    preflight = client.options(
        url, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in preflight


@pytest.mark.parametrize(
    "url",
    [
        "/api/relations",
        "/api/places/1",
        "/api/organisations/halmstad/relations.geojson",
        "/api/organisations/halmstad/wikidata.qs",
        "/api/pairs.csv",
        "/api/openapi.json",
        "/sv/halmstad/",
        "/en/halmstad/",
        "/sv/halmstad/open-now.json",
    ],
)
def test_it_answers_head_wherever_it_answers_get(client, demo, url):
    if url == "/api/places/1":
        url = f"/api/places/{demo.place_id}"
    get = client.get(url)
    head = client.head(url)
    assert get.status_code == 200
    assert head.status_code == 200
    assert (b"".join(head.streaming_content) if head.streaming else head.content) == b""
    assert head["Content-Type"] == get["Content-Type"]
    if get.has_header("ETag"):
        assert head["ETag"] == get["ETag"]
    if not get.streaming:
        assert head["Content-Length"] == str(len(get.content))


def test_it_compresses_text_answers_and_not_tiny_ones(client, demo):
    response = client.get("/api/relations", headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert b'"items"' in gzip.decompress(response.content)
    assert "Accept-Encoding" in response["Vary"]
    page = client.get("/sv/halmstad/", headers={"Accept-Encoding": "gzip"})
    assert page["Content-Encoding"] == "gzip"
    small = client.get(f"/api/places/{demo.place_id}", headers={"Accept-Encoding": "gzip"})
    assert len(small.content) > 0
    plain = client.get("/api/relations")
    assert "Content-Encoding" not in plain


def test_it_does_not_compress_a_page_with_a_csrf_token(client, demo):
    """BREACH: a page holding the CSRF token (the feedback form) is sent uncompressed."""
    response = client.get("/sv/halmstad/tillganglighet/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert "Content-Encoding" not in response


@pytest.mark.parametrize(
    "url,status",
    [
        ("/api/organisations/nowhere", 404),
        ("/api/organisations/nowhere/relations.csv", 404),
        ("/api/no-such-path", 404),
        ("/api/relations?page_size=101", 422),
        ("/api/relations?status=sleeping", 422),
    ],
)
def test_every_api_error_is_a_problem_detail(client, demo, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    assert isinstance(body["detail"], str) and body["detail"]


def test_a_method_not_allowed_is_a_problem_detail(client, demo):
    response = client.post("/api/relations", data={})
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Method Not Allowed"


@pytest.mark.parametrize(
    "url",
    [
        "/api/relations",
        "/api/activities",
        "/api/organisations/halmstad/calendar.ics",
        "/api/organisations/halmstad/relations.csv",
    ],
)
def test_last_modified_moves_when_a_record_is_deleted(client, demo, url, time_machine):
    time_machine.move_to("2030-01-01T12:00:00Z")
    first = client.get(url)
    since = first["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": since}).status_code == 304
    time_machine.move_to("2030-01-02T12:00:00Z")
    if "activities" in url or "calendar" in url:
        Activity.objects.filter(organisation=demo).first().delete()
    else:
        Relation.objects.filter(organisation=demo, partner__name="Stord").get().delete()
    after = client.get(url, headers={"If-Modified-Since": since})
    assert after.status_code == 200
    assert after["Last-Modified"] == http_date(datetime(2030, 1, 2, 12, tzinfo=UTC).timestamp())


def test_openapi_json_has_an_etag_and_cache_control(client, db):
    first = client.get("/api/openapi.json")
    assert first["ETag"] and "max-age" in first["Cache-Control"]
    again = client.get("/api/openapi.json", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
