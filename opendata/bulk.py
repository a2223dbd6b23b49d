"""Bulk downloads of the national data, streamed (StreamingHttpResponse) so that the
whole of it never sits in memory: the reported pairs as CSV and as GeoJSON, the places
as CSV. Each takes the filters of its JSON list (/api/pairs, /api/places)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.cache import patch_cache_control
from ninja import Query, Router

from opendata import queries
from opendata.exports import spreadsheet_safe
from opendata.schemas import PairSelection, PlaceSelection, ValidationErrors
from register.imprecise import ImpreciseDate

router = Router(tags=["bulk downloads"])
CHUNK = 2000

PAIR_COLUMNS = [
    "pair_id",
    *(
        f"place_{side}_{field}"
        for side in "ab"
        for field in ("id", "name", "country", "latitude", "longitude", "wikidata_id")
    ),
    "source_id",
    "start",
    "start_earliest",
    "start_latest",
    "end",
    "end_earliest",
    "end_latest",
    "reference_url",
]
PLACE_COLUMNS = [
    "place_id",
    "name",
    "names",
    "country",
    "region",
    "latitude",
    "longitude",
    "wikidata_id",
]


def _bounds(text: str) -> tuple[str, str]:
    if not text:
        return "", ""
    value = ImpreciseDate(text)
    return (
        value.earliest.isoformat() if value.earliest else "",
        value.latest.isoformat() if value.latest else "",
    )


def _csv_lines(columns: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """The header, then one line per row, each written as it is asked for."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for values in ([columns], ([row.get(c) for c in columns] for row in rows)):
        for line in values:
            writer.writerow([spreadsheet_safe(value) for value in line])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()


def _pair_row(pair) -> dict:
    row = {"pair_id": pair.pk, "source_id": pair.source_id, "reference_url": pair.reference_url}
    for side, place in (("a", pair.place_a), ("b", pair.place_b)):
        row |= {
            f"place_{side}_id": place.pk,
            f"place_{side}_name": place.name,
            f"place_{side}_country": place.country,
            f"place_{side}_latitude": place.latitude,
            f"place_{side}_longitude": place.longitude,
            f"place_{side}_wikidata_id": place.wikidata_id,
        }
    for edge in ("start", "end"):
        text = getattr(pair, edge)
        row[edge] = text
        row[f"{edge}_earliest"], row[f"{edge}_latest"] = _bounds(text)
    return row


def _streamed(lines: Iterator[str], media_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=300)
    return response


def _document(media_type: str, description: str, schema: dict) -> dict:
    return {
        "responses": {
            "200": {"description": description, "content": {media_type: {"schema": schema}}}
        }
    }


CSV_TEXT = {"type": "string"}
ERRORS = {422: ValidationErrors}


@router.get(
    "/pairs.csv",
    response=ERRORS,
    summary="All reported pairs as CSV (bulk download, streamed)",
    openapi_extra=_document(
        "text/csv",
        "One row per pair reported by an outside source; the filters of /api/pairs.",
        CSV_TEXT,
    ),
)
def pairs_csv(request: HttpRequest, filters: Query[PairSelection]):
    pairs = queries.reported_pairs(place=filters.place, country=filters.country)
    rows = (_pair_row(pair) for pair in pairs.iterator(chunk_size=CHUNK))
    return _streamed(
        _csv_lines(PAIR_COLUMNS, rows), "text/csv; charset=utf-8; header=present", "pairs.csv"
    )


@router.get(
    "/places.csv",
    response=ERRORS,
    summary="All places as CSV (bulk download, streamed)",
    openapi_extra=_document("text/csv", "One row per place; the filters of /api/places.", CSV_TEXT),
)
def places_csv(request: HttpRequest, filters: Query[PlaceSelection]):
    places = queries.filter_places(queries.places(), country=filters.country, q=filters.q)

    def rows():
        for place in places.iterator(chunk_size=CHUNK):
            yield {
                "place_id": place.pk,
                "name": place.name,
                "names": "; ".join(f"{n.language}:{n.name}" for n in place.names.all()),
                "country": place.country,
                "region": place.region,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "wikidata_id": place.wikidata_id,
            }

    return _streamed(
        _csv_lines(PLACE_COLUMNS, rows()), "text/csv; charset=utf-8; header=present", "places.csv"
    )


def _position(place) -> list[float] | None:
    if place.latitude is None or place.longitude is None:
        return None
    return [float(place.longitude), float(place.latitude)]


def _pair_features(pairs) -> Iterator[str]:
    from opendata.exports import _line

    yield '{"type":"FeatureCollection","features":['
    first = True
    for pair in pairs.iterator(chunk_size=CHUNK):
        a, b = _position(pair.place_a), _position(pair.place_b)
        if a is None or b is None:
            continue
        feature = {
            "type": "Feature",
            "id": f"pair/{pair.pk}",
            "geometry": _line(a, b),
            "properties": {
                "kind": "pair",
                "pair_id": pair.pk,
                "place_a_id": pair.place_a_id,
                "place_a": pair.place_a.name,
                "place_a_country": pair.place_a.country,
                "place_b_id": pair.place_b_id,
                "place_b": pair.place_b.name,
                "place_b_country": pair.place_b.country,
                "source_id": pair.source_id,
                "start": pair.start or None,
                "end": pair.end or None,
            },
        }
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}"


@router.get(
    "/pairs.geojson",
    response=ERRORS,
    summary="All reported pairs as GeoJSON lines (bulk download, streamed)",
    openapi_extra=_document(
        "application/geo+json",
        "RFC 7946 FeatureCollection, a line per pair whose places both have coordinates; "
        "the filters of /api/pairs.",
        {"$ref": "#/components/schemas/FeatureCollection"},
    ),
)
def pairs_geojson(request: HttpRequest, filters: Query[PairSelection]):
    pairs = queries.reported_pairs(place=filters.place, country=filters.country)
    return _streamed(_pair_features(pairs), "application/geo+json", "pairs.geojson")
