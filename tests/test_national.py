"""The national register (issue 16): search over every name, every filter, the two
sources kept apart, place and country pages, statistics against counts computed here,
downloads per filter state, and a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interop.models import ReportedPair
from national.counties import COUNTIES, county_of, municipalities
from register.models import (
    Activity,
    ActivityKind,
    Agreement,
    AgreementKind,
    AgreementStatus,
    FocusArea,
    Place,
    PlaceName,
    Relation,
    Source,
)

TODAY = date(2026, 6, 18)


@pytest.fixture(autouse=True)
def _pinned_day():
    with time_machine.travel("2026-06-18 12:00 +02:00", tick=False):
        yield


def wikipedia() -> Source:
    return Source.objects.get_or_create(
        organisation=None,
        url="https://github.com/Hekman/twincities",
        defaults={"title": "Wikipedia: lists of twin towns", "publisher": "Wikipedia"},
    )[0]


def reported(one: Place, other: Place, source: Source | None = None) -> ReportedPair:
    a, b = sorted([one, other], key=lambda p: p.pk)
    return ReportedPair.objects.create(place_a=a, place_b=b, source=source or wikipedia())


def place(name: str, country: str, lat="50.0", lon="10.0") -> Place:
    return Place.objects.create(name=name, country=country, latitude=lat, longitude=lon)


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_it_serves_the_register_in_swedish_and_english(client, demo):
    sv = client.get("/sv/register/")
    en = client.get("/en/register/")
    assert sv.status_code == en.status_code == 200
    assert "Sveriges vänorter: det nationella registret" in text(sv)
    assert "Sweden’s twin towns: the national register" in text(en)
    assert "5 förbindelser i kommunernas egna register" in text(sv)
    for partner in ("Asti", "Moshi", "Gentofte", "Hangö", "Stord"):
        assert partner in text(sv)
    assert 'href="/sv/halmstad/"' in sv.content.decode()  # the municipality's page
    asti = Place.objects.get(name="Asti")
    assert f'href="/sv/register/ort/{asti.pk}/"' in sv.content.decode()  # the partner's
    assert 'href="/sv/halmstad/vanorter/asti/"' in sv.content.decode()


def test_it_is_not_served_by_a_single_municipality_installation(client, demo, settings):
    settings.VANORT_NATIONAL = False
    assert client.get("/sv/register/").status_code == 404
    assert client.get("/api/national/statistics").status_code == 404
    assert client.get("/sv/").status_code == 302  # "/" stays the municipality's page


@pytest.mark.parametrize(
    "query, found",
    [
        ("Hangö", True),  # the Swedish name
        ("hanko", True),  # the local name, any case
        ("hango", True),  # without diacritics (FTS5's unicode61; PostgreSQL's unaccent)
        ("HANGÖ", True),  # upper case with diacritics
        ("Gentöfte", True),  # a diacritic the name has not: folded on both sides
        ("gent", True),  # the start of a word
        ("Halmstad", True),  # the municipality's side
        ("Nowhere", False),
    ],
)
def test_it_finds_a_place_by_any_of_its_names(client, demo, query, found):
    page = text(client.get("/en/register/", {"q": query}))
    if not found:
        assert "0 relations in the municipalities’ own registers" in page
    elif query in ("Hangö", "hanko", "hango", "HANGÖ"):
        assert "1 relation in the municipalities’ own registers" in page
        assert "Hanko" in page and "Asti" not in page
    elif query in ("gent", "Gentöfte"):
        assert "Gentofte" in page and "Stord" not in page
    else:
        assert "5 relations" in page


def test_search_follows_a_name_added_or_renamed_later(client, demo):
    asti = Place.objects.get(name="Asti")
    PlaceName.objects.create(place=asti, language="la", name="Hasta Pompeia")
    assert "1 relation in" in text(client.get("/en/register/", {"q": "pompeia"}))
    Place.objects.filter(pk=asti.pk).update(name="Asti città")
    assert "1 relation in" in text(client.get("/en/register/", {"q": "città"}))


def count_of(client, **params) -> str:
    page = text(client.get("/en/register/", params))
    import re

    match = re.search(r"<h2 id=\"results-heading\">(\d+) (?:relation|pair)", page)
    return int(match.group(1))


def test_every_filter_narrows_the_list(client, demo, other_municipality):
    halmstad = demo.place
    Relation.objects.filter(organisation=other_municipality).update(is_published=True)
    assert count_of(client) == 6
    assert count_of(client, municipality=halmstad.pk) == 5
    assert count_of(client, county="N") == 6  # Halmstad and Varberg: Hallands län
    assert count_of(client, county="AB") == 0
    assert count_of(client, country="IT") == 1
    assert count_of(client, country="DK") == 2  # Gentofte, Sonderborg
    assert count_of(client, kind="samarbetsavtal") == 2
    assert count_of(client, focus="utbildning") == 2  # Asti, Moshi
    # Moshi's partnership (2008 + four years) ended in 2012; Varberg has no agreement.
    assert count_of(client, status="ended") == 1
    assert count_of(client, status="active") == 4
    assert count_of(client, county="N", kind="samarbetsavtal", country="FI") == 1


def test_an_unknown_filter_value_is_reported_not_used(client, demo):
    page = text(client.get("/en/register/", {"country": "XX", "kind": "nonsense"}))
    assert "Some filters were not used" in page
    assert "5 relations" in page


def test_reported_pairs_are_listed_apart_and_labelled(client, demo):
    nikopol = place("Nikopol", "UA", "47.57", "34.39")
    reported(demo.place, nikopol)
    reported(demo.place, Place.objects.get(name="Gentofte"))
    own = text(client.get("/en/register/"))
    assert "Nikopol" not in own
    assert "See the 2 pairs reported by Wikipedia/Wikidata" in own
    listed = text(client.get("/en/register/", {"source": "reported"}))
    assert "2 pairs reported by Wikipedia/Wikidata" in listed
    assert "Nikopol" in listed and "Reported: Wikipedia: lists of twin towns" in listed
    assert "Own register:" not in listed and "Asti" not in listed
    assert count_of(client, source="reported", country="UA") == 1
    assert count_of(client, source="reported", county="N") == 2
    assert count_of(client, source="reported", q="nikopol") == 1
    # Wikipedia does not report kinds, focus areas or status: none of its pairs match.
    assert count_of(client, source="reported", kind="samarbetsavtal") == 0


def test_a_pair_between_two_foreign_places_is_not_national(client, demo):
    reported(place("Lyon", "FR"), place("Birmingham", "GB"))
    assert count_of(client, source="reported") == 0


def test_the_map_clusters_the_partners_in_one_svg_without_tiles(client, demo):
    page = client.get("/en/register/").content.decode()
    assert page.count('<svg role="img"') == 1
    assert "5 partner places, drawn in" in page
    assert 'class="map-cluster' in page
    assert "tile" not in page.lower() and "https://" not in page.split("<svg", 1)[1][:200]
    # Gentofte lies within a cell of nothing else; Moshi far away: at least 3 groups.
    assert page.count("<circle") >= 3


def test_every_filter_state_has_its_csv_and_geojson(client, demo):
    page = client.get("/en/register/", {"country": "FI"}).content.decode()
    assert 'href="/en/register/export.csv?country=FI"' in page
    assert 'href="/en/register/export.geojson?country=FI"' in page
    rows = list(csv.DictReader(io.StringIO(client.get("/en/register/export.csv?country=FI")
                                           .content.decode())))  # fmt: skip
    assert [(r["municipality"], r["partner"], r["source"], r["county"]) for r in rows] == [
        ("Halmstad Municipality", "Hanko", "own", "Halland County")
    ]
    geo = json.loads(client.get("/en/register/export.geojson").content)
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 5
    assert {f["properties"]["source"] for f in geo["features"]} == {"own"}


def test_pages_of_twenty_five_link_to_each_other(client, demo):
    kind = AgreementKind.objects.get(code="vanortsavtal")
    for n in range(60):
        rel = Relation.objects.create(
            organisation=demo, partner=place(f"Stad {n}", "DE"), is_published=True
        )
        Agreement.objects.create(relation=rel, kind=kind, start="2000", is_published=True)
    first = client.get("/en/register/", {"country": "DE"}).content.decode()
    assert "Page 1 of 3" in first and 'href="?country=DE&amp;page=2"' in first
    third = client.get("/en/register/", {"country": "DE", "page": 3}).content.decode()
    assert "Page 3 of 3" in third and third.count("<tr>") == 10 + 1
    # The country page shows the first 25 and links to all 60 in the register.
    country = client.get("/en/register/country/de/").content.decode()
    assert country.count("<tr>") == 6 + 1 + 25  # its figures, the header, one page
    assert 'href="/en/register/?country=DE">All 60 relations in the register' in country


def test_the_place_page_names_every_swedish_twinning_with_its_source(client, demo):
    asti = Place.objects.get(name="Asti")
    reported(demo.place, asti)
    page = text(client.get(f"/sv/register/ort/{asti.pk}/"))
    assert "<h1>Asti</h1>" in page
    assert "Halmstads kommun" in page
    assert "Var uppgifterna kommer ifrån" in page
    assert "Vänorter och samarbetsstäder" in page or "Halmstad" in page  # the seed page
    assert "Rapporterat: Wikipedia: lists of twin towns" in page
    assert client.get("/en/register/place/999999/").status_code == 404


def test_the_country_page_gives_its_twinnings_and_numbers(client, demo):
    reported(demo.place, Place.objects.get(name="Asti"))
    reported(place("Uppsala", "SE"), place("Siena", "IT"))
    page = text(client.get("/sv/register/land/it/"))
    assert "Svenska vänorter i Italien" in page
    assert "Förbindelser (egna register)</th><td>1</td>" in page
    assert "Par som Wikipedia/Wikidata rapporterar</th><td>2</td>" in page
    assert "Siena" in page and "Uppsala" in page
    assert client.get("/en/register/country/zz/").status_code == 404


def independent_counts(today: date) -> dict:
    """The figures, counted here the plain way: every object, one by one."""
    relations = [r for r in Relation.objects.all() if r.is_published]
    agreements = {r.pk: [a for a in r.agreements.all() if a.is_published] for r in relations}
    in_force = [
        r for r in relations
        if any(a.status_on(today) == AgreementStatus.ACTIVE for a in agreements[r.pk])
    ]  # fmt: skip
    cutoff = date(today.year - 3, today.month, today.day)
    last = {}
    for r in relations:
        dates = [a.date_earliest for a in r.activities.all() if a.is_published]
        last[r.pk] = max(dates) if dates else None
    dormant = [
        r for r in in_force
        if (last[r.pk] and last[r.pk] < cutoff)
        or (last[r.pk] is None and min(a.start_earliest for a in agreements[r.pk]) <= cutoff)
    ]  # fmt: skip
    by_country = {}
    for r in relations:
        by_country[r.partner.country] = by_country.get(r.partner.country, 0) + 1
    by_kind = {}
    for r in relations:
        for code in {a.kind.code for a in agreements[r.pk]}:
            by_kind[code] = by_kind.get(code, 0) + 1
    return {
        "municipalities_with_relations": len({r.organisation_id for r in relations}),
        "relations": len(relations),
        "relations_in_force": len(in_force),
        "agreements_in_force": sum(
            a.status_on(today) == AgreementStatus.ACTIVE
            for r in relations
            for a in agreements[r.pk]
        ),
        "relations_with_activity_in_period": sum(
            1 for r in relations if last[r.pk] and last[r.pk] >= cutoff
        ),
        "relations_without_any_activity": sum(1 for r in relations if last[r.pk] is None),
        "dormant_relations": len(dormant),
        "relations_by_country": by_country,
        "relations_by_kind": by_kind,
    }


def test_statistics_agree_with_counts_made_independently(client, demo, other_municipality):
    # Varberg: a published relation in force, with an activity last year (not dormant),
    # and one in force whose last activity was 2015 (dormant).
    kind = AgreementKind.objects.get(code="vanortsavtal")
    Relation.objects.filter(organisation=other_municipality).update(is_published=True)
    sonderborg = Relation.objects.get(organisation=other_municipality)
    Agreement.objects.create(relation=sonderborg, kind=kind, start="1990")
    quiet = Relation.objects.create(organisation=other_municipality, partner=place("Kiel", "DE"))
    Agreement.objects.create(relation=quiet, kind=kind, start="2001")
    visit = ActivityKind.objects.first()
    for relation, day in ((sonderborg, "2025-05"), (quiet, "2015")):
        activity = Activity.objects.create(organisation=other_municipality, kind=visit, date=day)
        activity.relations.set([relation])
    hidden = Activity.objects.create(
        organisation=other_municipality, kind=visit, date="2026-01", is_published=False
    )
    hidden.relations.set([quiet])  # a draft activity does not wake a relation
    reported(demo.place, place("Nikopol", "UA"))
    reported(other_municipality.place, place("Aalborg", "DK"))

    body = client.get("/api/national/statistics").json()
    expected = independent_counts(TODAY)
    assert body["own_registers"] == expected
    assert expected["dormant_relations"] >= 1 and expected["municipalities_with_relations"] == 2
    assert body["reported"]["pairs"] == 2 and body["reported"]["municipalities"] == 2
    assert body["reported"]["pairs_by_country"] == {"UA": 1, "DK": 1}

    page = text(client.get("/en/register/statistics/"))
    dormant = expected["dormant_relations"]
    assert f"Dormant relations (in force, no activity for 3 years)</th><td>{dormant}</td>" in page
    assert f"Agreements in force</th><td>{expected['agreements_in_force']}</td>" in page


def test_a_dormant_relation_shows_its_last_activity_on_the_list(client, demo):
    page = text(client.get("/en/register/", {"q": "asti"}))
    assert "October 2010" in page or "2010" in page  # the citizens' meeting
    assert "dormant" in page  # in force (a letter of intent), quiet since 2010


def test_the_county_table_has_290_municipalities_in_21_counties():
    assert len(municipalities()) == 290 and len(COUNTIES) == 21
    assert county_of("Halmstad").name_sv == "Hallands län"
    assert county_of("Halmstads kommun").code == "N"
    assert county_of("Gothenburg").code == "O"
    assert county_of("Fellingsbro (Lindesberg)").code == "T"
    assert county_of("Anywhere", region="Skåne län").code == "M"
    assert county_of("Asti", country="IT") is None


def grow(demo, n: int) -> None:
    """n more relations for Halmstad, and n reported pairs, each with names and an activity."""
    kind = AgreementKind.objects.get(code="vanortsavtal")
    area = FocusArea.objects.first()
    visit = ActivityKind.objects.first()
    for i in range(n):
        partner = place(f"Ort {i}", "DE", f"{48 + i % 5}.1", f"{9 + i % 7}.2")
        PlaceName.objects.create(place=partner, language="sv", name=f"Orten {i}")
        rel = Relation.objects.create(organisation=demo, partner=partner)
        agreement = Agreement.objects.create(relation=rel, kind=kind, start="2000")
        agreement.focus_areas.set([area])
        activity = Activity.objects.create(organisation=demo, kind=visit, date="2024")
        activity.relations.set([rel])
        reported(demo.place, partner)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


URLS = [
    "/en/register/",
    "/en/register/?q=ort",
    "/en/register/?source=reported",
    "/en/register/?source=reported&q=ort&county=N",
    "/en/register/?country=DE&kind=vanortsavtal&focus=utbildning&status=active",
    "/en/register/export.csv",
    "/en/register/export.geojson?source=reported",
    "/en/register/country/de/",
    "/en/register/statistics/",
    "/api/national/statistics",
]


def test_every_page_answers_in_the_same_number_of_queries_for_5_and_50_rows(client, demo):
    grow(demo, 5)
    few = {url: queries_for(client, url) for url in URLS}
    few["place"] = queries_for(client, f"/en/register/place/{demo.place.pk}/")
    grow_more = 45
    kind = AgreementKind.objects.get(code="vanortsavtal")
    for i in range(grow_more):
        partner = place(f"Stadt {i}", "DE")
        rel = Relation.objects.create(organisation=demo, partner=partner)
        Agreement.objects.create(relation=rel, kind=kind, start="2001")
        reported(demo.place, partner)
    many = {url: queries_for(client, url) for url in URLS}
    many["place"] = queries_for(client, f"/en/register/place/{demo.place.pk}/")
    assert many == few
    assert max(few.values()) <= 12, few


def test_the_root_leads_to_the_national_register_when_national(client, demo, settings):
    settings.VANORT_NATIONAL, settings.VANORT_ROOT = True, "register"
    for start, landing in (("/", "/sv/register/"), ("/sv/", "/sv/register/"),
                           ("/en/", "/en/register/")):  # fmt: skip
        response = client.get(start, follow=True)
        assert response.redirect_chain[-1][0] == landing, start
        assert response.status_code == 200
    settings.VANORT_NATIONAL = False  # a single municipality: / stays its own page
    for start, landing in (("/", "/sv/halmstad/"), ("/en/", "/en/halmstad/")):
        response = client.get(start, follow=True)
        assert response.redirect_chain[-1][0] == landing, start


def test_the_demo_opens_on_its_municipality_and_serves_the_register(client, demo, settings):
    settings.VANORT_NATIONAL, settings.VANORT_ROOT = True, "organisation"  # the defaults
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/sv/halmstad/"
    assert client.get("/sv/register/").status_code == 200


def test_no_organisation_can_take_the_slug_of_the_national_register(client, demo, admin_user):
    from django.core.exceptions import ValidationError
    from django.urls import reverse
    from django.utils import translation

    from register.models import RESERVED_SLUGS, Organisation

    # Every national address, in both languages, starts with a reserved slug.
    for lang in ("sv", "en"):
        with translation.override(lang):
            for name in ("register", "seeking", "statistics"):
                first = reverse(f"national:{name}").split("/")[2]
                assert first in RESERVED_SLUGS, (lang, name)
    shadow = Organisation(slug="register", place=Place.objects.create(name="R", country="SE"),
                          name_sv="Registrets kommun")  # fmt: skip
    with pytest.raises(ValidationError) as error:
        shadow.full_clean()
    assert "/sv/register/" in error.value.message_dict["slug"][0]
    # In the admin: the form names the field, nothing is saved.
    client.force_login(admin_user)
    response = client.post(
        "/admin/register/organisation/add/",
        {"slug": "Register", "name_sv": "Registrets kommun", "place": shadow.place.pk,
         "colour": "#005a9c"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert not Organisation.objects.filter(slug__iexact="register").exists()
