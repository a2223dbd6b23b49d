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
    page = client.get("/sv/halmstad/").content.decode()
    main = re.search(r'<svg role="img"[^>]*viewBox="0 0 (\d+) (\d+)"', page)
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
