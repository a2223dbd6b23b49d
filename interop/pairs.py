"""Import twin-town pairs from a CSV file such as Wikipedia's lists (shared/data).

Columns: city1,country1,lat1,lng1,city2,country2,lat2,lng2; one row per pair, the order
of the two sides carries no meaning. Places are matched by register/places.py's
PlaceMatcher (a name in any language, the same country, coordinates within a few km;
an ambiguous name is refused, never guessed); new places keep their coordinates and
region. A file that cannot be read as a whole (size, encoding, columns, broken CSV) is
refused with its line; rows that cannot be used are refused one by one and listed in the
report. The import runs in one transaction, and a second run changes nothing.

Memory stays bounded by the number of distinct places and pairs, not by the file: rows
are read one at a time, each side is matched as it is read, and a pair is kept as two
small integers. Under `strict`, the first refused row stops the import.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from tqdm import tqdm

from interop.countries import UnknownCountry, parse_country
from interop.errors import ImportRefused, Report
from interop.models import ReportedPair
from register import versions
from register.importing import check_size, control_character, iter_lines
from register.models import Place, Source
from register.places import PlaceMatcher, coordinate, normalise

COLUMNS = ["city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2"]
SOURCE_URL = "https://github.com/Hekman/twincities"
SOURCE_TITLE = "Wikipedia: lists of twin towns and sister cities (Hekman/twincities)"
SOURCE_PUBLISHER = "Wikipedia contributors (CC BY-SA 4.0)"
NAME_MAX = Place._meta.get_field("name").max_length
MAX_SIZE = 200 * 1000**2  # bytes; the real file is 2 MB, a million rows about 70 MB
MAX_FIELD = 1000  # characters in one field; a name has at most NAME_MAX


def place_key(name: str, country: str) -> tuple[str, str]:
    """Spellings that differ only in case, ß/ss or Unicode form are one place."""
    return normalise(name), country.upper()


@dataclass(frozen=True, slots=True)
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
    try:
        return coordinate(text.strip(), limit)
    except ValueError as exc:
        raise RowProblem("bad coordinate", f"{column} {exc}") from None


def _side(row: dict, n: int) -> Side:
    for column in (f"city{n}", f"country{n}"):
        problem = control_character(row[column])
        if problem:
            raise RowProblem("control character", f"{column} {problem}")
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
    if (lat is None) != (lng is None):
        raise RowProblem("bad coordinate", f"lat{n} and lng{n}: give both or neither")
    return Side(name, country.code, country.region, lat, lng)


def iter_rows(path: Path, report: Report, *, max_field: int = MAX_FIELD, read=None) -> Iterator:
    """The file's rows as (line, row dict), one at a time; ImportRefused for a broken
    file (encoding, header, field count, broken CSV); a row with a field longer than
    max_field is refused in the report (the CSV reader never holds more than that)."""
    name = str(path)
    reader = csv.reader(iter_lines(path, read), strict=True)
    previous = csv.field_size_limit(max_field)
    try:
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise ImportRefused(name, 1, f"is not valid CSV: {exc}") from None
        if header is None:
            raise ImportRefused(name, 1, "the file is empty; expected a header line")
        _check_header(name, [column.strip() for column in header])
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    report.rows += 1
                    yield (
                        reader.line_num,
                        RowProblem(
                            "field too long",
                            f"a field is longer than {max_field} characters "
                            "(give --max-field-length to allow more)",
                        ),
                    )
                    continue
                raise ImportRefused(name, reader.line_num, f"is not valid CSV: {exc}") from None
            line = reader.line_num
            if not any(field.strip() for field in fields):
                continue  # blank line
            if len(fields) != len(COLUMNS):
                raise ImportRefused(
                    name, line, f"has {len(fields)} fields, the header has {len(COLUMNS)}"
                )
            report.rows += 1
            yield line, dict(zip(COLUMNS, fields, strict=True))
    finally:
        csv.field_size_limit(previous)


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


class PairPlaces:
    """The places of the file, each a small integer: the PlaceMatcher's match (or new
    place) for every side, interned, so that a pair costs two integers of memory."""

    def __init__(self):
        self.matcher = PlaceMatcher()
        self.places: list[Place] = []
        self.index_of: dict[int, int] = {}  # id(place) -> index in self.places
        self.seen: dict[tuple, int] = {}  # a side read before -> its index

    def index(self, side: Side) -> int:
        key = (*side.key, normalise(side.region), side.latitude, side.longitude)
        known = self.seen.get(key)
        if known is not None:
            return known
        result = self.matcher.resolve(
            name=side.name,
            country=side.country,
            region=side.region,
            latitude=side.latitude,
            longitude=side.longitude,
        )
        if result.ambiguous:
            raise RowProblem("ambiguous place", f"{side.name}: {result.reason}")
        place = result.place
        number = self.index_of.get(id(place))
        if number is None:
            number = self.index_of[id(place)] = len(self.places)
            self.places.append(place)
        self.seen[key] = number  # the same side again is the same place
        return number


def parse_pairs(rows, report: Report, places: PairPlaces, *, strict: bool):
    """The usable pairs as a dict (a, b) -> line, with a < b the places' indexes."""
    pairs: dict[tuple[int, int], int] = {}
    for line, row in rows:
        try:
            if isinstance(row, RowProblem):
                raise row
            one, other = _side(row, 1), _side(row, 2)
            if one.key == other.key:
                raise RowProblem("same place twice", f"{one.name} is paired with itself")
            a, b = places.index(one), places.index(other)
            if a == b:
                raise RowProblem("same place twice", f"{one.name} and {other.name} are one place")
            pair = (a, b) if a < b else (b, a)
            if pair in pairs:
                raise RowProblem(
                    "duplicate pair", f"{one.name}–{other.name} repeats line {pairs[pair]}"
                )
        except RowProblem as problem:
            report.refuse(line, problem.category, problem.reason)
            if strict:
                raise ImportRefused(
                    report.file, line, f"{problem.reason} (the first refused row, --strict)"
                ) from None
            continue
        pairs[pair] = line
    return pairs


def import_pairs(
    path: Path,
    *,
    progress: bool = False,
    strict: bool = False,
    max_size: int = MAX_SIZE,
    max_field: int = MAX_FIELD,
) -> Report:
    """Import the file in one transaction; ImportRefused leaves the database unchanged:
    a file too large, broken, with every row refused, or (strict) any row refused."""
    path = Path(path)
    name = str(path)
    check_size(path, max_size)
    report = Report(file=name)
    bar = tqdm(
        total=path.stat().st_size,
        desc="reading",
        unit="B",
        unit_scale=True,
        disable=not progress,
    )
    with transaction.atomic(), bar:
        places = PairPlaces()
        rows = iter_rows(path, report, max_field=max_field, read=bar.update)
        pairs = parse_pairs(rows, report, places, strict=strict)
        if not report.rows:
            raise ImportRefused(name, 2, "has no rows after its header; nothing to import")
        if not pairs:
            reasons = "; ".join(str(refusal) for refusal in report.refused[:3])
            more = ", …" if len(report.refused) > 3 else ""
            raise ImportRefused(
                name, None, f"none of its {report.rows} rows could be used ({reasons}{more})"
            )
        source = twin_cities_source()
        places.matcher.save(f"import-pairs {path.name}")
        report.places_new = len(places.matcher.created)
        report.places_matched = len(places.matcher.matched)
        ids = [place.pk for place in places.places]
        places.seen.clear()
        existing = set(
            ReportedPair.objects.filter(source=source).values_list("place_a_id", "place_b_id")
        )
        wanted = len(pairs)
        new = sorted(
            pair
            for pair in (ReportedPair.ordered(ids[a], ids[b]) for a, b in pairs)
            if pair not in existing
        )
        pairs.clear()
        # In slices: bulk_create makes a list of all the objects it is given.
        for start in range(0, len(new), 5000):
            ReportedPair.objects.bulk_create(
                [ReportedPair(place_a_id=a, place_b_id=b, source=source)
                 for a, b in new[start : start + 5000]],
                batch_size=1000,
            )  # fmt: skip
        report.pairs_new, report.pairs_existing = len(new), wanted - len(new)
        versions.bump_all()  # bulk writes send no signals (register/versions.py)
    return report
