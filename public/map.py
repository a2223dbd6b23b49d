"""The partner map: an SVG drawn on the server from Natural Earth country shapes that the
project ships (public/data/countries-110m.json, made by scripts/build_world_map.py).

No tiles, no script, no request to another site: the drawing is a file of the site's own
(public.views.partner_map_svg, cached per organisation and data version), which the page
shows with <img> beside a text list of the same places.
The projection is equirectangular, stretched by the cosine of the middle latitude, which
keeps shapes recognisable over the span of a twin-town map (Nordic countries to Africa).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from register.models import country_name

DATA = Path(__file__).resolve().parent / "data" / "countries-110m.json"
WIDTH = 640
MARGIN_DEGREES = 6.0
MIN_SPAN_DEGREES = 24.0
# A partner farther than this from home (in degrees of latitude or longitude) is drawn in
# an inset, so the main frame fits the others (Halmstad's map: Europe, with Moshi apart).
FAR_DEGREES = 30.0
INSET_WIDTH = 240  # room for a label of 28 units (a phone) right of a centred dot
INSET_MARGIN = 10


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    name: str
    is_home: bool
    label_left: bool

    @property
    def label_x(self) -> float:
        return round(self.x - 11 if self.label_left else self.x + 11, 1)


@dataclass(frozen=True)
class CountryShape:
    code: str
    path: str
    is_partner: bool


@dataclass(frozen=True)
class Inset:
    """A small frame in the main map's lower right corner, around a far partner."""

    x: float
    y: float
    width: int
    height: int
    label: str
    countries: list[CountryShape]
    markers: list[Marker]


@dataclass(frozen=True)
class MapDrawing:
    width: int
    height: int
    countries: list[CountryShape]
    markers: list[Marker]
    insets: list[Inset] = ()


@cache
def _countries() -> list[dict]:
    return json.loads(DATA.read_text())["countries"]


def source_note() -> str:
    return json.loads(DATA.read_text())["source"]


@dataclass(frozen=True)
class _View:
    west: float
    east: float
    south: float
    north: float

    width: int = WIDTH

    @property
    def stretch(self) -> float:
        return math.cos(math.radians((self.north + self.south) / 2))

    @property
    def scale(self) -> float:
        return self.width / ((self.east - self.west) * self.stretch)

    @property
    def height(self) -> int:
        return round((self.north - self.south) * self.scale)

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * self.stretch * self.scale, (self.north - lat) * self.scale

    def touches(self, rings: list[list[list[float]]]) -> bool:
        lons = [point[0] for ring in rings for point in ring]
        lats = [point[1] for ring in rings for point in ring]
        return not (
            max(lons) < self.west
            or min(lons) > self.east
            or max(lats) < self.south
            or min(lats) > self.north
        )


def _view_around(points: list[tuple[float, float]], width: int = WIDTH) -> _View:
    """The smallest box around the places, with a margin and at least a minimum span."""
    lons = [lon for lon, _lat in points]
    lats = [lat for _lon, lat in points]
    west, east = min(lons) - MARGIN_DEGREES, max(lons) + MARGIN_DEGREES
    south, north = min(lats) - MARGIN_DEGREES, max(lats) + MARGIN_DEGREES
    if east - west < MIN_SPAN_DEGREES:
        middle = (east + west) / 2
        west, east = middle - MIN_SPAN_DEGREES / 2, middle + MIN_SPAN_DEGREES / 2
    if north - south < MIN_SPAN_DEGREES / 2:
        middle = (north + south) / 2
        south, north = middle - MIN_SPAN_DEGREES / 4, middle + MIN_SPAN_DEGREES / 4
    return _View(max(west, -180), min(east, 180), max(south, -85), min(north, 85), width)


def _unwrapped(ring: list[list[float]]) -> list[tuple[float, float]]:
    """The ring with longitudes made continuous: a ring that crosses the antimeridian
    (Russia's Chukotka, Fiji) goes on past 180° instead of jumping back to -180°, which
    drew a land-coloured stripe across the whole map."""
    points: list[tuple[float, float]] = []
    shift = 0.0
    previous = None
    for lon, lat in ring:
        if previous is not None:
            if lon + shift - previous > 180:
                shift -= 360
            elif lon + shift - previous < -180:
                shift += 360
        previous = lon + shift
        points.append((previous, lat))
    return points


def _path(rings: list[list[list[float]]], view: _View) -> str:
    parts = []
    for ring in rings:
        points = [view.project(lon, lat) for lon, lat in _unwrapped(ring)]
        head, *rest = points
        parts.append(
            f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest) + "Z"
        )
    return "".join(parts)


def draw(home: tuple[str, float, float], partners: list[tuple[str, str, float, float]]):
    """home = (name, lat, lon); partners = [(name, country code, lat, lon)]."""
    near = [p for p in partners if not _far(home, p)]
    far = [p for p in partners if _far(home, p)]
    points = [(home[2], home[1])] + [(lon, lat) for _n, _c, lat, lon in near]
    view = _view_around(points)
    partner_codes = {code for _n, code, _lat, _lon in partners}
    places = [(home[0], home[1], home[2], True)] + [
        (name, lat, lon, False) for name, _code, lat, lon in near
    ]
    insets = []
    y = view.height
    for name, code, lat, lon in far:  # one inset each, stacked up from the lower right
        inset_view = _view_around([(lon, lat)], INSET_WIDTH)
        y -= inset_view.height + INSET_MARGIN
        insets.append(
            Inset(
                WIDTH - INSET_WIDTH - INSET_MARGIN,
                y,
                INSET_WIDTH,
                inset_view.height,
                country_name(code),
                _shapes(inset_view, partner_codes),
                _markers([(name, lat, lon, False)], inset_view, INSET_WIDTH),
            )
        )
    return MapDrawing(
        WIDTH, view.height, _shapes(view, partner_codes), _markers(places, view), insets
    )


def size(home: tuple[str, float, float], partners: list[tuple[str, str, float, float]]):
    """(width, height) of the drawing, without drawing it: for the page's <img>."""
    near = [p for p in partners if not _far(home, p)]
    view = _view_around([(home[2], home[1])] + [(lon, lat) for _n, _c, lat, lon in near])
    return WIDTH, view.height


def is_far(home: tuple[str, float, float], partner: tuple[str, str, float, float]) -> bool:
    """Whether the partner is drawn in an inset of its own."""
    return _far(home, partner)


def _far(home: tuple[str, float, float], partner: tuple[str, str, float, float]) -> bool:
    _name, _code, lat, lon = partner
    return abs(lat - home[1]) > FAR_DEGREES or abs(lon - home[2]) > FAR_DEGREES


def _shapes(view: _View, partner_codes: set[str]) -> list[CountryShape]:
    shapes = []
    for country in _countries():
        rings = [ring for polygon in country["polygons"] for ring in polygon]
        if view.touches(rings):
            shapes.append(
                CountryShape(country["code"], _path(rings, view), country["code"] in partner_codes)
            )
    return shapes


def _markers(places, view: _View, width: int = WIDTH) -> list[Marker]:
    """Labels go right of their dot, or left near the right edge or where a label on the
    right would run into one already placed (Halmstad and Gentofte lie close)."""
    markers: list[Marker] = []
    for name, lat, lon, is_home in places:
        x, y = view.project(lon, lat)
        left = x > width * 0.7
        if any(
            abs(other.y - y) < 16 and abs(other.x - x) < 110 and other.label_left == left
            for other in markers
        ):
            left = not left
        markers.append(Marker(round(x, 1), round(y, 1), name, is_home, left))
    return markers
