"""The read-only JSON API, from the outside: the test client against /api/."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from register.models import Agreement, AgreementKind, Place, PlaceName, Relation


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    return response


def test_it_lists_relations_with_agreements_and_imprecise_dates(client, demo):
    data = client.get("/api/relations?organisation=halmstad").json()
    assert data["count"] == 5
    partners = [item["partner"]["name"] for item in data["items"]]
    assert partners == ["Asti", "Moshi", "Gentofte", "Hanko", "Stord"]
    moshi = data["items"][1]
    agreement = moshi["agreements"][0]
    assert agreement["kind"]["code"] == "kommunalt-partnerskap"
    assert agreement["start"]["edtf"] == "2008"
    assert agreement["end"]["edtf"] == "2012"  # start plus a four-year term
    # A number, as every numeric field is (issue 13: one type per field).
    assert agreement["funding"] == [{"funder": "Sida", "share_percent": 100.0}]
    gentofte = data["items"][2]
    assert gentofte["since"]["precision"] == "decade"
    assert gentofte["since"]["text_sv"] == "1940-talet"
    assert data["items"][3]["partner"]["names"]["sv"] == "Hangö"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=tz", ["Moshi"]),
        ("kind=samarbetsavtal", ["Gentofte", "Hanko"]),
        ("focus_area=demokrati", ["Moshi"]),
        ("status=ended&on=2026-01-01", ["Moshi"]),
        ("status=active&on=2010-06-01", ["Asti", "Moshi", "Gentofte", "Hanko", "Stord"]),
        ("status=upcoming&on=2008-06-01", ["Asti"]),
        ("q=hang%C3%B6", ["Hanko"]),  # the Swedish name of Hanko
        ("q=STORD", ["Stord"]),
    ],
)
def test_it_filters_relations(client, demo, query, expected):
    data = client.get(f"/api/relations?{query}").json()
    assert [item["partner"]["name"] for item in data["items"]] == expected


def test_it_pages_in_a_stable_order_with_bounded_page_size(client, demo):
    first = client.get("/api/relations?page_size=2").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    names = [i["partner"]["name"] for page in (first, second, third) for i in page["items"]]
    assert names == ["Asti", "Moshi", "Gentofte", "Hanko", "Stord"]
    assert third["next"] is None and second["previous"].endswith("page=1")
    too_big = client.get("/api/relations?page_size=101")
    assert too_big.status_code == 422
    assert too_big["Content-Type"] == "application/problem+json"
    assert too_big.json()["errors"][0]["loc"][-1] == "page_size"
    assert client.get("/api/relations?page=0").status_code == 422
    assert client.get("/api/relations?page=99").json()["items"] == []


def test_it_never_shows_drafts(client, demo):
    stord = Relation.objects.get(partner__name="Stord")
    stord.is_published = False
    stord.save()
    moshi_agreement = Agreement.objects.get(relation__partner__name="Moshi")
    moshi_agreement.is_published = False
    moshi_agreement.save()
    demo.activities.update(is_published=False)
    relations = client.get("/api/relations").json()
    assert "Stord" not in [item["partner"]["name"] for item in relations["items"]]
    moshi = next(i for i in relations["items"] if i["partner"]["name"] == "Moshi")
    assert moshi["agreements"] == []
    assert client.get(f"/api/relations/{stord.pk}").status_code == 404
    assert client.get("/api/activities").json()["count"] == 0
    assert client.get("/api/relations?kind=kommunalt-partnerskap").json()["count"] == 0


def test_it_answers_404_and_422_as_declared(client, demo):
    missing = client.get("/api/organisations/nowhere")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert missing.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No such record.",
    }
    assert client.get("/api/relations/999999").status_code == 404
    assert client.get("/api/relations?status=sleeping").status_code == 422
    assert client.get("/api/relations?country=Sweden").status_code == 422
    assert client.get("/api/places/0").status_code == 422


def test_it_answers_304_to_a_client_with_a_current_copy(client, demo):
    first = client.get("/api/relations")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get("/api/relations", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/api/relations", headers={"If-Modified-Since": modified}).status_code == 304
    relation = Relation.objects.get(partner__name="Asti")
    relation.description_en = "Changed."
    relation.save()
    again = client.get("/api/relations", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert again["ETag"] != etag


def _more_relations(organisation, count: int) -> None:
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    for n in range(count):
        place = Place.objects.create(name=f"Partner {n}", country="DE")
        PlaceName.objects.create(place=place, language="sv", name=f"Partnerstad {n}")
        relation = Relation.objects.create(organisation=organisation, partner=place, order=10 + n)
        Agreement.objects.create(relation=relation, kind=kind, start="2020")


@pytest.mark.parametrize(
    "url",
    [
        "/api/relations?page_size={size}",
        "/api/places?page_size={size}",
        "/api/activities?page_size={size}",
        "/api/organisations?page_size={size}",
        "/api/sources?page_size={size}",
        "/api/pairs?page_size={size}",
    ],
)
def test_it_issues_as_many_queries_for_a_long_page_as_for_a_short_one(client, demo, url):
    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url.format(size=size)).status_code == 200
        return len(captured)

    small = queries(2)
    _more_relations(demo, 30)
    assert queries(2) == small
    assert queries(100) == small


def test_it_issues_as_many_queries_for_an_export_whatever_the_data(client, demo):
    urls = [
        "/api/organisations/halmstad/relations.csv",
        "/api/organisations/halmstad/relations.geojson",
        "/api/organisations/halmstad/calendar.ics",
        "/api/organisations/halmstad/jsonld",
    ]

    def queries() -> list[int]:
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    before = queries()
    _more_relations(demo, 20)
    assert queries() == before


def test_it_publishes_an_openapi_31_document_with_every_answer_declared(client, db):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    relations = document["paths"]["/api/relations"]["get"]
    assert {"200", "304", "422"} <= set(relations["responses"])
    organisation = document["paths"]["/api/organisations/{slug}"]["get"]
    assert {"200", "304", "404", "422"} <= set(organisation["responses"])
    page_size = next(p for p in relations["parameters"] if p["name"] == "page_size")
    assert page_size["schema"]["maximum"] == 100 and page_size["schema"]["minimum"] == 1
    csv_answer = document["paths"]["/api/organisations/{slug}/relations.csv"]["get"]
    assert "text/csv" in csv_answer["responses"]["200"]["content"]


def test_it_serves_the_api_docs_from_its_own_static_files(client, db):
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "https://" not in page and "http://" not in page
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_it_finds_chains_and_reciprocity_from_outside_data(client, demo, tmp_path):
    from interop.pairs import import_pairs

    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "city1,country1,lat1,lng1,city2,country2,lat2,lng2\n"
        "Gentofte,Denmark,55.7536,12.5414,Halmstad,Sweden,56.6739,12.8572\n"
        "Hanko,Finland,59.8228,22.9695,Halmstad,Sweden,56.6739,12.8572\n"
        "Stord,Norway,59.825,5.4884,Halmstad,Sweden,56.6739,12.8572\n"
        "Gentofte,Denmark,55.7536,12.5414,Hanko,Finland,59.8228,22.9695\n"
        "Gentofte,Denmark,55.7536,12.5414,Stord,Norway,59.825,5.4884\n"
        "Hanko,Finland,59.8228,22.9695,Stord,Norway,59.825,5.4884\n"
        "Halmstad,Sweden,56.6739,12.8572,Nikopol,Ukraine,47.5692,34.3917\n",
        encoding="utf-8",
    )
    import_pairs(pairs)
    halmstad = demo.place
    chains = client.get(f"/api/chains?place={halmstad.pk}").json()
    assert chains["count"] == 1
    names = sorted(place["name"] for place in chains["items"][0]["places"])
    assert names == ["Gentofte", "Halmstad", "Hanko", "Stord"]
    result = client.get("/api/organisations/halmstad/reciprocity").json()
    assert [p["name"] for p in result["reported_not_in_register"]] == ["Nikopol"]
    assert [p["name"] for p in result["in_register_not_reported"]] == ["Asti", "Moshi"]
    pairs_page = client.get(f"/api/pairs?place={halmstad.pk}").json()
    assert pairs_page["count"] == 4
