"""The organisation and its relations with everything its pages read of them, in a
fixed number of queries (14, whatever the number of partners) whose SQL is compiled
once per organisation (register/fetching.py).

Each query below selects by the organisation, not by a list of ids, so that its SQL
stays the same from one render to the next; together they are what
`prefetch_related` fetched before (the same rows, in the same order; the four kinds of
sources and the two of areas each in one UNION), and `page()` puts them where a
prefetch would have: `relation.agreements.all()`, `agreement.kind`,
`activity.relations.all()`, `place.names.all()`. tests/test_page_gathering.py compares
the two.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import CharField, F, Q, Value

from register.fetching import OWNER, attach, by_owner, link, rows
from register.models import (
    Activity,
    ActivityKind,
    Agreement,
    AgreementKind,
    Decision,
    FocusArea,
    Funding,
    GovernanceRule,
    Organisation,
    Place,
    PlaceName,
    Relation,
    Source,
)

# --- the queries: (organisation id, drafts) -> queryset -------------------------------


def _relations(org: int, drafts: bool):
    shown = Relation.objects.all() if drafts else Relation.objects.published()
    return shown.filter(organisation_id=org).order_by("order", "id")


def _relation_ids(org: int, drafts: bool):
    return _relations(org, drafts).order_by().values("pk")


def _agreements(org: int, drafts: bool):
    shown = Agreement.objects.all() if drafts else Agreement.objects.published()
    return shown.filter(relation__in=_relation_ids(org, drafts))


def _activities(org: int, drafts: bool):
    """One row per activity and page relation it is linked to, as the prefetch had."""
    shown = Activity.objects.all() if drafts else Activity.objects.published()
    return _owned(shown, "relations", _relation_ids(org, drafts))


def _linked(model, path: str, owners):
    """`model`'s rows linked to `owners` through the many-to-many `path`, each with
    the owner it belongs to."""
    return _owned(model.objects.all(), path, owners.order_by().values("pk"))


def _owned(queryset, path: str, owner_ids):
    """One row per link: the filter joins the link table (an inner join, from the
    owners' side, so the database reads only their links) and the annotation reuses
    that join to name the owner."""
    return queryset.filter(**{f"{path}__in": owner_ids}).annotate(**{OWNER: F(f"{path}__id")})


def _organisation(slug: str):
    return Organisation.objects.filter(slug=slug)


def _rules(org, drafts):
    return GovernanceRule.objects.filter(organisation_id=org)


def _organisation_sources(org, drafts):
    return _linked(Source, "organisations", Organisation.objects.filter(pk=org))


def _agreement_kinds(org, drafts):
    """The kinds of the agreements and of the organisation's rules."""
    return AgreementKind.objects.filter(
        Q(pk__in=_agreements(org, drafts).values("kind_id"))
        | Q(pk__in=_rules(org, drafts).values("kind_id"))
    )


def _decisions(org, drafts):
    return Decision.objects.filter(pk__in=_agreements(org, drafts).values("decision_id"))


def _focus_areas(org, drafts):
    return _linked(FocusArea, "agreements", _agreements(org, drafts))


def _funding(org, drafts):
    return Funding.objects.filter(agreement__in=_agreements(org, drafts).values("pk"))


def _agreement_sources(org, drafts):
    return _linked(Source, "agreements", _agreements(org, drafts))


def _activity_kinds(org, drafts):
    return ActivityKind.objects.filter(pk__in=_activities(org, drafts).values("kind_id"))


def _themes(org, drafts):
    return _linked(FocusArea, "activities", _activities(org, drafts))


def _activity_sources(org, drafts):
    return _linked(Source, "activities", _activities(org, drafts))


def _activity_relations(org, drafts):
    """An activity's partners, drafts among them (its sentence names them all)."""
    return _linked(Relation, "activities", _activities(org, drafts))


def _relation_sources(org, drafts):
    return _linked(Source, "relations", _relations(org, drafts))


LINKED_BY = "linked_by"  # which link table a row of a UNION below came through
SOURCE_LINKS = {
    "organisation": _organisation_sources,
    "relation": _relation_sources,
    "agreement": _agreement_sources,
    "activity": _activity_sources,
}
AREA_LINKS = {"agreement": _focus_areas, "activity": _themes}


def _union(links: dict, ordering: list[str]):
    """The rows of each of `links` in one query, each named by its link: one round trip
    for the four kinds of sources (or the two of areas), in the model's order."""
    parts = [
        build_part.order_by().annotate(**{LINKED_BY: Value(name, output_field=CharField())})
        for name, build_part in links.items()
    ]
    return parts[0].union(*parts[1:], all=True).order_by(*ordering)


def _sources(org, drafts):
    return _union({n: b(org, drafts) for n, b in SOURCE_LINKS.items()}, Source._meta.ordering)


def _areas(org, drafts):
    return _union({n: b(org, drafts) for n, b in AREA_LINKS.items()}, FocusArea._meta.ordering)


def _place_ids(org: int, drafts: bool):
    """The organisation's own place, its partners and its activities' partners."""
    return Place.objects.filter(
        Q(pk__in=Organisation.objects.filter(pk=org).values("place_id"))
        | Q(pk__in=_relations(org, drafts).order_by().values("partner_id"))
        | Q(pk__in=_activity_relations(org, drafts).order_by().values("partner_id"))
    ).values("pk")


def _places(org, drafts):
    return Place.objects.filter(pk__in=_place_ids(org, drafts))


def _place_names(org, drafts):
    return PlaceName.objects.filter(place__in=_place_ids(org, drafts))


# --- put together -----------------------------------------------------------------------


def page(slug: str, drafts: bool = False) -> tuple[Organisation, list[Relation]] | None:
    """The organisation (its place, rules and sources) and the relations its page shows,
    in its order, with their partners, agreements, activities and sources; every
    place's names. None when there is no such organisation."""
    found = rows(_organisation, slug)
    if not found:
        return None
    organisation = found[0]
    key = (organisation.pk, drafts)
    places = {place.pk: place for place in rows(_places, *key)}
    _with_names(list(places.values()), key)
    link(found, "place", places)
    kinds = {kind.pk: kind for kind in rows(_agreement_kinds, *key)}
    rules = rows(_rules, *key)
    link(rules, "kind", kinds)
    attach(found, "governance_rules", {organisation.pk: rules})
    linked = {"sources": _by_link(rows(_sources, *key)), "areas": _by_link(rows(_areas, *key))}
    attach(found, "sources", linked["sources"]["organisation"])
    relations = rows(_relations, *key)
    link(relations, "partner", places)
    attach(relations, "sources", linked["sources"]["relation"])
    agreements = _agreements_of(key, relations, kinds, linked)
    attach(relations, "agreements", _grouped(agreements, "relation_id"))
    attach(relations, "activities", by_owner(_activities_of(key, places, linked)))
    return organisation, relations


def _agreements_of(key: tuple, relations: list, kinds: dict, linked: dict) -> list[Agreement]:
    agreements = rows(_agreements, *key)
    link(agreements, "relation", {relation.pk: relation for relation in relations})
    link(agreements, "kind", kinds)
    link(agreements, "decision", {d.pk: d for d in rows(_decisions, *key)})
    attach(agreements, "focus_areas", linked["areas"]["agreement"])
    attach(agreements, "funding", _grouped(rows(_funding, *key), "agreement_id"))
    attach(agreements, "sources", linked["sources"]["agreement"])
    return agreements


def _activities_of(key: tuple, places: dict, linked: dict) -> list[Activity]:
    activities = rows(_activities, *key)
    link(activities, "kind", {kind.pk: kind for kind in rows(_activity_kinds, *key)})
    attach(activities, "themes", linked["areas"]["activity"])
    attach(activities, "sources", linked["sources"]["activity"])
    partners = rows(_activity_relations, *key)
    link(partners, "partner", places)
    attach(activities, "relations", by_owner(partners))
    return activities


def _by_link(instances) -> dict[str, dict]:
    """{link: {owner: rows}} from a UNION's rows (_union)."""
    split: dict[str, list] = {}
    for instance in instances:
        split.setdefault(getattr(instance, LINKED_BY), []).append(instance)
    return defaultdict(dict, {name: by_owner(found) for name, found in split.items()})


def _with_names(places: list[Place], key: tuple) -> None:
    names = _grouped(rows(_place_names, *key), "place_id")
    attach(places, "names", names)


def _grouped(instances, attribute: str) -> dict:
    grouped: dict = {}
    for instance in instances:
        grouped.setdefault(getattr(instance, attribute), []).append(instance)
    return grouped
