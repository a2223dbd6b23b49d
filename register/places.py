"""Place identity: the one home of the rule that decides whether a name in a file, on
a command line or in an import is a place the register already has.

The order (issue 11, "places that stay themselves"):

1. the Wikidata id: a place with that id is the place;
2. a name in any language (the place's local name or any of its PlaceNames, compared
   case- and whitespace-insensitively, in Unicode NFC) with the same country, where
   - a place with a *different* Wikidata id is never the same place,
   - differing non-empty regions are not the same place (Kansas City, Missouri and
     Kansas City, Kansas),
   - where both sides have coordinates they are within MATCH_DISTANCE_KM;
3. otherwise a new place.

More than one candidate left after step 2 is *ambiguous*: it is reported with the
candidates, never guessed. Importers keep what their file gives (names per language,
region, coordinates, Wikidata id) by filling blanks; a stored value that differs is kept
and reported, never overwritten silently.

`PlaceMatcher` is for importers: it loads the register's places and names with a fixed
number of queries (two) into an in-memory index, matches any number of rows against it,
grows as the import adds places, and writes its changes in bulk with history.
`place_from_argument` is for commands that take a place: an id, a Q-id or a name.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from register.models import Place, PlaceName, validate_country_code

# Two entries for one town rarely agree on its coordinates: Wikipedia and Wikidata put
# a city's point at its centre, its town hall or its historical core, a few km apart
# for a large city (Kansas City's two centres are 3 km apart, but they differ by region).
# Two distinct towns of one name in one country are, in the data we have, much further
# apart (the Swedish Lunds, the Nikopols). 15 km takes the first as one place and keeps
# the second apart; a name in the same country closer than that is one place.
MATCH_DISTANCE_KM = 15.0

# Coordinates of one place that differ by less than this are the same point, not a
# conflict worth reporting (rounding, centre versus town hall).
SAME_POINT_KM = 1.0

QID = re.compile(r"^Q[1-9][0-9]*$")


def _max_length(model, name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length
    return field.max_length


NAME_MAX = _max_length(Place, "name")
REGION_MAX = _max_length(Place, "region")
LANGUAGE_MAX = _max_length(PlaceName, "language")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def normalise(text: str) -> str:
    """The form names are compared in: NFC, case folded, whitespace collapsed."""
    text = unicodedata.normalize("NFC", " ".join((text or "").split()))
    return unicodedata.normalize("NFC", text.casefold())


def distance_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def coordinate(value, limit: int) -> Decimal | None:
    """A latitude (limit 90) or longitude (180) as the register stores it, or None."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"“{value}” is not a number") from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise ValueError(f"{value} is outside ±{limit}")
    return number.quantize(Decimal("0.000001"))


def describe(place: Place) -> str:
    """'Lund (id 12, SE, Skåne, Q2167)': enough to tell two places of one name apart."""
    parts = [f"id {place.pk}" if place.pk else _("new"), place.country]
    parts.append(place.region or _("no region"))
    parts.append(place.wikidata_id or _("no Wikidata id"))
    return f"{place.name} ({', '.join(parts)})"


def problem_with(
    *, name: str, country: str, names=None, region="", latitude=None, longitude=None, wikidata_id=""
) -> str:
    """Why these values cannot make a place ("" when they can): what an importer checks
    before matching a row, so that a bad row is refused rather than stored."""
    for label, text, limit in [("name", name, NAME_MAX), ("region", region, REGION_MAX)] + [
        (f"name ({lang})", text, NAME_MAX) for lang, text in (names or {}).items()
    ]:
        if not isinstance(text, str):
            return f"{label} is not text"
        if CONTROL.search(text):
            return f"{label} contains a control character"
        if len(text) > limit:
            return f"{label} is longer than {limit} characters"
    if not " ".join(name.split()):
        return "name is empty"
    for lang in names or {}:
        if not isinstance(lang, str) or not lang or len(lang) > LANGUAGE_MAX:
            return f"“{lang}” is not a language code"
    try:
        validate_country_code(country)
    except Exception:  # ValidationError, or a non-string
        return f"country “{country}” is not an ISO 3166-1 alpha-2 code"
    if wikidata_id and not (isinstance(wikidata_id, str) and QID.match(wikidata_id)):
        return f"“{wikidata_id}” is not a Wikidata id (Q followed by digits)"
    try:
        coordinate(latitude, 90), coordinate(longitude, 180)
    except ValueError as exc:
        return f"coordinates: {exc}"
    if (latitude is None) != (longitude is None):
        return "coordinates: a latitude needs a longitude"
    return ""


@dataclass(frozen=True)
class MatchResult:
    status: Literal["matched", "new", "ambiguous"]
    place: Place | None = None
    candidates: tuple[Place, ...] = ()

    @property
    def matched(self) -> bool:
        return self.status == "matched"

    @property
    def new(self) -> bool:
        return self.status == "new"

    @property
    def ambiguous(self) -> bool:
        return self.status == "ambiguous"

    @property
    def reason(self) -> str:
        """For a refusal: which places the name could be."""
        if not self.ambiguous:
            return ""
        return "the name fits several places: " + "; ".join(map(describe, self.candidates))


@dataclass
class Update:
    """What update_from changed (field names, names added) and what it kept (conflicts)."""

    fields: list[str] = field(default_factory=list)
    names: list[PlaceName] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.names)


def _plan_update(
    place: Place,
    existing_names: dict[str, str],
    *,
    names=None,
    region="",
    latitude=None,
    longitude=None,
    wikidata_id="",
) -> Update:
    """Fill the place's blanks from the given values (in memory); report differences."""
    update = Update()
    label = describe(place)
    if wikidata_id:
        if not place.wikidata_id:
            place.wikidata_id = wikidata_id
            update.fields.append("wikidata_id")
        elif place.wikidata_id != wikidata_id:
            update.conflicts.append(
                f"{label}: the register has Wikidata id {place.wikidata_id}, the file "
                f"{wikidata_id}; kept {place.wikidata_id}"
            )
    region = " ".join((region or "").split())
    if region:
        if not place.region:
            place.region = region
            update.fields.append("region")
        elif normalise(place.region) != normalise(region):
            update.conflicts.append(
                f"{label}: the register has region “{place.region}”, the file “{region}”; "
                "kept the register's"
            )
    lat, lon = coordinate(latitude, 90), coordinate(longitude, 180)
    if lat is not None and lon is not None:
        if place.latitude is None or place.longitude is None:
            place.latitude, place.longitude = lat, lon
            update.fields += ["latitude", "longitude"]
        elif distance_km(place.latitude, place.longitude, lat, lon) > SAME_POINT_KM:
            update.conflicts.append(
                f"{label}: the register has coordinates {place.latitude}, {place.longitude}, "
                f"the file {lat}, {lon}; kept the register's"
            )
    for lang, text in (names or {}).items():
        text = " ".join((text or "").split())
        if not text:
            continue
        stored = existing_names.get(lang)
        if stored is None:
            existing_names[lang] = text
            update.names.append(PlaceName(place=place, language=lang, name=text))
        elif normalise(stored) != normalise(text):
            update.conflicts.append(
                f"{label}: the register names it “{stored}” in {lang}, the file “{text}”; "
                "kept the register's"
            )
    return update


def update_from(
    place: Place, *, names=None, region="", latitude=None, longitude=None, wikidata_id=""
) -> Update:
    """Keep what a file gives about a place: fill its blanks, save with history, and
    report (in Update.conflicts) every stored value that differs and was kept."""
    existing = dict(place.names.values_list("language", "name"))
    update = _plan_update(
        place,
        existing,
        names=names,
        region=region,
        latitude=latitude,
        longitude=longitude,
        wikidata_id=wikidata_id,
    )
    with transaction.atomic():
        if update.fields:
            place.save(update_fields=[*update.fields, "updated_at", "version"])
        for name in update.names:
            name.place = place
            name.save()
    return update


class PlaceMatcher:
    """The register's places in memory, for matching many rows: two queries to build,
    none to match; `add` and `new_place` grow it; `save` writes what was planned."""

    def __init__(self, queryset=None):
        # Every field: history rows are written from these objects, and a deferred field
        # would cost a query per place there.
        places = list((queryset if queryset is not None else Place.objects.all()).order_by("pk"))
        by_pk = {place.pk: place for place in places}
        self.by_qid: dict[str, Place] = {}
        self.by_name: dict[tuple[str, str], list[Place]] = {}
        self.names_of: dict[int, dict[str, str]] = {}  # id(place) -> {language: name}
        for place in places:
            self._index(place, {})
        for place_id, language, name in PlaceName.objects.filter(place_id__in=by_pk).values_list(
            "place_id", "language", "name"
        ):
            place = by_pk[place_id]
            self.names_of[id(place)][language] = name
            self._index_name(place, name)
        self.created: list[Place] = []
        self.matched: set[int] = set()  # pks of existing places matched at least once
        self._dirty: dict[int, tuple[Place, set[str]]] = {}
        self._names: list[PlaceName] = []
        self.conflicts: list[str] = []

    # --- the index ---------------------------------------------------------------------

    def _index_name(self, place: Place, name: str) -> None:
        bucket = self.by_name.setdefault((normalise(name), place.country.upper()), [])
        if place not in bucket:  # identity: unsaved places have no pk to compare
            bucket.append(place)

    def _index(self, place: Place, names: dict[str, str]) -> None:
        self.names_of.setdefault(id(place), {}).update(names)
        if place.wikidata_id:
            self.by_qid[place.wikidata_id] = place
        for name in [place.name, *names.values()]:
            self._index_name(place, name)

    def add(self, place: Place, names: dict[str, str] | None = None) -> None:
        """A place created elsewhere during the import: later rows match it."""
        self._index(place, dict(names or {}))

    # --- matching ----------------------------------------------------------------------

    def match(
        self,
        *,
        name: str,
        country: str,
        names: dict[str, str] | None = None,
        region: str = "",
        latitude=None,
        longitude=None,
        wikidata_id: str = "",
    ) -> MatchResult:
        if wikidata_id and wikidata_id in self.by_qid:
            return MatchResult("matched", self.by_qid[wikidata_id])
        country = (country or "").upper()
        lat, lon = coordinate(latitude, 90), coordinate(longitude, 180)
        region_key = normalise(region)
        seen: list[Place] = []
        for text in [name, *(names or {}).values()]:
            for place in self.by_name.get((normalise(text), country), ()):
                if place not in seen:
                    seen.append(place)
        candidates = []
        for place in seen:
            if wikidata_id and place.wikidata_id and place.wikidata_id != wikidata_id:
                continue  # different Wikidata ids: never the same place
            if region_key and place.region and normalise(place.region) != region_key:
                continue  # Kansas City, Missouri is not Kansas City, Kansas
            if (
                lat is not None
                and lon is not None
                and place.latitude is not None
                and place.longitude is not None
                and distance_km(place.latitude, place.longitude, lat, lon) > MATCH_DISTANCE_KM
            ):
                continue  # one name, two towns far apart
            candidates.append(place)
        if len(candidates) == 1:
            return MatchResult("matched", candidates[0])
        if candidates:
            return MatchResult("ambiguous", candidates=tuple(candidates))
        return MatchResult("new")

    # --- planning changes ------------------------------------------------------------

    def new_place(
        self,
        *,
        name: str,
        country: str,
        names: dict[str, str] | None = None,
        region: str = "",
        latitude=None,
        longitude=None,
        wikidata_id: str = "",
    ) -> Place:
        """An unsaved place, indexed at once and written by `save`."""
        place = Place(
            name=" ".join(name.split()),
            country=country.upper(),
            region=" ".join((region or "").split()),
            latitude=coordinate(latitude, 90),
            longitude=coordinate(longitude, 180),
            wikidata_id=wikidata_id or "",
        )
        clean_names = {lang: " ".join(t.split()) for lang, t in (names or {}).items() if t}
        self._index(place, clean_names)
        self._names += [PlaceName(place=place, language=k, name=v) for k, v in clean_names.items()]
        self.created.append(place)
        return place

    def update_from(
        self, place: Place, *, names=None, region="", latitude=None, longitude=None, wikidata_id=""
    ) -> Update:
        """update_from planned in memory, written by `save`; conflicts are collected."""
        update = _plan_update(
            place,
            self.names_of.setdefault(id(place), {}),
            names=names,
            region=region,
            latitude=latitude,
            longitude=longitude,
            wikidata_id=wikidata_id,
        )
        if update.fields and place.pk is not None:
            self._dirty.setdefault(id(place), (place, set()))[1].update(update.fields)
        if "wikidata_id" in update.fields:
            self.by_qid[place.wikidata_id] = place
        for placename in update.names:
            self._index_name(place, placename.name)
        self._names += update.names
        self.conflicts += update.conflicts
        return update

    def resolve(self, **values) -> MatchResult:
        """Match; then keep what the values give (a matched place's blanks are filled,
        a new place is planned). An ambiguous result changes nothing."""
        result = self.match(**values)
        if result.matched:
            assert result.place is not None  # a match names its place
            if result.place.pk is not None:
                self.matched.add(result.place.pk)
            details = {k: v for k, v in values.items() if k not in ("name", "country")}
            self.update_from(result.place, **details)
            return result
        if result.new:
            return MatchResult("new", self.new_place(**values))
        return result

    def save(self, reason: str) -> None:
        """Write the planned places, updates and names in bulk, each with history."""
        if self.created:
            unsaved = [place for place in self.created if place.pk is None]
            bulk_create_with_history(unsaved, Place, batch_size=500, default_change_reason=reason)
        if self._dirty:
            fields = sorted(set().union(*(changed for _, changed in self._dirty.values())))
            places = [place for place, _ in self._dirty.values()]
            now = timezone.now()
            for place in places:
                place.version += 1
                place.updated_at = now
            bulk_update_with_history(
                places,
                Place,
                [*fields, "version", "updated_at"],
                batch_size=500,
                default_change_reason=reason,
            )
            self._dirty.clear()
        if self._names:
            for placename in self._names:
                placename.place_id = placename.place.pk
            bulk_create_with_history(
                self._names, PlaceName, batch_size=500, default_change_reason=reason
            )
            self._names = []


# --- commands that take a place -------------------------------------------------------


class PlaceNotFound(ValueError):
    pass


class AmbiguousPlace(ValueError):
    def __init__(self, message: str, candidates: list[Place]):
        super().__init__(message)
        self.candidates = candidates


def place_from_argument(text: str, country: str = "") -> Place:
    """A place named on a command line: its id ("12"), its Wikidata id ("Q2167") or a
    name in any language (optionally narrowed by country). A name that fits several
    places is refused (AmbiguousPlace) naming each with id, country, region and Q-id."""
    text = " ".join((text or "").split())
    if text.isdigit():
        place = Place.objects.filter(pk=int(text)).first()
        if place is None:
            raise PlaceNotFound(_("no place has the id %(id)s") % {"id": text})
        return place
    if QID.match(text.upper()):
        place = Place.objects.filter(wikidata_id=text.upper()).first()
        if place is None:
            raise PlaceNotFound(_("no place has the Wikidata id %(qid)s") % {"qid": text.upper()})
        return place
    wanted = normalise(text)
    found = Place.objects.filter(Q(name__iexact=text) | Q(names__name__iexact=text))
    if country:
        found = found.filter(country=country.upper())
    candidates = [
        place
        for place in found.distinct().prefetch_related("names").order_by("pk")
        if wanted in {normalise(place.name), *(normalise(n.name) for n in place.names.all())}
    ]
    if not candidates:
        raise PlaceNotFound(_("no place is named “%(name)s”") % {"name": text})
    if len(candidates) > 1:
        listed = "; ".join(describe(place) for place in candidates)
        raise AmbiguousPlace(
            _("several places are named “%(name)s”: %(places)s. Give its id or Wikidata id.")
            % {"name": text, "places": listed},
            candidates,
        )
    return candidates[0]
