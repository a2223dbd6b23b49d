"""What the outside data tells an organisation: twin-town chains and reciprocity."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from interop.models import ReportedPair
from register.models import Organisation, Place, Relation


def twinning_graph() -> nx.Graph:
    """Places as nodes; an edge where a source reports a pair or a register keeps a
    published relation. Two queries, whatever the size of the data."""
    graph = nx.Graph()
    graph.add_edges_from(ReportedPair.objects.values_list("place_a_id", "place_b_id"))
    graph.add_edges_from(
        Relation.objects.published().values_list("organisation__place_id", "partner_id")
    )
    return graph


def chains(min_size: int = 3, place: Place | None = None) -> list[list[int]]:
    """Twin-town chains: maximal groups of three or more places all twinned with each
    other (maximal cliques), largest first. With `place`, only those it belongs to."""
    graph = twinning_graph()
    if place is not None:
        if place.pk not in graph:
            return []
        found = nx.find_cliques(graph, nodes=None)
        found = (clique for clique in found if place.pk in clique)
    else:
        found = nx.find_cliques(graph)
    result = [sorted(clique) for clique in found if len(clique) >= min_size]
    return sorted(result, key=lambda clique: (-len(clique), clique))


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
