"""Every field of every record of an organisation's register, via the ORM, with
references between records written as the records they point at (not database ids):
two installations' registers compare equal when they hold the same facts. Run in a
subprocess as `vanort shell -c "from tests.snapshot import dump; dump('halmstad')"`."""

from __future__ import annotations

import json

from register.models import (
    Activity,
    ActivityParticipants,
    Agreement,
    Decision,
    Funding,
    GovernanceRule,
    Organisation,
    Place,
    PlaceName,
    Relation,
    Source,
)

BOOKKEEPING = {"id", "updated_at", "version"}  # when and how often saved, not facts


def key(obj) -> str:
    """A record named by what it is, for records that point at it."""
    if obj is None:
        return "-"
    match obj:
        case Place():
            return f"place {obj.name}/{obj.country}/{obj.wikidata_id}"
        case Organisation():
            return f"organisation {obj.slug}"
        case Source():
            return f"source {obj.title}/{obj.url}/{obj.document}"
        case Relation():
            return f"relation {obj.organisation.slug}–{key(obj.partner)}"
        case Decision():
            return f"decision {key(obj.relation)}/{obj.reference}/{obj.date}"
        case Agreement():
            return f"agreement {key(obj.relation)}/{obj.kind.code}/{obj.start}"
        case Activity():
            return f"activity {obj.organisation.slug}/{obj.kind.code}/{obj.date}/{obj.title_sv}"
    return f"{obj._meta.model_name} {getattr(obj, 'code', obj.pk)}"


def record(obj) -> dict:
    values = {}
    for f in obj._meta.concrete_fields:
        if f.name in BOOKKEEPING:
            continue
        value = getattr(obj, f.name)
        values[f.name] = key(value) if f.is_relation else str(value)
    for f in obj._meta.many_to_many:
        values[f.name] = sorted(key(item) for item in getattr(obj, f.name).all())
    return values


def snapshot(slug: str) -> dict[str, list[dict]]:
    organisation = Organisation.objects.get(slug=slug)
    relations = Relation.objects.filter(organisation=organisation)
    partners = relations.values_list("partner", flat=True)
    places = Place.objects.filter(pk__in=[organisation.place_id, *partners])
    records = {
        "organisation": [organisation],
        "governance": GovernanceRule.objects.filter(organisation=organisation),
        "places": places,
        "place names": PlaceName.objects.filter(place__in=places),
        "relations": relations,
        "decisions": Decision.objects.filter(relation__in=relations),
        "agreements": Agreement.objects.filter(relation__in=relations),
        "funding": Funding.objects.filter(agreement__relation__in=relations),
        "activities": Activity.objects.filter(organisation=organisation),
        "participants": ActivityParticipants.objects.filter(activity__organisation=organisation),
        "sources kept": Source.objects.filter(organisation=organisation),
    }
    result = {
        name: sorted((record(obj) for obj in objs), key=lambda r: json.dumps(r, sort_keys=True))
        for name, objs in records.items()
    }
    for kind in ("kind",):
        result["kinds"] = sorted({r[kind] for r in result["agreements"] + result["activities"]})
    return result


def dump(slug: str) -> None:
    print(json.dumps(snapshot(slug), ensure_ascii=False, sort_keys=True))
