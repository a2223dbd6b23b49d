"""The partner map: an SVG drawn on the server from Natural Earth country shapes that the
project ships (public/data/countries-110m.json, made by scripts/build_world_map.py).

No tiles, no script, no request to another site: the page carries the drawing itself.
The projection is equirectangular, stretched by the cosine of the middle latitude, which
keeps shapes recognisable over the span of a twin-town map (Nordic countries to Africa).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "countries-110m.json"
WIDTH = 640
MARGIN_DEGREES = 6.0
MIN_SPAN_DEGREES = 24.0


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
class MapDrawing:
    width: int
    height: int
    countries: list[CountryShape]
    markers: list[Marker]


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

    @property
    def stretch(self) -> float:
        return math.cos(math.radians((self.north + self.south) / 2))

    @property
    def scale(self) -> float:
        return WIDTH / ((self.east - self.west) * self.stretch)

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


def _view_around(points: list[tuple[float, float]]) -> _View:
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
    return _View(max(west, -180), min(east, 180), max(south, -85), min(north, 85))


def _path(rings: list[list[list[float]]], view: _View) -> str:
    parts = []
    for ring in rings:
        points = [view.project(lon, lat) for lon, lat in ring]
        head, *rest = points
        parts.append(
            f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest) + "Z"
        )
    return "".join(parts)


def draw(home: tuple[str, float, float], partners: list[tuple[str, str, float, float]]):
    """home = (name, lat, lon); partners = [(name, country code, lat, lon)]."""
    points = [(home[2], home[1])] + [(lon, lat) for _n, _c, lat, lon in partners]
    view = _view_around(points)
    partner_codes = {code for _n, code, _lat, _lon in partners}
    countries = []
    for country in _countries():
        rings = [ring for polygon in country["polygons"] for ring in polygon]
        if view.touches(rings):
            countries.append(
                CountryShape(country["code"], _path(rings, view), country["code"] in partner_codes)
            )
    places = [(home[0], home[1], home[2], True)] + [
        (name, lat, lon, False) for name, _code, lat, lon in partners
    ]
    return MapDrawing(WIDTH, view.height, countries, _markers(places, view))


def _markers(places, view: _View) -> list[Marker]:
    """Labels go right of their dot, or left near the right edge or where a label on the
    right would run into one already placed (Halmstad and Gentofte lie close)."""
    markers: list[Marker] = []
    for name, lat, lon, is_home in places:
        x, y = view.project(lon, lat)
        left = x > WIDTH * 0.7
        if any(
            abs(other.y - y) < 16 and abs(other.x - x) < 110 and other.label_left == left
            for other in markers
        ):
            left = not left
        markers.append(Marker(round(x, 1), round(y, 1), name, is_home, left))
    return markers
