"""The partner map (issue 15): a far partner in an inset, no stripes across the sea."""

from __future__ import annotations

import re

import pytest

from public.map import draw

pytestmark = pytest.mark.django_db  # the demo alone does not make pytest-django set up a DB

NORDIC = [
    ("Tallinn", "EE", 59.44, 24.75),
    ("Oulu", "FI", 65.01, 25.47),
    ("Reykjavík", "IS", 64.15, -21.94),
    ("Tromsø", "NO", 69.65, 18.96),
]


def segments(path: str):
    for ring in re.findall(r"M[^MZ]*", path):
        points = [tuple(map(float, p)) for p in re.findall(r"(-?[\d.]+) (-?[\d.]+)", ring)]
        yield from zip(points, points[1:], strict=False)


def test_it_draws_no_land_coloured_stripes_across_the_sea():
    """Russia's shape crosses the antimeridian: drawn as it was, one edge ran from one
    side of the frame to the other. No edge of a European map spans half its width."""
    drawing = draw(("Lund", 55.70, 13.19), NORDIC)
    assert "RU" in {country.code for country in drawing.countries}
    widest = max(
        abs(b[0] - a[0]) for country in drawing.countries for a, b in segments(country.path)
    )
    assert widest < drawing.width / 2, widest


def test_it_draws_a_far_partner_in_a_labelled_inset(client, demo):
    svg = client.get("/sv/halmstad/karta.svg").content.decode()
    page = svg + client.get("/sv/halmstad/").content.decode()  # the map, then its list
    main = re.search(
        r'<svg xmlns="http://www.w3.org/2000/svg" role="img"[^>]*viewBox="0 0 (\d+) (\d+)"', page
    )
    height = int(main.group(2))
    assert height < 1000  # Italy to Norway, not 640×1245 down to Tanzania
    inset = re.search(r'<svg class="map-inset".*?</svg>', page, flags=re.S).group(0)
    assert ">Moshi</text>" in inset and ">Tanzania</text>" in inset
    outside = page.replace(inset, "")
    assert ">Moshi</text>" not in outside.split('<div class="map-list">')[0]
    for name in ("Halmstad", "Asti", "Gentofte", "Hangö", "Stord"):
        assert f">{name}</text>" in outside, name
    # the list beside the map still names every partner, Moshi too
    listing = page.split('<div class="map-list">')[1].split("</div>")[0]
    assert "Moshi" in listing and "Tanzania" in listing


# --- no stripes for any organisation ------------------------------------------------------


def widest_edge(drawing) -> tuple[float, float]:
    """The longest horizontal edge of any country shape, in the main frame and in each
    inset, as a share of that frame's width."""
    frames = [(drawing.width, drawing.countries)] + [
        (inset.width, inset.countries) for inset in drawing.insets
    ]
    return max(
        (
            max((abs(b[0] - a[0]) for c in countries for a, b in segments(c.path)), default=0)
            / width,
            width,
        )
        for width, countries in frames
    )


def test_the_demo_organisations_map_has_no_stripes(demo):
    from public.pages import partner_map, published_relations

    drawing = partner_map(demo, list(published_relations(demo)), "sv")
    share, _width = widest_edge(drawing)
    assert share < 0.5, share


def test_no_municipality_in_the_national_data_set_gets_a_striped_map():
    """Every Swedish place in the Wikipedia pairs data set (shared/data), drawn as an
    organisation's map with all its partners, and the places around the antimeridian
    (New Zealand, Fiji, Japan, where Russia's and Fiji's shapes wrap): no edge of a
    country spans half a frame, which is what a shape drawn across the map looks like."""
    import csv
    from collections import defaultdict

    from tests.conftest import national_pairs_file

    partners = defaultdict(set)
    homes = {}
    wanted = {"Sweden", "New Zealand", "Fiji", "Japan"}
    with national_pairs_file().open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for a, b in (("1", "2"), ("2", "1")):
                if row[f"country{a}"] in wanted and row[f"lat{a}"] and row[f"lat{b}"]:
                    home = row[f"city{a}"]
                    homes[home] = (home, float(row[f"lat{a}"]), float(row[f"lng{a}"]))
                    partners[home].add(
                        (row[f"city{b}"], "", float(row[f"lat{b}"]), float(row[f"lng{b}"]))
                    )
    assert len(homes) > 100
    striped = {}
    for name, home in homes.items():
        share, width = widest_edge(draw(home, sorted(partners[name])))
        if share >= 0.5:
            striped[name] = (round(share, 2), width)
    print(f"{len(homes)} maps drawn, {len(striped)} with a stripe")
    assert not striped, striped


# --- served as a cacheable file -------------------------------------------------------------


def test_the_map_is_a_file_of_its_own_in_each_language(client, demo):
    sv = client.get("/sv/halmstad/karta.svg")
    en = client.get("/en/halmstad/map.svg")
    for response in (sv, en):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
        assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        assert "script-src 'none'" in response["Content-Security-Policy"]
    assert b">Hang\xc3\xb6</text>" in sv.content and b">Hanko</text>" in en.content
    page = client.get("/en/halmstad/").content.decode()
    assert "<svg" not in page and '<img src="/en/halmstad/map.svg" alt="A map of' in page
    assert client.get("/sv/nowhere/karta.svg").status_code == 404


def test_the_map_answers_conditional_requests_and_changes_with_the_data(client, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from register.models import Place

    first = client.get("/sv/halmstad/karta.svg")
    etag = first["ETag"]
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert first.has_header("Last-Modified")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/sv/halmstad/karta.svg", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert len(queries) == 1  # drawn once: the data version, nothing else
    place = Place.objects.get(name="Stord")
    place.name = "Stord kommune"
    place.save()
    edited = client.get("/sv/halmstad/karta.svg", HTTP_IF_NONE_MATCH=etag)
    assert edited.status_code == 200 and edited["ETag"] != etag
    assert b">Stord kommune</text>" in edited.content


def test_the_map_is_not_found_when_no_partner_has_coordinates(client, demo):
    from register.models import Place

    Place.objects.exclude(name="Halmstad").update(latitude=None, longitude=None)
    assert client.get("/sv/halmstad/karta.svg").status_code == 404
    assert "karta.svg" not in client.get("/sv/halmstad/").content.decode()
