"""Convert Natural Earth country shapes (npm package world-atlas, TopoJSON) into the
plain data file the public map is drawn from: public/data/countries-110m.json.

Run once after `npm ci` when world-atlas changes; the output is committed, so that the
site needs neither Node nor any request to another site to draw its map.

    .venv/bin/python scripts/build_world_map.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "world-atlas" / "countries-110m.json"
TARGET = ROOT / "public" / "data" / "countries-110m.json"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs are quantised and delta-encoded: undo both."""
    (scale_x, scale_y), (move_x, move_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * scale_x + move_x, 2), round(y * scale_y + move_y, 2)))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs) -> list[tuple[float, float]]:
    """A ring from arc indexes; a negative index ~i means arc i reversed."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)  # arcs share their end points
    return points


def alpha_2(numeric: str | None) -> str:
    country = pycountry.countries.get(numeric=numeric) if numeric else None
    return country.alpha_2 if country else ""


def main() -> None:
    topology = json.loads(SOURCE.read_text())
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        countries.append(
            {
                "code": alpha_2(geometry.get("id")),
                "name": geometry["properties"]["name"],
                "polygons": [[ring(r, arcs) for r in polygon] for polygon in polygons],
            }
        )
    data = {
        "source": "Natural Earth 1:110m countries, via the npm package world-atlas "
        f"{json.loads((SOURCE.parent / 'package.json').read_text())['version']} "
        "(public domain / ISC)",
        "countries": countries,
    }
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"{len(countries)} countries written to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
