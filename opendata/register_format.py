"""The register's own format: one JSON document per organisation, versioned and
described by a JSON Schema (opendata/schemas/register-1.schema.json).

References between records are local ("p1", "s2", "r3") rather than database ids, so a
document moves between installations. Export, import into an empty database and
export again gives byte-identical output: records are written in id order and
imported in document order, and every value is written as stored (EDTF text,
decimal strings, approximate flags).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from register.importing import ImportRefused, read_text
from register.models import (
    Activity,
    ActivityKind,
    ActivityParticipants,
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

FORMAT = "vanort-register"
VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schemas" / "register-1.schema.json"

ORGANISATION_FIELDS = [
    "slug",
    "name_sv",
    "name_en",
    "phone",
    "email",
    "visiting_address",
    "postal_address",
    "map_url",
    "website",
    "visitor_hours",
    "phone_hours",
    "background_sv",
    "background_en",
    "colour",
]
PLACE_FIELDS = ["name", "country", "region", "latitude", "longitude", "wikidata_id"]
SOURCE_FIELDS = ["title", "url", "document", "publisher", "accessed_on"]
RELATION_FIELDS = [
    "since",
    "section",
    "order",
    "description_sv",
    "description_en",
    "is_published",
]
DECISION_FIELDS = ["body", "date", "reference", "summary_sv", "summary_en", "url"]
# Fields added after version 1 was first published: optional in a file, with the
# model's default when absent (how a decision was taken; "decision not on record").
DECISION_OPTIONAL = {
    "unanimous": False,
    "votes_for": None,
    "votes_against": None,
    "votes_abstaining": None,
}
AGREEMENT_OPTIONAL = {"decision_not_on_record": False, "decision_not_on_record_reason": ""}
AGREEMENT_FIELDS = [
    "start",
    "end",
    "term_months",
    "responsible_unit",
    "ended_early_on",
    "purpose_sv",
    "purpose_en",
    "is_published",
]
ACTIVITY_FIELDS = [
    "title_sv",
    "title_en",
    "date",
    "participants",
    "participants_approximate",
    "young_participants",
    "young_participants_approximate",
    "host_country",
    "outcome_sv",
    "outcome_en",
    "is_published",
]
AGREEMENT_KIND_FIELDS = [
    "code",
    "label_sv",
    "label_en",
    "order",
    "has_duration",
    "plural_sv",
    "plural_en",
    "description_sv",
    "description_en",
]
VOCABULARY_FIELDS = ["code", "label_sv", "label_en", "order"]


class RegisterFormatError(Exception):
    """The document is refused; nothing was imported."""

    def __init__(self, file: str, where: str, reason: str):
        self.file, self.where, self.reason = file, where, reason
        super().__init__(f"{file}: {where}: {reason}" if where else f"{file}: {reason}")


@cache
def json_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _value(value):
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _fields(obj, names: list[str]) -> dict:
    return {name: _value(getattr(obj, name)) for name in names}


# --- export -----------------------------------------------------------------------


class Refs:
    """Local references in order of first use: p1, p2, … for places, and so on."""

    def __init__(self, prefix: str):
        self.prefix, self.by_pk = prefix, {}

    def __call__(self, pk: int) -> str:
        if pk not in self.by_pk:
            self.by_pk[pk] = f"{self.prefix}{len(self.by_pk) + 1}"
        return self.by_pk[pk]


def export_register(organisation: Organisation, *, published_only: bool = True) -> dict:
    relations = organisation.relations.select_related("partner").prefetch_related(
        "sources", "partner__sources", "partner__names"
    )
    agreements = (
        Agreement.objects.filter(relation__organisation=organisation)
        .select_related("kind")
        .prefetch_related("focus_areas", "funding", "sources")
    )
    activities = organisation.activities.select_related("kind").prefetch_related(
        "relations", "themes", "sources", "participants_by_country"
    )
    if published_only:
        relations = relations.filter(is_published=True)
        agreements = agreements.filter(is_published=True, relation__is_published=True)
        activities = activities.filter(is_published=True)
    relations = list(relations.order_by("pk"))
    decisions = list(
        Decision.objects.filter(relation__in=relations).prefetch_related("sources").order_by("pk")
    )
    agreements = list(agreements.order_by("pk"))
    activities = list(activities.order_by("pk"))

    place_ref, _source_ref, relation_ref = Refs("p"), Refs("s"), Refs("r")
    decision_ref, agreement_ref = Refs("d"), Refs("a")
    home = organisation.place
    places = [home] + [relation.partner for relation in relations]
    for place in places:
        place_ref(place.pk)
    # References in document order (relation by relation), which is also the order an
    # import creates records in: a re-export numbers them the same way.
    for relation in relations:
        relation_ref(relation.pk)
        for decision in decisions:
            if decision.relation_id == relation.pk:
                decision_ref(decision.pk)
        for agreement in agreements:
            if agreement.relation_id == relation.pk:
                agreement_ref(agreement.pk)

    sources: dict[int, Source] = {}

    def cite(items) -> list[str]:
        found = sorted(items, key=lambda source: source.pk)
        for source in found:
            sources.setdefault(source.pk, source)
        return [source.pk for source in found]  # turned into refs once all are known

    document = {
        "format": FORMAT,
        "version": VERSION,
        "organisation": _fields(organisation, ORGANISATION_FIELDS)
        | {"place": place_ref(home.pk), "sources": cite(organisation.sources.all())},
        "governance": [
            {"kind": rule.kind.code, "body": rule.body}
            for rule in organisation.governance_rules.select_related("kind").order_by("pk")
        ],
        "vocabularies": _vocabularies(),
        "places": [
            _fields(place, PLACE_FIELDS)
            | {
                "ref": place_ref(place.pk),
                "names": {n.language: n.name for n in sorted(place.names.all(), key=_lang)},
                "sources": cite(place.sources.all()),
            }
            for place in _unique(places)
        ],
        "relations": [],
        "activities": [],
    }
    by_relation: dict[int, list] = {}
    for decision in decisions:
        by_relation.setdefault(decision.relation_id, []).append(
            _fields(decision, [*DECISION_FIELDS, *DECISION_OPTIONAL])
            | {"ref": decision_ref(decision.pk), "sources": cite(decision.sources.all())}
        )
    agreements_by_relation: dict[int, list] = {}
    for agreement in agreements:
        agreements_by_relation.setdefault(agreement.relation_id, []).append(
            _fields(agreement, [*AGREEMENT_FIELDS, *AGREEMENT_OPTIONAL])
            | {
                "ref": agreement_ref(agreement.pk),
                "kind": agreement.kind.code,
                "focus_areas": sorted(area.code for area in agreement.focus_areas.all()),
                "decision": decision_ref(agreement.decision_id) if agreement.decision_id else None,
                "ending_decision": decision_ref(agreement.ending_decision_id)
                if agreement.ending_decision_id
                else None,
                "renews": agreement_ref.by_pk.get(agreement.renews_id),
                "funding": [
                    {"funder": f.funder, "share_percent": _value(f.share_percent)}
                    for f in sorted(agreement.funding.all(), key=lambda f: f.pk)
                ],
                "sources": cite(agreement.sources.all()),
            }
        )
    for relation in relations:
        document["relations"].append(
            _fields(relation, RELATION_FIELDS)
            | {
                "ref": relation_ref(relation.pk),
                "partner": place_ref(relation.partner_id),
                "sources": cite(relation.sources.all()),
                "decisions": by_relation.get(relation.pk, []),
                "agreements": agreements_by_relation.get(relation.pk, []),
            }
        )
    for activity in activities:
        linked = [r for r in activity.relations.all() if r.pk in relation_ref.by_pk]
        document["activities"].append(
            _fields(activity, ACTIVITY_FIELDS)
            | {
                "kind": activity.kind.code,
                "relations": [relation_ref(r.pk) for r in sorted(linked, key=lambda r: r.pk)],
                "themes": sorted(theme.code for theme in activity.themes.all()),
                "participants_by_country": [
                    {"country": p.country, "count": p.count, "approximate": p.approximate}
                    for p in sorted(activity.participants_by_country.all(), key=lambda p: p.pk)
                ],
                "sources": cite(activity.sources.all()),
            }
        )
    source_ref_of = {pk: f"s{n}" for n, pk in enumerate(sorted(sources), start=1)}
    document["sources"] = [
        _fields(sources[pk], SOURCE_FIELDS) | {"ref": source_ref_of[pk]} for pk in sorted(sources)
    ]
    _replace_source_ids(document, source_ref_of)
    return document


def _lang(name: PlaceName) -> str:
    return name.language


def _unique(places: list[Place]) -> list[Place]:
    seen, result = set(), []
    for place in places:
        if place.pk not in seen:
            seen.add(place.pk)
            result.append(place)
    return result


def _replace_source_ids(node, refs: dict[int, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if (
                key == "sources"
                and isinstance(value, list)
                and all(isinstance(v, int) for v in value)
            ):
                node[key] = [refs[v] for v in value]
            else:
                _replace_source_ids(value, refs)
    elif isinstance(node, list):
        for item in node:
            _replace_source_ids(item, refs)


def _vocabularies() -> dict:
    return {
        "agreement_kinds": [
            _fields(kind, AGREEMENT_KIND_FIELDS) for kind in AgreementKind.objects.order_by("pk")
        ],
        "focus_areas": [_fields(a, VOCABULARY_FIELDS) for a in FocusArea.objects.order_by("pk")],
        "activity_kinds": [
            _fields(k, VOCABULARY_FIELDS) for k in ActivityKind.objects.order_by("pk")
        ],
    }


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- import -----------------------------------------------------------------------


def loads(text: str, file: str) -> dict:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegisterFormatError(file, f"line {exc.lineno}, column {exc.colno}", exc.msg) from None
    import jsonschema  # here: loading it takes a moment

    validator = jsonschema.Draft202012Validator(json_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        raise RegisterFormatError(file, _path(first.absolute_path), first.message)
    return document


def _path(parts) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def read_file(path: Path) -> dict:
    try:
        text = read_text(path, byte_order_mark=False)
    except ImportRefused as refused:  # said the way this format says where: "line 3"
        where = f"line {refused.line}" if refused.line else ""
        raise RegisterFormatError(refused.file, where, refused.reason) from None
    return loads(text, str(path))


class Importer:
    def __init__(self, document: dict, file: str):
        self.document, self.file = document, file
        self.places, self.sources, self.relations = {}, {}, {}
        self.decisions, self.agreements = {}, {}

    def fail(self, where: str, reason: str):
        raise RegisterFormatError(self.file, where, reason)

    def save(self, obj, where: str):
        try:
            obj.full_clean()
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
            )
            self.fail(where, problems)
        obj.save()
        return obj

    def ref(self, table: dict, ref: str | None, where: str):
        if ref is None:
            return None
        if ref not in table:
            self.fail(where, f"refers to “{ref}”, which the document does not define")
        return table[ref]

    def run(self) -> Organisation:
        doc = self.document
        if Organisation.objects.filter(slug=doc["organisation"]["slug"]).exists():
            self.fail("$.organisation.slug", "an organisation with this slug already exists")
        self.vocabularies(doc["vocabularies"])
        for i, data in enumerate(doc["sources"]):
            fields = {k: data[k] for k in SOURCE_FIELDS}
            fields["accessed_on"] = (
                date.fromisoformat(data["accessed_on"]) if data["accessed_on"] else None
            )
            self.sources[data["ref"]] = self.save(Source(**fields), f"$.sources[{i}]")
        for i, data in enumerate(doc["places"]):
            self.places[data["ref"]] = self.place(data, f"$.places[{i}]")
        organisation = self.organisation(doc["organisation"])
        for i, data in enumerate(doc["relations"]):
            self.relation(organisation, data, f"$.relations[{i}]")
        for i, data in enumerate(doc["activities"]):
            self.activity(organisation, data, f"$.activities[{i}]")
        return organisation

    def cite(self, obj, refs: list[str], where: str) -> None:
        obj.sources.set([self.ref(self.sources, ref, f"{where}.sources") for ref in refs])

    def vocabularies(self, data: dict) -> None:
        for model, key, fields in (
            (AgreementKind, "agreement_kinds", AGREEMENT_KIND_FIELDS),
            (FocusArea, "focus_areas", VOCABULARY_FIELDS),
            (ActivityKind, "activity_kinds", VOCABULARY_FIELDS),
        ):
            for i, item in enumerate(data[key]):
                if not model.objects.filter(code=item["code"]).exists():
                    self.save(model(**{k: item[k] for k in fields}), f"$.vocabularies.{key}[{i}]")

    def place(self, data: dict, where: str) -> Place:
        found = None
        if data["wikidata_id"]:
            found = Place.objects.filter(wikidata_id=data["wikidata_id"]).first()
        found = found or Place.objects.filter(name=data["name"], country=data["country"]).first()
        if found:
            return found
        fields = {k: data[k] for k in PLACE_FIELDS}
        for key in ("latitude", "longitude"):
            fields[key] = Decimal(fields[key]) if fields[key] is not None else None
        place = self.save(Place(**fields), where)
        for language, name in data["names"].items():
            self.save(PlaceName(place=place, language=language, name=name), f"{where}.names")
        self.cite(place, data["sources"], where)
        return place

    def organisation(self, data: dict) -> Organisation:
        where = "$.organisation"
        place = self.ref(self.places, data["place"], f"{where}.place")
        organisation = Organisation(place=place, **{k: data[k] for k in ORGANISATION_FIELDS})
        self.save(organisation, where)
        self.cite(organisation, data["sources"], where)
        for i, rule in enumerate(self.document["governance"]):
            kind = AgreementKind.objects.get(code=rule["kind"])
            self.save(
                GovernanceRule(organisation=organisation, kind=kind, body=rule["body"]),
                f"$.governance[{i}]",
            )
        return organisation

    def relation(self, organisation: Organisation, data: dict, where: str) -> None:
        partner = self.ref(self.places, data["partner"], f"{where}.partner")
        relation = Relation(
            organisation=organisation, partner=partner, **{k: data[k] for k in RELATION_FIELDS}
        )
        self.relations[data["ref"]] = self.save(relation, where)
        self.cite(relation, data["sources"], where)
        for i, item in enumerate(data["decisions"]):
            decision = Decision(
                relation=relation,
                **{k: item[k] for k in DECISION_FIELDS},
                **{k: item.get(k, default) for k, default in DECISION_OPTIONAL.items()},
            )
            self.decisions[item["ref"]] = self.save(decision, f"{where}.decisions[{i}]")
            self.cite(decision, item["sources"], f"{where}.decisions[{i}]")
        for i, item in enumerate(data["agreements"]):
            self.agreement(relation, item, f"{where}.agreements[{i}]")

    def agreement(self, relation: Relation, data: dict, where: str) -> None:
        kind = self.vocabulary(AgreementKind, data["kind"], f"{where}.kind")
        agreement = Agreement(
            relation=relation,
            kind=kind,
            decision=self.ref(self.decisions, data["decision"], f"{where}.decision"),
            ending_decision=self.ref(
                self.decisions, data["ending_decision"], f"{where}.ending_decision"
            ),
            renews=self.ref(self.agreements, data["renews"], f"{where}.renews"),
            **{k: data[k] for k in AGREEMENT_FIELDS},
            **{k: data.get(k, default) for k, default in AGREEMENT_OPTIONAL.items()},
        )
        self.agreements[data["ref"]] = self.save(agreement, where)
        agreement.focus_areas.set(
            [
                self.vocabulary(FocusArea, code, f"{where}.focus_areas")
                for code in data["focus_areas"]
            ]
        )
        for i, item in enumerate(data["funding"]):
            share = item["share_percent"]
            self.save(
                Funding(
                    agreement=agreement,
                    funder=item["funder"],
                    share_percent=Decimal(share) if share is not None else None,
                ),
                f"{where}.funding[{i}]",
            )
        self.cite(agreement, data["sources"], where)

    def vocabulary(self, model, code: str, where: str):
        found = model.objects.filter(code=code).first()
        if found is None:
            self.fail(where, f"“{code}” is not in the document's vocabularies")
        return found

    def activity(self, organisation: Organisation, data: dict, where: str) -> None:
        kind = self.vocabulary(ActivityKind, data["kind"], f"{where}.kind")
        activity = Activity(
            organisation=organisation, kind=kind, **{k: data[k] for k in ACTIVITY_FIELDS}
        )
        self.save(activity, where)
        activity.relations.set(
            [self.ref(self.relations, ref, f"{where}.relations") for ref in data["relations"]]
        )
        activity.themes.set(
            [self.vocabulary(FocusArea, code, f"{where}.themes") for code in data["themes"]]
        )
        for i, item in enumerate(data["participants_by_country"]):
            self.save(
                ActivityParticipants(activity=activity, **item),
                f"{where}.participants_by_country[{i}]",
            )
        self.cite(activity, data["sources"], where)


def import_register(document: dict, file: str = "<document>") -> Organisation:
    """Create the organisation and its register from a document, all or nothing."""
    with transaction.atomic():
        return Importer(document, file).run()
