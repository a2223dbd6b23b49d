"""The national register's lists: the municipalities' own registers and the pairs
reported by Wikipedia/Wikidata, filtered the same way but never mixed.

Everything a page shows is fetched in a fixed number of queries, whatever the number
of rows: counts, one page of rows with select_related/Prefetch, the map's points, the
filters' choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.db.models import Case, Exists, F, FloatField, OuterRef, Prefetch, Q, QuerySet, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from interop.models import ReportedPair
from national import search
from national.counties import County, county_of
from national.health import is_dormant, with_last_activity
from register.language import current_lang
from register.models import (
    Agreement,
    AgreementStatus,
    Organisation,
    Place,
    PlaceName,
    Relation,
    country_name,
)

OWN, REPORTED = "own", "reported"


@lru_cache(maxsize=4096)
def country_label(code: str, lang: str) -> str:
    """register.models.country_name, remembered: Babel parses its locale on every call."""
    return country_name(code, lang)


IN_FORCE, ENDED = "active", "ended"
HOME = "SE"


@dataclass
class Filters:
    q: str = ""
    municipality: int | None = None  # a Swedish place's id
    county: str = ""  # a county's code (N)
    country: str = ""  # the partner's country (IT)
    kind: str = ""  # an agreement kind's code
    focus: str = ""  # a focus area's code
    status: str = ""  # active / ended
    source: str = OWN

    @property
    def only_own(self) -> bool:
        """Kind, focus area and status are known only from the municipalities' registers."""
        return bool(self.kind or self.focus or self.status)


@dataclass
class SwedishPlaces:
    """The Swedish places that appear in either source, with their counties: the
    municipality and county filters' choices (one query of plain values)."""

    places: list[tuple[int, str]]  # (id, the organisation's name or the place's)
    county: dict[int, County | None] = field(default_factory=dict)

    @property
    def ids(self) -> list[int]:
        return list(self.county)

    def ids_in(self, code: str) -> list[int]:
        return [pid for pid, county in self.county.items() if county and county.code == code]


def swedish_places(lang: str = "sv") -> SwedishPlaces:
    rows = (
        Place.objects.filter(country=HOME)
        .order_by("name", "pk")
        .values_list("pk", "name", "region", "organisation__name_sv", "organisation__name_en")
    )
    places, county = [], {}
    for pk, name, region, name_sv, name_en in rows:
        label = (name_en or name_sv) if lang == "en" and name_sv else (name_sv or name)
        places.append((pk, label))
        county[pk] = county_of(name, region)
    return SwedishPlaces(places, county)


def _names():
    return Prefetch("names", queryset=PlaceName.objects.all())


def in_force_agreements(today: date):
    return Agreement.objects.published().with_status_on(today, AgreementStatus.ACTIVE)


def own_relations(filters: Filters, places: SwedishPlaces, today: date) -> QuerySet[Relation]:
    rows = Relation.objects.published()
    if filters.q:
        ids = search.place_ids_matching(filters.q)
        rows = rows.filter(Q(partner_id__in=ids) | Q(organisation__place_id__in=ids))
    if filters.municipality:
        rows = rows.filter(organisation__place_id=filters.municipality)
    if filters.county:
        rows = rows.filter(organisation__place_id__in=places.ids_in(filters.county))
    if filters.country:
        rows = rows.filter(partner__country=filters.country)
    agreements = Agreement.objects.published().filter(relation=OuterRef("pk"))
    if filters.kind:
        rows = rows.filter(Exists(agreements.filter(kind__code=filters.kind)))
    if filters.focus:
        rows = rows.filter(Exists(agreements.filter(focus_areas__code=filters.focus)))
    if filters.status == IN_FORCE:
        rows = rows.filter(Exists(in_force_agreements(today).filter(relation=OuterRef("pk"))))
    elif filters.status == ENDED:
        not_over = Agreement.objects.published().exclude(end_latest__lt=today)
        rows = rows.filter(Exists(agreements)).exclude(
            Exists(not_over.filter(relation=OuterRef("pk")))
        )
    return rows


def own_page_rows(rows: QuerySet[Relation]) -> QuerySet[Relation]:
    """What a listed relation shows: its municipality, partner, agreements, last activity."""
    agreements = Agreement.objects.published().select_related("kind")
    return (
        with_last_activity(rows)
        .select_related("organisation__place", "partner")
        .prefetch_related(
            Prefetch("partner__names", queryset=PlaceName.objects.all()),
            Prefetch("agreements", queryset=agreements),
        )
        .order_by("organisation__name_sv", "partner__name", "pk")
    )


def swedish_side_is_a() -> Q:
    return Q(place_a__country=HOME)


SWEDISH_SIDE = (
    "SELECT p.id FROM interop_reportedpair p JOIN register_place s ON s.id = p.place_a_id"
    " WHERE s.country = %s"
    " UNION SELECT p.id FROM interop_reportedpair p JOIN register_place s"
    " ON s.id = p.place_b_id WHERE s.country = %s"
)


SWEDISH_SIDE_PG = (
    "SELECT id FROM interop_reportedpair"
    " WHERE place_a_id = ANY(ARRAY(SELECT id FROM register_place WHERE country = %s))"
    " OR place_b_id = ANY(ARRAY(SELECT id FROM register_place WHERE country = %s))"
)


def with_a_swedish_side(ids: list[int] | None = None) -> QuerySet[ReportedPair]:
    """Pairs with a Swedish place on either side, read through the index of each side.

    One side at a time, in a UNION: an OR of the two sides made PostgreSQL expect most
    of the table and read every pair and every place. (`ids`, the Swedish places'
    ids, is accepted for the callers that have them; the subquery needs no list.)"""
    from django.db import connection

    if connection.vendor == "postgresql":  # both sides' indexes at once (a BitmapOr)
        return ReportedPair.objects.filter(pk__in=RawSQL(SWEDISH_SIDE_PG, [HOME, HOME]))
    return ReportedPair.objects.filter(pk__in=RawSQL(SWEDISH_SIDE, [HOME, HOME]))


def reported_pairs(filters: Filters, places: SwedishPlaces) -> QuerySet[ReportedPair]:
    rows = with_a_swedish_side(places.ids)
    if filters.only_own:
        return rows.none()
    if filters.q:
        ids = search.place_ids_matching(filters.q)
        rows = rows.filter(Q(place_a_id__in=ids) | Q(place_b_id__in=ids))
    if filters.municipality:
        rows = rows.filter(Q(place_a_id=filters.municipality) | Q(place_b_id=filters.municipality))
    if filters.county:
        ids = places.ids_in(filters.county)
        rows = rows.filter(Q(place_a_id__in=ids) | Q(place_b_id__in=ids))
    if filters.country:
        rows = rows.filter(
            Q(place_a__country=HOME, place_b__country=filters.country)
            | Q(place_b__country=HOME, place_a__country=filters.country)
        )
    return rows


def reported_page_rows(rows: QuerySet[ReportedPair]) -> QuerySet[ReportedPair]:
    home_name = Case(When(swedish_side_is_a(), then=F("place_a__name")), default=F("place_b__name"))
    other_name = Case(
        When(swedish_side_is_a(), then=F("place_b__name")), default=F("place_a__name")
    )
    return (
        rows.select_related("place_a__organisation", "place_b__organisation", "source")
        .prefetch_related(
            Prefetch("place_a__names", queryset=PlaceName.objects.all()),
            Prefetch("place_b__names", queryset=PlaceName.objects.all()),
        )
        .annotate(home_name=home_name, other_name=other_name)
        .order_by("home_name", "other_name", "source_id", "pk")
    )


@dataclass
class Row:
    """One line of the list, the same shape for both sources (never mixed in one list)."""

    source: str  # own / reported
    municipality: Place
    organisation: Organisation | None
    partner: Place
    source_label: str
    kinds: list[str] = field(default_factory=list)
    period: str = ""
    status: str = ""
    last_activity: str = ""
    dormant: bool = False
    relation: Relation | None = None
    municipality_url: str = ""
    partner_url: str = ""
    partner_page_url: str = ""  # the partner on the municipality's own page
    partner_country: str = ""  # the partner's country, named in the reader's language


class Urls:
    """Addresses for many rows at the cost of one reverse() each (a reverse per row
    and link costs more than the row's database work)."""

    def __init__(self):
        from django.urls import reverse

        self.place = reverse("national:place", args=[999999999])
        self.organisation = reverse("public:organisation", args=["slug-0"])
        self.partner = reverse("public:partner", args=["slug-0", "partner-0"])

    def place_url(self, place: Place) -> str:
        return self.place.replace("999999999", str(place.pk))

    def organisation_url(self, organisation: Organisation) -> str:
        return self.organisation.replace("slug-0", organisation.slug)

    def fill(self, row: Row) -> Row:
        from public.pages import partner_slug

        row.municipality_url = (
            self.organisation_url(row.organisation)
            if row.organisation
            else self.place_url(row.municipality)
        )
        row.partner_url = self.place_url(row.partner)
        row.partner_country = country_label(row.partner.country, current_lang())
        if row.relation is not None and row.relation.partner_id == row.partner.pk:
            row.partner_page_url = self.partner.replace("slug-0", row.organisation.slug).replace(
                "partner-0", partner_slug(row.partner)
            )
        return row


def own_row(relation: Relation, today: date, lang: str) -> Row:
    from register.imprecise import format_date

    agreements = list(relation.agreements.all())
    return Row(
        source=OWN,
        municipality=relation.organisation.place,
        organisation=relation.organisation,
        partner=relation.partner,
        source_label=relation.organisation.name,
        kinds=sorted({a.kind.label for a in agreements}),
        period=relation.since_text(lang),
        status=relation.status_on(today),
        last_activity=format_date(relation.last_activity_text or "", lang),
        dormant=is_dormant(relation, today),
        relation=relation,
    )


def reported_row(pair: ReportedPair, lang: str) -> Row:
    from register.imprecise import format_span

    home, other = pair_sides(pair)
    organisation = getattr(home, "organisation", None)  # None when it keeps no register
    return Row(
        source=REPORTED,
        municipality=home,
        organisation=organisation,
        partner=other,
        source_label=pair.source.title,
        period=format_span(pair.start, pair.end, lang),
        status=ENDED if pair.end else "",
    )


def pair_sides(pair: ReportedPair) -> tuple[Place, Place]:
    """(the Swedish side, the other side); for two Swedish places, in stored order."""
    if pair.place_a.country == HOME:
        return pair.place_a, pair.place_b
    return pair.place_b, pair.place_a


def partner_points(filters: Filters, places: SwedishPlaces, today: date):
    """(lat, lon, country) of every partner in the filtered list of the chosen source."""
    as_float = {  # floats straight from the database: no Decimal conversion per row
        f"{side}_{axis}": Cast(f"{side}__{axis}", FloatField())
        for side in ("place_a", "place_b", "partner")
        for axis in ("latitude", "longitude")
    }
    if filters.source == REPORTED:
        rows = (
            reported_pairs(filters, places)
            .order_by()
            .annotate(**{k: v for k, v in as_float.items() if not k.startswith("partner")})
            .values_list(
                "place_a__country",
                "place_a_latitude",
                "place_a_longitude",
                "place_b__country",
                "place_b_latitude",
                "place_b_longitude",
            )
        )
        points = []
        for a_country, a_lat, a_lon, b_country, b_lat, b_lon in rows:
            if a_country == HOME:
                points.append((b_lat, b_lon, b_country))
            else:
                points.append((a_lat, a_lon, a_country))
    else:
        points = list(
            own_relations(filters, places, today)
            .order_by()
            .annotate(**{k: v for k, v in as_float.items() if k.startswith("partner")})
            .values_list("partner_latitude", "partner_longitude", "partner__country")
        )
    return [(lat, lon, c) for lat, lon, c in points if lat is not None and lon is not None]


def partner_countries(places: SwedishPlaces) -> list[str]:
    """Every country with a Swedish twinning in either source (two queries)."""
    own = set(Relation.objects.published().order_by().values_list("partner__country", flat=True))
    pairs = with_a_swedish_side(places.ids).order_by()
    reported = set()
    for a, b in pairs.values_list("place_a__country", "place_b__country").distinct():
        reported.add(b if a == HOME else a)
    return sorted(own | reported)
