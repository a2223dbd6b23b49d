"""National figures as SKR's surveys give them, computed from the register on every
request (so always current), in a fixed number of queries.

The municipalities' own registers and the pairs reported by Wikipedia/Wikidata are
counted apart: a reported pair is what a source says, not a decision.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from national.health import agreement_in_force, quiet, quiet_years, with_last_activity
from national.queries import HOME, with_a_swedish_side
from register.lifecycle import years_before
from register.models import Agreement, AgreementKind, Relation, country_name


@dataclass
class Statistics:
    today: date
    years: int
    municipalities: int = 0  # with at least one relation in their own register
    relations: int = 0
    relations_in_force: int = 0
    agreements_in_force: int = 0
    relations_with_recent_activity: int = 0  # an activity in the last `years` years
    relations_never_active: int = 0
    dormant: int = 0  # in force, and no activity for `years` years
    by_country: list[tuple[str, int]] = field(default_factory=list)  # (code, relations)
    by_kind: list[tuple[str, str, int]] = field(default_factory=list)  # (code, label, n)
    reported_pairs: int = 0
    reported_municipalities: int = 0
    reported_by_country: list[tuple[str, int]] = field(default_factory=list)

    def country_rows(self, lang: str):
        """[(code, name, own relations, reported pairs)], the most twinned first."""
        own = dict(self.by_country)
        reported = dict(self.reported_by_country)
        codes = set(own) | set(reported)
        rows = [(c, country_name(c, lang), own.get(c, 0), reported.get(c, 0)) for c in codes]
        return sorted(rows, key=lambda r: (-r[2], -r[3], r[1]))

    def as_json(self) -> dict:
        return {
            "date": self.today.isoformat(),
            "quiet_years": self.years,
            "own_registers": {
                "municipalities_with_relations": self.municipalities,
                "relations": self.relations,
                "relations_in_force": self.relations_in_force,
                "agreements_in_force": self.agreements_in_force,
                "relations_with_activity_in_period": self.relations_with_recent_activity,
                "relations_without_any_activity": self.relations_never_active,
                "dormant_relations": self.dormant,
                "relations_by_country": dict(self.by_country),
                "relations_by_kind": {code: n for code, _label, n in self.by_kind},
            },
            "reported": {
                "source": "Wikipedia/Wikidata",
                "pairs": self.reported_pairs,
                "municipalities": self.reported_municipalities,
                "pairs_by_country": dict(self.reported_by_country),
            },
        }


def compute(today: date, relations=None, pairs=None) -> Statistics:
    """Four queries of plain values (no model instances): relations with their last
    activity, their agreements' bounds and kinds, the kinds, and the reported pairs."""
    years = quiet_years()
    stats = Statistics(today=today, years=years)
    cutoff = years_before(today, years)
    relations = Relation.objects.published() if relations is None else relations
    rows = list(
        with_last_activity(relations)
        .order_by()
        .values_list("pk", "organisation_id", "partner__country", "last_activity")
    )
    agreements: dict[int, list[tuple]] = {}
    for relation_id, kind_id, start, end in (
        Agreement.objects.published()
        .filter(relation__in=relations.values("pk"))
        .order_by()
        .values_list("relation_id", "kind_id", "start_earliest", "end_latest")
    ):
        agreements.setdefault(relation_id, []).append((kind_id, start, end))
    kinds: Counter = Counter()
    countries: Counter = Counter()
    municipalities = set()
    for pk, organisation_id, country, last in rows:
        mine = agreements.get(pk, [])
        municipalities.add(organisation_id)
        countries[country] += 1
        for kind_id in {kind for kind, _start, _end in mine}:
            kinds[kind_id] += 1
        active = sum(agreement_in_force(start, end, today) for _kind, start, end in mine)
        stats.agreements_in_force += active
        stats.relations_in_force += bool(active)
        if last is None:
            stats.relations_never_active += 1
        elif last >= cutoff:
            stats.relations_with_recent_activity += 1
        starts = [start for _kind, start, _end in mine if start]
        stats.dormant += quiet(bool(active), last, starts, cutoff)
    stats.relations = len(rows)
    stats.municipalities = len(municipalities)
    stats.by_country = sorted(countries.items(), key=lambda item: (-item[1], item[0]))
    stats.by_kind = [
        (kind.code, kind.label, kinds[kind.pk])
        for kind in AgreementKind.objects.order_by("order", "code")
        if kinds[kind.pk]
    ]
    pairs = with_a_swedish_side() if pairs is None else pairs.order_by()
    sides = pairs.values_list("place_a_id", "place_a__country", "place_b_id", "place_b__country")
    reported_countries = Counter()
    reported_places = set()
    for a_id, a_country, b_id, b_country in sides:
        stats.reported_pairs += 1
        if a_country == HOME:
            reported_places.add(a_id)
            reported_countries[b_country] += 1
        else:
            reported_places.add(b_id)
            reported_countries[a_country] += 1
    stats.reported_municipalities = len(reported_places)
    stats.reported_by_country = sorted(
        reported_countries.items(), key=lambda item: (-item[1], item[0])
    )
    return stats
