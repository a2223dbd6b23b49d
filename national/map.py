"""The national map: every partner of the filtered list, clustered by grid cell, drawn on
the server as SVG with the country shapes the project ships (public/map.py's projection
and data; no tiles, no script, no request to another site)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from django.utils.safestring import mark_safe

from public.map import MARGIN_DEGREES, WIDTH, _countries, _path, _view_around

CELL = 32  # pixels: points closer than a cell are drawn as one cluster


@dataclass(frozen=True)
class Cluster:
    x: float
    y: float
    count: int
    countries: tuple[str, ...]

    @property
    def radius(self) -> float:
        return round(5 + 3 * math.sqrt(self.count - 1), 1) if self.count > 1 else 5

    @property
    def is_group(self) -> bool:
        return self.count > 1


@dataclass(frozen=True)
class ClusterMap:
    width: int
    height: int
    countries: list[tuple[str, str, bool]]  # code, path, has partners
    clusters: list[Cluster]
    points: int
    view: object = None

    @property
    def land_svg(self) -> str:
        """The countries' <path>s, partner countries last (on top), written once per
        process and view: 120 KB of shapes through the template engine cost more than
        the rest of the page."""
        return mark_safe("".join(_land_element(self.view, code, partner)  # noqa: S308
                                 for code, _path, partner in self.countries))  # fmt: skip

    @property
    def clusters_svg(self) -> str:
        parts = []
        for c in self.clusters:
            group = " map-cluster-group" if c.is_group else ""
            label = (f'<text x="{c.x}" y="{c.y}" dy="0.35em" text-anchor="middle">{c.count}</text>'
                     if c.is_group else "")  # fmt: skip
            parts.append(f'<g class="map-cluster{group}"><circle cx="{c.x}" cy="{c.y}" '
                         f'r="{c.radius}"/>{label}</g>')  # fmt: skip
        return mark_safe("".join(parts))  # noqa: S308  (numbers only)


@lru_cache(maxsize=1024)
def _land_element(view, code: str, partner: bool) -> str:
    path = dict(_land(view))[code]
    css = "map-land map-partner-country" if partner else "map-land"
    return f'<path class="{css}" d="{escape(path)}"/>'


@lru_cache(maxsize=64)
def _land(view) -> tuple[tuple[str, str], ...]:
    shapes = []
    for country in _countries():
        rings = [ring for polygon in country["polygons"] for ring in polygon]
        if view.touches(rings):
            shapes.append((country["code"], _path(rings, view)))
    return tuple(shapes)


# Two fixed views (west, east, south, north), so the land is drawn once per process:
# Europe when every point lies in it, else the inhabited world.
EUROPE = (-25.0, 45.0, 34.0, 71.0)
WORLD = (-170.0, 180.0, -56.0, 78.0)


@lru_cache(maxsize=2)
def _fixed_view(bounds):
    west, east, south, north = bounds
    return _view_around([(west + MARGIN_DEGREES, south + MARGIN_DEGREES),
                         (east - MARGIN_DEGREES, north - MARGIN_DEGREES)])  # fmt: skip


def clustered(points: list[tuple[float, float, str]]) -> ClusterMap | None:
    """points = [(lat, lon, country code)] -> clusters by grid cell, with their counts."""
    if not points:
        return None
    in_europe = all(
        EUROPE[0] <= lon <= EUROPE[1] and EUROPE[2] <= lat <= EUROPE[3] for lat, lon, _c in points
    )
    view = _fixed_view(EUROPE if in_europe else WORLD)
    cells: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    for lat, lon, country in points:
        x, y = view.project(lon, lat)
        cells.setdefault((int(x // CELL), int(y // CELL)), []).append((x, y, country))
    clusters = []
    for members in cells.values():
        x = sum(m[0] for m in members) / len(members)
        y = sum(m[1] for m in members) / len(members)
        codes = tuple(sorted({m[2] for m in members}))
        clusters.append(Cluster(round(x, 1), round(y, 1), len(members), codes))
    clusters.sort(key=lambda c: (c.count, c.y, c.x))  # the big ones on top
    partner_codes = {c for _lat, _lon, c in points}
    countries = [(code, path, code in partner_codes) for code, path in _land(view)]
    countries.sort(key=lambda c: c[2])  # partner countries drawn last, on top
    return ClusterMap(WIDTH, view.height, countries, clusters, len(points), view)
