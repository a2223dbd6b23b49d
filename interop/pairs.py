"""Import twin-town pairs from a CSV file such as Wikipedia's lists (shared/data).

Columns: city1,country1,lat1,lng1,city2,country2,lat2,lng2; one row per pair, the order
of the two sides carries no meaning. Places are matched to the register's places by
name and country (case and spelling variants such as ß/ss folded together); new places
keep their coordinates. A file that cannot be read as a whole (encoding, columns, broken
CSV) is refused with its line; rows that cannot be used are refused one by one and listed
in the report. The import runs in one transaction, and a second run changes nothing.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from tqdm import tqdm

from interop.countries import UnknownCountry, parse_country
from interop.errors import ImportRefused, Report
from interop.models import ReportedPair
from register import versions
from register.importing import read_text
from register.models import Place, Source

COLUMNS = ["city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2"]
SOURCE_URL = "https://github.com/Hekman/twincities"
SOURCE_TITLE = "Wikipedia: lists of twin towns and sister cities (Hekman/twincities)"
SOURCE_PUBLISHER = "Wikipedia contributors (CC BY-SA 4.0)"
NAME_MAX = Place._meta.get_field("name").max_length


def place_key(name: str, country: str) -> tuple[str, str]:
    """Spellings that differ only in case, ß/ss or Unicode form are one place."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(folded.split()), country.upper()


@dataclass(frozen=True)
class Side:
    name: str
    country: str
    region: str
    latitude: Decimal | None
    longitude: Decimal | None

    @property
    def key(self) -> tuple[str, str]:
        return place_key(self.name, self.country)


class RowProblem(ValueError):
    def __init__(self, category: str, reason: str):
        self.category, self.reason = category, reason
        super().__init__(reason)


def _coordinate(text: str, column: str, limit: int) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RowProblem("bad coordinate", f"{column} “{text}” is not a number") from None
    if not value.is_finite() or not -limit <= value <= limit:
        raise RowProblem("bad coordinate", f"{column} {text} is outside ±{limit}")
    return value.quantize(Decimal("0.000001"))


def _side(row: dict, n: int) -> Side:
    name = " ".join(row[f"city{n}"].split())
    if not name:
        raise RowProblem("missing city", f"city{n} is empty")
    if len(name) > NAME_MAX:
        raise RowProblem("name too long", f"city{n} is longer than {NAME_MAX} characters")
    try:
        country = parse_country(row[f"country{n}"])
    except UnknownCountry as exc:
        raise RowProblem("unknown country", f"country{n}: {exc}") from None
    lat = _coordinate(row[f"lat{n}"], f"lat{n}", 90)
    lng = _coordinate(row[f"lng{n}"], f"lng{n}", 180)
    return Side(name, country.code, country.region, lat, lng)


def read_rows(path: Path) -> tuple[list[tuple[int, dict]], str]:
    """The file's rows with their line numbers, or ImportRefused for a broken file."""
    name = str(path)
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ImportRefused(name, 1, "the file is empty; expected a header line")
        _check_header(name, [column.strip() for column in header])
        rows = []
        for fields in reader:
            line = reader.line_num
            if not any(field.strip() for field in fields):
                continue  # blank line
            if len(fields) != len(COLUMNS):
                raise ImportRefused(
                    name, line, f"has {len(fields)} fields, the header has {len(COLUMNS)}"
                )
            rows.append((line, dict(zip(COLUMNS, fields, strict=True))))
    except csv.Error as exc:
        raise ImportRefused(name, reader.line_num, f"is not valid CSV: {exc}") from None
    return rows, name


def _check_header(name: str, header: list[str]) -> None:
    missing = [column for column in COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    problems = []
    if missing:
        problems.append("missing column(s) " + ", ".join(missing))
    if unknown:
        problems.append("unknown column(s) " + ", ".join(unknown))
    if problems:
        raise ImportRefused(name, 1, "; ".join(problems) + f" (expected {','.join(COLUMNS)})")
    if header != COLUMNS:
        raise ImportRefused(name, 1, f"columns in the wrong order (expected {','.join(COLUMNS)})")


def twin_cities_source() -> Source:
    source = Source.objects.filter(organisation=None, url=SOURCE_URL).first()
    if source is None:
        source = Source.objects.create(
            title=SOURCE_TITLE,
            url=SOURCE_URL,
            document="twin_cities.csv",
            publisher=SOURCE_PUBLISHER,
        )
    return source


class PlaceIndex:
    """The register's places by name and country, growing as the import adds places."""

    def __init__(self):
        self.by_key: dict[tuple[str, str], Place] = {}
        for place in Place.objects.order_by("-pk").only(
            "pk", "name", "country", "latitude", "longitude"
        ):
            self.by_key[place_key(place.name, place.country)] = place  # lowest pk wins
        self.new: dict[tuple[str, str], Place] = {}
        self.needs_coordinates: dict[int, Place] = {}
        self.matched: set[int] = set()

    def want(self, side: Side) -> None:
        found = self.by_key.get(side.key)
        if found is None:
            self.by_key[side.key] = self.new[side.key] = Place(
                name=side.name,
                country=side.country,
                region=side.region,
                latitude=side.latitude,
                longitude=side.longitude,
            )
            return
        if found.pk is None:
            return
        self.matched.add(found.pk)
        if found.latitude is None and side.latitude is not None:
            found.latitude, found.longitude = side.latitude, side.longitude
            self.needs_coordinates[found.pk] = found

    def save(self, reason: str) -> None:
        """In bulk, with a history record per place as every other change has."""
        bulk_create_with_history(
            list(self.new.values()), Place, batch_size=500, default_change_reason=reason
        )
        if self.needs_coordinates:
            bulk_update_with_history(
                list(self.needs_coordinates.values()),
                Place,
                ["latitude", "longitude"],
                batch_size=500,
                default_change_reason=reason,
            )

    def id_of(self, side: Side) -> int:
        return self.by_key[side.key].pk


def parse_pairs(rows, report: Report, progress: bool) -> list[tuple[int, Side, Side]]:
    seen: dict[frozenset, int] = {}
    pairs = []
    for line, row in tqdm(rows, desc="reading", unit=" rows", disable=not progress):
        try:
            one, other = _side(row, 1), _side(row, 2)
        except RowProblem as problem:
            report.refuse(line, problem.category, problem.reason)
            continue
        if one.key == other.key:
            report.refuse(line, "same place twice", f"{one.name} is paired with itself")
            continue
        pair = frozenset([one.key, other.key])
        if pair in seen:
            report.refuse(
                line,
                "duplicate pair",
                f"{one.name}–{other.name} repeats line {seen[pair]}",
            )
            continue
        seen[pair] = line
        pairs.append((line, one, other))
    return pairs


def import_pairs(path: Path, *, progress: bool = False, strict: bool = False) -> Report:
    """Import the file in one transaction; ImportRefused leaves the database unchanged."""
    rows, name = read_rows(Path(path))
    report = Report(file=name, rows=len(rows))
    pairs = parse_pairs(rows, report, progress)
    if strict and report.refused:
        first = report.refused[0]
        raise ImportRefused(
            name, first.line, f"{first.reason} ({len(report.refused)} rows refused, --strict)"
        )
    with transaction.atomic():
        source = twin_cities_source()
        places = PlaceIndex()
        for _line, one, other in pairs:
            places.want(one)
            places.want(other)
        places.save(f"import-pairs {Path(name).name}")
        report.places_new, report.places_matched = len(places.new), len(places.matched)
        existing = set(
            ReportedPair.objects.filter(source=source).values_list("place_a_id", "place_b_id")
        )
        wanted = {
            ReportedPair.ordered(places.id_of(one), places.id_of(other)) for _, one, other in pairs
        }
        new = sorted(wanted - existing)
        ReportedPair.objects.bulk_create(
            (ReportedPair(place_a_id=a, place_b_id=b, source=source) for a, b in new),
            batch_size=1000,
        )
        report.pairs_new, report.pairs_existing = len(new), len(wanted) - len(new)
        versions.bump_all()  # bulk writes send no signals (register/versions.py)
    return report
