"""Generated Wikidata Query Service answers to interop.wikidata.P190_QUERY, for the tests
and for scripts/benchmark_wikidata.py: never the network.

An answer is what WDQS gives as application/sparql-results+json: item and partner URIs,
labels with xml:lang, countries as P297 codes, coordinates as WKT `Point(lon lat)`,
P580/P582 as xsd:dateTime with their precision, and reference URLs.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

ENTITY = "http://www.wikidata.org/entity/"
VARS = [
    "item",
    "itemLabel",
    "itemCountry",
    "itemCoord",
    "partner",
    "partnerLabel",
    "partnerCountry",
    "partnerCoord",
    "start",
    "startPrecision",
    "end",
    "endPrecision",
    "reference",
]
COUNTRIES = ["SE", "NO", "DK", "FI", "DE", "PL", "US", "UA", "BG", "IT", "FR", "TZ", "JP", "CN"]
# Few names for many places: towns of one name in several countries, and in one country.
NAMES = [
    "Nikopol",
    "Springfield",
    "Lund",
    "Kansas City",
    "Neustadt",
    "Victoria",
    "Alexandria",
    "Hangö",
    "Malmö",
    "Příbram",
    "Łódź",
    "São Paulo",
]


def uri(qid: str) -> dict:
    return {"type": "uri", "value": ENTITY + qid}


def literal(value: str, **extra) -> dict:
    return {"type": "literal", "value": value, **extra}


def time(year: int, month: int, day: int, precision: int) -> tuple[dict, dict]:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    return (
        literal(f"{year:04d}-{month:02d}-{day:02d}T00:00:00Z", datatype=xsd + "dateTime"),
        literal(str(precision), datatype=xsd + "integer"),
    )


def place(index: int, rng: random.Random, first_qid: int = 100000) -> dict:
    """One generated item: its Q-id, label, country and point."""
    name = f"{rng.choice(NAMES)} {index // len(NAMES)}" if index >= len(NAMES) * 3 else None
    return {
        "qid": f"Q{first_qid + index}",
        "label": name or NAMES[index % len(NAMES)],
        "lang": rng.choice(["sv", "en", "mul"]),
        "country": rng.choice(COUNTRIES),
        "lat": round(rng.uniform(-60, 70), 4),
        "lon": round(rng.uniform(-170, 170), 4),
    }


def side(prefix: str, item: dict) -> dict:
    return {
        prefix: uri(item["qid"]),
        f"{prefix}Label": literal(item["label"], **{"xml:lang": item["lang"]}),
        f"{prefix}Country": literal(item["country"]),
        f"{prefix}Coord": literal(
            f"Point({item['lon']} {item['lat']})",
            datatype="http://www.opengis.net/ont/geosparql#wktLiteral",
        ),
    }


def answer(rows: int, places: int, *, seed: int = 1, bad: float = 0.0, first_qid=100000) -> dict:
    """`rows` P190 rows over `places` items; a share `bad` of them unusable (a javascript:
    reference, a URI that is not an item, a start without its precision)."""
    rng = random.Random(seed)
    items = [place(i, rng, first_qid) for i in range(places)]
    bindings = []
    for number in range(rows):
        one = items[number % places]  # every item in some row
        other = rng.choice([item for item in items if item is not one])
        binding = {**side("item", one), **side("partner", other)}
        if rng.random() < 0.7:
            precision = rng.choice([8, 9, 10, 11])
            binding["start"], binding["startPrecision"] = time(
                rng.randint(1950, 2020), rng.randint(1, 12), rng.randint(1, 28), precision
            )
        if rng.random() < 0.1:
            binding["end"], binding["endPrecision"] = time(rng.randint(2021, 2024), 1, 1, 9)
        if rng.random() < 0.3:
            reference = f"https://example.org/twinning/{rng.randint(1, 500)}"
            binding["reference"] = {"type": "uri", "value": reference}
        if rng.random() < bad:
            kind = rng.randrange(3)
            if kind == 0:
                binding["reference"] = {"type": "uri", "value": "javascript:alert(1)"}
            elif kind == 1:
                binding["partner"] = {"type": "uri", "value": "https://example.org/Q1"}
            else:
                binding["start"] = time(1990, 1, 1, 9)[0]
                binding.pop("startPrecision", None)
        bindings.append(binding)
    return {"head": {"vars": VARS}, "results": {"bindings": bindings}}


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
