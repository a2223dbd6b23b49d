"""The querysets the API and the exports read: published records only, each list
fetched in a fixed number of queries whatever its length (select_related + Prefetch).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from register.models import (
    Activity,
    Agreement,
    Decision,
    Organisation,
    Place,
    PlaceName,
    Relation,
    Source,
)


def published_agreements() -> QuerySet:
    return (
        Agreement.objects.published()
        .select_related("kind", "decision")
        .prefetch_related("focus_areas", "funding", "sources")
        .order_by("start_earliest", "id")
    )


def places() -> QuerySet:
    return Place.objects.prefetch_related(
        Prefetch("names", queryset=PlaceName.objects.order_by("language"))
    ).order_by("name", "country", "id")


def relations() -> QuerySet:
    return (
        Relation.objects.published()
        .filter(organisation__isnull=False)
        .select_related("organisation__place", "partner")
        .prefetch_related(
            Prefetch("partner__names", queryset=PlaceName.objects.order_by("language")),
            Prefetch("agreements", queryset=published_agreements()),
            Prefetch("decisions", queryset=Decision.objects.order_by("date", "id")),
            "sources",
        )
        .order_by("organisation__slug", "order", "id")
    )


def activities() -> QuerySet:
    return (
        Activity.objects.published()
        .select_related("kind", "organisation")
        .prefetch_related(
            Prefetch(
                "relations",
                queryset=Relation.objects.published().select_related("partner").order_by("id"),
            ),
            "themes",
            "sources",
        )
        .order_by("date_earliest", "id")
    )


def organisations() -> QuerySet:
    return Organisation.objects.select_related("place").order_by("slug")


def sources() -> QuerySet:
    return Source.objects.cited_publicly().select_related("organisation").order_by("title", "id")


def reported_pairs(*, place: int | None = None, country: str | None = None) -> QuerySet:
    """Pairs reported by outside sources, in the order of /api/pairs."""
    from interop.models import ReportedPair

    pairs = ReportedPair.objects.select_related("place_a", "place_b").order_by(
        "place_a_id", "place_b_id", "source_id"
    )
    if place:
        pairs = pairs.filter(Q(place_a_id=place) | Q(place_b_id=place))
    if country:
        code = country.upper()
        pairs = pairs.filter(Q(place_a__country=code) | Q(place_b__country=code))
    return pairs


def filter_places(queryset: QuerySet, *, country: str | None = None, q: str | None = None):
    if country:
        queryset = queryset.filter(country=country.upper())
    if q:
        queryset = queryset.filter(name_matches(q))
    return queryset


# --- filters --------------------------------------------------------------------


def name_matches(text: str, prefix: str = "") -> Q:
    """A place's name in any language contains `text` (case-insensitive)."""
    other_names = PlaceName.objects.filter(
        place=OuterRef(f"{prefix}pk" if not prefix else f"{prefix}id"), name__icontains=text
    )
    return Q(**{f"{prefix}name__icontains": text}) | Q(Exists(other_names))


def filter_relations(
    queryset: QuerySet,
    *,
    organisation: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    focus_area: str | None = None,
    status: str | None = None,
    on: date | None = None,
    q: str | None = None,
) -> QuerySet:
    if organisation:
        queryset = queryset.filter(organisation__slug=organisation)
    if country:
        queryset = queryset.filter(partner__country=country.upper())
    agreements = Agreement.objects.published().filter(relation=OuterRef("pk"))
    if kind:
        queryset = queryset.filter(Exists(agreements.filter(kind__code=kind)))
    if focus_area:
        queryset = queryset.filter(Exists(agreements.filter(focus_areas__code=focus_area)))
    if status:
        queryset = queryset.filter(Exists(agreements.with_status_on(on or date.today(), status)))
    if q:
        queryset = queryset.filter(
            name_matches(q, "partner__")
            | Q(organisation__name_sv__icontains=q)
            | Q(organisation__name_en__icontains=q)
            | name_matches(q, "organisation__place__")
        )
    return queryset
