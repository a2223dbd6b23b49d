"""What the outside data tells an organisation: twin-town chains and reciprocity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Max

from interop.models import ReportedPair
from register.models import Organisation, Place, Relation

if TYPE_CHECKING:
    import networkx as nx


def twinning_graph() -> nx.Graph:
    """Places as nodes; an edge where a source reports a pair or a register keeps a
    published relation. Two queries, whatever the size of the data."""
    import networkx as nx  # here, not at import: loading it takes a third of a second

    graph = nx.Graph()
    graph.add_edges_from(ReportedPair.objects.values_list("place_a_id", "place_b_id"))
    graph.add_edges_from(
        Relation.objects.published().values_list("organisation__place_id", "partner_id")
    )
    return graph


def _data_version() -> tuple:
    """Changes whenever a pair or a published relation is added, removed or changed."""
    pairs = ReportedPair.objects.aggregate(n=Count("id"), last=Max("id"))
    relations = Relation.objects.published().aggregate(
        n=Count("id"), last=Max("id"), changed=Max("updated_at")
    )
    return tuple(pairs.values()) + tuple(relations.values())


_cliques_cache: dict[tuple, list[list[int]]] = {}


def all_cliques() -> list[list[int]]:
    """Every maximal clique of 3+ places, largest first; kept while the data is unchanged
    (finding them over the national data takes a few tenths of a second)."""
    version = _data_version()
    if version not in _cliques_cache:
        import networkx as nx

        found = (sorted(c) for c in nx.find_cliques(twinning_graph()) if len(c) >= 3)
        _cliques_cache.clear()
        _cliques_cache[version] = sorted(found, key=lambda clique: (-len(clique), clique))
    return _cliques_cache[version]


def chains(min_size: int = 3, place: Place | None = None) -> list[list[int]]:
    """Twin-town chains: maximal groups of three or more places all twinned with each
    other (maximal cliques), largest first. With `place`, only those it belongs to."""
    return [
        clique
        for clique in all_cliques()
        if len(clique) >= min_size and (place is None or place.pk in clique)
    ]


def places_by_id(ids) -> dict[int, Place]:
    return {place.pk: place for place in Place.objects.filter(pk__in=set(ids))}


@dataclass
class Reciprocity:
    """Partners an outside source reports that the register lacks, and the reverse."""

    organisation: Organisation
    reported_not_in_register: list[Place]
    in_register_not_reported: list[Place]


def reciprocity(organisation: Organisation, source=None) -> Reciprocity:
    home = organisation.place_id
    pairs = ReportedPair.objects.involving(organisation.place)
    if source is not None:
        pairs = pairs.filter(source=source)
    reported = {b if a == home else a for a, b in pairs.values_list("place_a_id", "place_b_id")}
    kept = set(organisation.relations.published().values_list("partner_id", flat=True))
    places = places_by_id(reported | kept)

    def ordered(ids):
        return sorted((places[pk] for pk in ids), key=lambda p: (p.name, p.country, p.pk))

    return Reciprocity(organisation, ordered(reported - kept), ordered(kept - reported))
