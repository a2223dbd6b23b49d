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
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from register.importing import ImportRefused, check_size, control_character, read_text
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


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the document: where (a JSON path such as
    $.relations[2].agreements[0].start, or "line 3, column 5") and why, in plain words."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" if self.where else self.reason


class RegisterFormatError(Exception):
    """The document is refused; nothing was imported. `problems` lists every problem
    found in the run; `where` and `reason` are the first one's."""

    def __init__(self, file: str, where: str | list[Problem], reason: str = ""):
        problems = where if isinstance(where, list) else [Problem(where, reason)]
        self.file, self.problems = file, problems
        self.where, self.reason = problems[0].where, problems[0].reason
        if len(problems) == 1:
            text = f"{file}: {problems[0]}"
        else:
            text = f"{file}: {len(problems)} problems:\n" + "\n".join(f"  {p}" for p in problems)
        super().__init__(text)


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
    if not published_only:  # the organisation's own sources, cited or not yet
        for source in organisation.sources_kept.all():
            sources.setdefault(source.pk, source)
    source_ref_of = {pk: f"s{n}" for n, pk in enumerate(sorted(sources), start=1)}
    document["sources"] = [
        _fields(sources[pk], SOURCE_FIELDS)
        | {
            "ref": source_ref_of[pk],
            "owner": organisation.slug if sources[pk].organisation_id == organisation.pk else None,
        }
        for pk in sorted(sources)
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


# --- reading and checking a document ------------------------------------------------

MAX_SIZE = 50 * 1000**2  # bytes: a large municipality's register is well under 1 MB
MAX_TEXT = 50_000  # characters in one free text (a background, a description)
MAX_DEPTH = 32  # the format nests 7 levels deep; far deeper is not this format
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
EDTF_HINT = "a date the register can read (e.g. 2008, 2008-05, 194X, 1995~, [..2009], 2008/2012)"
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
    "array": "a list",
    "object": "an object",
}


def _depth_problem(text: str) -> Problem | None:
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, token.start()) + 1
                return Problem(
                    f"line {line}",
                    f"the document nests more than {MAX_DEPTH} levels deep; "
                    "the register format nests 7",
                )
        elif char in "]}":
            depth -= 1
    return None


def _path(parts) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _shown(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"“{text[:60]}…”" if len(text) > 60 else f"“{text}”"


def _plain(error) -> list[Problem]:
    """A JSON Schema error in plain words, at the path of the field it is about."""
    where, kind, schema = _path(error.absolute_path), error.validator, error.schema
    value, expected = error.instance, error.validator_value
    if kind == "required":
        missing = [name for name in expected if name not in value]
        return [Problem(f"{where}.{name}", "is missing") for name in missing]
    if kind == "additionalProperties":
        known = set(schema.get("properties", {}))
        extra = [name for name in value if name not in known]
        return [Problem(f"{where}.{name}", "is not a field of this record") for name in extra]
    if kind == "type":
        types = expected if isinstance(expected, list) else [expected]
        return [Problem(where, "must be " + " or ".join(_TYPE_WORDS[t] for t in types))]
    if kind == "pattern":
        description = schema.get("description", "")
        if "EDTF" in description:
            return [Problem(where, f"{_shown(value)} is not {EDTF_HINT}")]
        if expected.startswith("^(Q"):
            return [Problem(where, f"{_shown(value)} is not a Wikidata id (Q followed by digits)")]
        ref = re.match(r"^\^([a-z])\[1-9\]", expected)
        if ref:
            return [Problem(where, f"{_shown(value)} is not a reference such as {ref[1]}1")]
        if "A-Za-z]{2}" in expected or "A-Z]{2}" in expected:
            return [Problem(where, f"{_shown(value)} is not a two-letter country code")]
        if expected.startswith("^#"):
            return [Problem(where, f"{_shown(value)} is not a colour such as #1a5fb4")]
        if expected.startswith("^[-a-zA-Z0-9_]"):
            return [Problem(where, f"{_shown(value)} may only have letters, digits, - and _")]
        return [Problem(where, f"{_shown(value)} does not have the form this field needs")]
    if kind == "maxLength":
        return [Problem(where, f"is longer than {expected} characters")]
    if kind == "minLength":
        return [Problem(where, "is empty" if expected == 1 else f"is shorter than {expected}")]
    if kind == "enum":
        return [Problem(where, f"{_shown(value)} is not one of {', '.join(map(str, expected))}")]
    if kind == "const":
        return [Problem(where, f"must be {json.dumps(expected)}, not {_shown(value)}")]
    if kind == "minimum":
        return [Problem(where, f"must be at least {expected}")]
    if kind == "maximum":
        return [Problem(where, f"must be at most {expected}")]
    if kind == "uniqueItems":
        return [Problem(where, "lists the same item more than once")]
    if kind == "minItems":
        return [Problem(where, f"must have at least {expected} item(s)")]
    if kind == "format" and expected == "date":
        return [Problem(where, f"{_shown(value)} is not a calendar date that exists (YYYY-MM-DD)")]
    return [Problem(where, error.message)]


def _string_problems(node, where: str, max_text: int, problems: list[Problem]) -> None:
    """Control characters anywhere (PostgreSQL cannot store NUL) and free text longer
    than max_text (the schema limits every other field to its column's length)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and control_character(key):
                problems.append(Problem(where, f"a field name {control_character(key)}"))
            _string_problems(value, f"{where}.{key}", max_text, problems)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _string_problems(item, f"{where}[{i}]", max_text, problems)
    elif isinstance(node, str):
        multiline = where.rsplit(".", 1)[-1].startswith(TEXT_FIELD_PREFIXES)
        problem = control_character(node, multiline=multiline)
        if problem:
            problems.append(Problem(where, problem))
        if len(node) > max_text:
            problems.append(
                Problem(
                    where,
                    f"is longer than {max_text} characters (give --max-field-length to allow more)",
                )
            )


TEXT_FIELD_PREFIXES = (
    "background_",
    "description_",
    "purpose_",
    "outcome_",
    "visiting_address",
    "postal_address",
)


def loads(text: str, file: str, *, max_text: int = MAX_TEXT) -> dict:
    """The document, checked against the schema; RegisterFormatError lists every
    problem the schema finds, each at its JSON path, in plain words."""
    deep = _depth_problem(text)
    if deep:
        raise RegisterFormatError(file, [deep])
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegisterFormatError(
            file, f"line {exc.lineno}, column {exc.colno}", f"is not valid JSON: {exc.msg}"
        ) from None
    except RecursionError:  # pragma: no cover - _depth_problem comes first
        raise RegisterFormatError(file, "", "the document nests too deep") from None
    import jsonschema  # here: loading it takes a moment

    validator = jsonschema.Draft202012Validator(
        json_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    problems: list[Problem] = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path))):
        problems += _plain(error)
    _string_problems(document, "$", max_text, problems)
    if problems:
        raise RegisterFormatError(file, _unique_problems(problems))
    return document


def _unique_problems(problems: list[Problem]) -> list[Problem]:
    seen, result = set(), []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            result.append(problem)
    return result


def read_file(path: Path, *, max_size: int = MAX_SIZE, max_text: int = MAX_TEXT) -> dict:
    try:
        check_size(path, max_size)
        text = read_text(path, byte_order_mark=False)
    except ImportRefused as refused:  # said the way this format says where: "line 3"
        where = f"line {refused.line}" if refused.line else ""
        raise RegisterFormatError(refused.file, where, refused.reason) from None
    return loads(text, str(path), max_text=max_text)


# --- importing: create what is missing, update what changed --------------------------

# Rules the database checks, said in words (Django's own message names the constraint).
CONSTRAINT_WORDS = {
    "agreement_end_not_before_start": "the end is before the start",
    "funding_share_is_a_percentage": "the share is not between 0 and 100 per cent",
    "activity_young_not_more_than_all": "there are more young participants than participants",
    "place_latitude_in_range": "the latitude is not between -90 and 90",
    "place_longitude_in_range": "the longitude is not between -180 and 180",
}


@dataclass
class Plan:
    """What the import does (or, with --dry-run, would do), record by record."""

    steps: list[tuple[str, str, str]] = field(default_factory=list)  # action, what, where
    notes: list[str] = field(default_factory=list)

    def add(self, action: str, what: str, where: str) -> None:
        self.steps.append((action, what, where))

    def counts(self) -> dict[str, int]:
        found = {"create": 0, "update": 0, "unchanged": 0}
        for action, _what, _where in self.steps:
            found[action] += 1
        return found

    def lines(self) -> list[str]:
        return [f"{action:<9} {what} ({where})" for action, what, where in self.steps]

    def summary(self) -> str:
        c = self.counts()
        return f"{c['create']} to create, {c['update']} to update, {c['unchanged']} unchanged"


class _Unusable(Exception):
    """A record that cannot be used; its problems are already listed."""


class Importer:
    def __init__(self, document: dict, file: str):
        self.document, self.file = document, file
        self.places, self.sources, self.relations = {}, {}, {}
        self.decisions, self.agreements = {}, {}
        self.problems: list[Problem] = []
        self.plan = Plan()
        self.organisation: Organisation | None = None

    # -- problems and saving --

    def problem(self, where: str, reason: str) -> None:
        self.problems.append(Problem(where, reason))

    def _validation_problems(self, exc: ValidationError, where: str) -> None:
        for name, messages in exc.message_dict.items():
            path = where if name == "__all__" else f"{where}.{name}"
            for message in messages:
                self.problem(path, message.rstrip("."))

    def check(self, obj, where: str, *, unique: bool = True) -> bool:
        """Validate as the admin does, in words; False (and problems listed) if not valid.
        Fields pointing at a record that could not be made are left out: that record's
        own problem is listed already."""
        unsaved = [
            f.name
            for f in obj._meta.concrete_fields
            if f.is_relation
            and getattr(obj, f.name, None) is not None
            and getattr(obj, f.name).pk is None
        ]
        try:
            obj.full_clean(exclude=unsaved, validate_unique=unique, validate_constraints=False)
        except ValidationError as exc:
            self._validation_problems(exc, where)
            return False
        for constraint in obj._meta.constraints:
            if not unique and getattr(constraint, "fields", None):
                continue  # a sub-record replacing the old ones: the file's own are unique
            try:
                constraint.validate(type(obj), obj, exclude=set(unsaved))
            except ValidationError as exc:
                words = CONSTRAINT_WORDS.get(constraint.name)
                if words is None and not getattr(constraint, "fields", None):
                    words = "breaks one of the register's rules for this record"
                self.problem(where, words or " ".join(exc.messages).rstrip("."))
                return False
        return not unsaved

    def put(self, existing, new, fields: dict, where: str, what: str):
        """Create `new` (when nothing exists) or update `existing` with `fields`; list
        the step in the plan. Returns the record, unsaved if it could not be used."""
        if existing is None:
            obj, action, changed = new, "create", True
            for name, value in fields.items():
                setattr(obj, name, value)
        else:
            obj, action = existing, "unchanged"
            changed = [name for name, value in fields.items() if getattr(obj, name) != value]
            for name in changed:
                setattr(obj, name, fields[name])
            if changed:
                action = "update"
        if changed:
            if not self.check(obj, where):
                if existing is None:
                    obj.pk = None
                return obj
            try:
                with transaction.atomic():
                    obj.save()
            except (IntegrityError, DataError):
                self.problem(where, "conflicts with a record the register already has")
                if existing is None:
                    obj.pk = None
                return obj
        self.plan.add(action, what, where)
        return obj

    def mark_changed(self, where: str) -> None:
        """A many-to-many link or a sub-record changed: the record's step is an update."""
        for i in range(len(self.plan.steps) - 1, -1, -1):
            action, what, at = self.plan.steps[i]
            if at == where:
                if action == "unchanged":
                    self.plan.steps[i] = ("update", what, at)
                return

    def link(self, obj, attr: str, items: list, where: str) -> None:
        """Set a many-to-many field to the items, if they differ (no history row for
        nothing)."""
        if obj.pk is None or any(item is None or item.pk is None for item in items):
            return
        manager = getattr(obj, attr)
        wanted = {item.pk for item in items}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(items)
            self.mark_changed(where)

    def ref(self, table: dict, ref: str | None, where: str):
        if ref is None:
            return None
        if ref not in table:
            self.problem(where, f"refers to “{ref}”, which the document does not define")
            return None
        return table[ref]

    def refs(self, table: dict, refs: list[str], where: str) -> list:
        return [self.ref(table, ref, f"{where}[{i}]") for i, ref in enumerate(refs)]

    def define(self, table: dict, ref: str, where: str, obj, defined: dict) -> None:
        """Each reference is defined once: a second definition would repoint every
        record that refers to it (issue 12 #7)."""
        if ref in defined:
            self.problem(
                f"{where}.ref",
                f"“{ref}” is also the reference of {defined[ref]}; each record needs its own",
            )
            return
        defined[ref] = where
        table[ref] = obj

    # -- the run --

    def run(self) -> Organisation | None:
        doc = self.document
        self.vocabularies(doc["vocabularies"])
        self.import_places(doc["places"])
        organisation = self.import_organisation(doc["organisation"])
        self.import_sources(doc["sources"], doc["organisation"]["slug"])
        for i, data in enumerate(doc["places"]):
            place = self.places.get(data["ref"])
            if place is not None:
                self.link(place, "sources", self.refs(self.sources, data["sources"],
                          f"$.places[{i}].sources"), f"$.places[{i}]")  # fmt: skip
        if organisation is not None:
            self.link(
                organisation,
                "sources",
                self.refs(self.sources, doc["organisation"]["sources"], "$.organisation.sources"),
                "$.organisation",
            )
            self.governance(organisation, doc["governance"])
        defined_relations, partners = {}, {}
        for i, data in enumerate(doc["relations"]):
            self.relation(organisation, data, f"$.relations[{i}]", defined_relations, partners)
        for i, data in enumerate(doc["activities"]):
            self.activity(organisation, data, f"$.activities[{i}]")
        return organisation

    def vocabularies(self, data: dict) -> None:
        """Vocabularies are the installation's: codes the register lacks are added, the
        labels of codes it has are left as they are."""
        for model, key, fields in (
            (AgreementKind, "agreement_kinds", AGREEMENT_KIND_FIELDS),
            (FocusArea, "focus_areas", VOCABULARY_FIELDS),
            (ActivityKind, "activity_kinds", VOCABULARY_FIELDS),
        ):
            for i, item in enumerate(data[key]):
                where = f"$.vocabularies.{key}[{i}]"
                existing = model.objects.filter(code=item["code"]).first()
                what = f"{model._meta.verbose_name} {item['code']}"
                if existing is not None:
                    self.plan.add("unchanged", what, where)
                else:
                    self.put(None, model(), {k: item[k] for k in fields}, where, what)

    def import_places(self, items: list[dict]) -> None:
        from register.places import PlaceMatcher, problem_with

        matcher = PlaceMatcher()
        defined: dict[str, str] = {}
        found_at: dict[int, str] = {}  # id(place) -> where it was first given
        for i, data in enumerate(items):
            where = f"$.places[{i}]"
            values = {
                "name": data["name"],
                "country": data["country"].upper(),
                "names": data["names"],
                "region": data["region"],
                "latitude": data["latitude"],
                "longitude": data["longitude"],
                "wikidata_id": data["wikidata_id"],
            }
            problem = problem_with(**values)
            if problem:
                self.problem(where, problem)
                self.places.setdefault(data["ref"], None)  # refused: cited silently
                continue
            result = matcher.match(**values)
            if result.ambiguous:
                self.problem(where, result.reason + "; give its Wikidata id")
                self.places.setdefault(data["ref"], None)
                continue
            if result.new:
                place = matcher.new_place(**values)
                action = "create"
            else:
                place = result.place
                if place.pk is not None:
                    matcher.matched.add(place.pk)
                details = {k: v for k, v in values.items() if k not in ("name", "country")}
                update = matcher.update_from(place, **details)
                action = "update" if update.changed else "unchanged"
            if id(place) in found_at:
                self.problem(
                    where,
                    f"is the same place as {found_at[id(place)]} ({place.name}, "
                    f"{place.country}); give each place once",
                )
                continue
            found_at[id(place)] = where
            self.define(self.places, data["ref"], where, place, defined)
            self.plan.add(action, f"place {data['name']}", where)
        self.plan.notes += matcher.conflicts
        matcher.save(f"import-register {Path(self.file).name}")

    def import_organisation(self, data: dict) -> Organisation | None:
        where = "$.organisation"
        place = self.ref(self.places, data["place"], f"{where}.place")
        fields = {k: data[k] for k in ORGANISATION_FIELDS}
        existing = Organisation.objects.filter(slug=data["slug"]).first()
        if place is not None:
            fields["place"] = place
        elif existing is None:
            return None
        organisation = self.put(
            existing, Organisation(), fields, where, f"organisation {data['slug']}"
        )
        self.organisation = organisation if organisation.pk else None
        return self.organisation

    def import_sources(self, items: list[dict], slug: str) -> None:
        organisation = self.organisation
        defined: dict[str, str] = {}
        for i, data in enumerate(items):
            where = f"$.sources[{i}]"
            owner_slug = data.get("owner")
            if owner_slug not in (None, slug):
                self.problem(
                    f"{where}.owner",
                    f"“{owner_slug}” is not this register's organisation (“{slug}”); a source "
                    "belongs to the register's organisation or is shared (null)",
                )
                self.sources.setdefault(data["ref"], None)  # refused: cited silently
                continue
            owner = organisation if owner_slug else None
            fields = {k: data[k] for k in SOURCE_FIELDS}
            fields["accessed_on"] = (
                date.fromisoformat(data["accessed_on"]) if data["accessed_on"] else None
            )
            existing = None
            if owner_slug is None or owner is not None:
                existing = Source.objects.filter(
                    organisation=owner,
                    title=fields["title"],
                    url=fields["url"],
                    document=fields["document"],
                ).first()
            fields["organisation"] = owner
            source = self.put(existing, Source(), fields, where, f"source {data['title'][:40]}")
            self.define(self.sources, data["ref"], where, source, defined)

    def governance(self, organisation: Organisation, rules: list[dict]) -> None:
        for i, rule in enumerate(rules):
            where = f"$.governance[{i}]"
            kind = self.vocabulary(AgreementKind, rule["kind"], f"{where}.kind")
            if kind is None:
                continue
            existing = GovernanceRule.objects.filter(organisation=organisation, kind=kind).first()
            self.put(
                existing,
                GovernanceRule(organisation=organisation, kind=kind),
                {"body": rule["body"]},
                where,
                f"rule {kind.code} decided by {rule['body']}",
            )

    def vocabulary(self, model, code: str, where: str):
        found = model.objects.filter(code=code).first()
        if found is None:
            label = model._meta.verbose_name_plural
            self.problem(where, f"“{code}” is not in the vocabulary of {label}")
        return found

    def relation(self, organisation, data: dict, where: str, defined: dict, partners: dict):
        partner = self.ref(self.places, data["partner"], f"{where}.partner")
        if partner is not None and partner.pk is not None:
            if partner.pk in partners:
                self.problem(
                    f"{where}.partner",
                    f"{partner.name} is already the partner of {partners[partner.pk]}; "
                    "an organisation has one relation per partner",
                )
                return
            partners[partner.pk] = where
        fields = {k: data[k] for k in RELATION_FIELDS}
        existing = None
        if organisation is not None and partner is not None and partner.pk is not None:
            existing = Relation.objects.filter(organisation=organisation, partner=partner).first()
        new = Relation(organisation=organisation or Organisation(), partner=partner or Place())
        relation = self.put(existing, new, fields, where, f"relation {data['ref']}")
        self.define(self.relations, data["ref"], where, relation, defined)
        self.link(relation, "sources", self.refs(self.sources, data["sources"],
                  f"{where}.sources"), where)  # fmt: skip
        decisions_defined, agreements_defined = {}, {}
        for i, item in enumerate(data["decisions"]):
            self.decision(relation, item, f"{where}.decisions[{i}]", decisions_defined)
        for i, item in enumerate(data["agreements"]):
            self.agreement(relation, item, f"{where}.agreements[{i}]", agreements_defined)

    def decision(self, relation: Relation, data: dict, where: str, defined: dict) -> None:
        fields = {k: data[k] for k in DECISION_FIELDS}
        fields |= {k: data.get(k, default) for k, default in DECISION_OPTIONAL.items()}
        existing = None
        if relation.pk is not None:
            found = relation.decisions.all()
            if data["reference"]:
                existing = found.filter(reference=data["reference"]).first()
            else:
                existing = found.filter(reference="", body=data["body"], date=data["date"]).first()
        decision = self.put(
            existing, Decision(relation=relation), fields, where, f"decision {data['ref']}"
        )
        self.define(self.decisions, data["ref"], where, decision, self._all_decisions)
        self.link(decision, "sources", self.refs(self.sources, data["sources"],
                  f"{where}.sources"), where)  # fmt: skip

    _all_decisions: dict
    _all_agreements: dict

    def agreement(self, relation: Relation, data: dict, where: str, defined: dict) -> None:
        kind = self.vocabulary(AgreementKind, data["kind"], f"{where}.kind")
        fields = {k: data[k] for k in AGREEMENT_FIELDS}
        fields |= {k: data.get(k, default) for k, default in AGREEMENT_OPTIONAL.items()}
        fields |= {
            "kind": kind,
            "decision": self.ref(self.decisions, data["decision"], f"{where}.decision"),
            "ending_decision": self.ref(
                self.decisions, data["ending_decision"], f"{where}.ending_decision"
            ),
            "renews": self.ref(self.agreements, data["renews"], f"{where}.renews"),
        }
        if kind is None:
            self.agreements.setdefault(data["ref"], None)
            return
        existing = None
        if relation.pk is not None:
            existing = relation.agreements.filter(kind=kind, start=data["start"]).first()
        agreement = self.put(
            existing, Agreement(relation=relation), fields, where, f"agreement {data['ref']}"
        )
        self.define(self.agreements, data["ref"], where, agreement, self._all_agreements)
        focus = [
            self.vocabulary(FocusArea, code, f"{where}.focus_areas[{i}]")
            for i, code in enumerate(data["focus_areas"])
        ]
        self.link(agreement, "focus_areas", focus, where)
        self.link(agreement, "sources", self.refs(self.sources, data["sources"],
                  f"{where}.sources"), where)  # fmt: skip
        wanted = []
        for i, item in enumerate(data["funding"]):
            share = item["share_percent"]
            funding = Funding(
                agreement=agreement,
                funder=item["funder"],
                share_percent=Decimal(share) if share is not None else None,
            )
            if self.check(funding, f"{where}.funding[{i}]", unique=False):
                wanted.append(funding)
        self.replace(agreement, "funding", wanted, ["funder", "share_percent"], where)

    def replace(self, parent, attr: str, wanted: list, fields: list[str], where: str) -> None:
        """Sub-records (funding, participants by country) as the file gives them; left
        alone when they are the same."""
        if parent.pk is None:
            return
        manager = getattr(parent, attr)
        current = [tuple(getattr(o, f) for f in fields) for o in manager.order_by("pk")]
        if current == [tuple(getattr(o, f) for f in fields) for o in wanted]:
            return
        for old in manager.all():
            old.delete()
        for new in wanted:
            new.save()
        self.mark_changed(where)

    def activity(self, organisation, data: dict, where: str) -> None:
        kind = self.vocabulary(ActivityKind, data["kind"], f"{where}.kind")
        if kind is None:
            return
        fields = {k: data[k] for k in ACTIVITY_FIELDS} | {"kind": kind}
        existing = None
        if organisation is not None:
            existing = organisation.activities.filter(
                kind=kind, date=data["date"], title_sv=data["title_sv"]
            ).first()
        activity = self.put(
            existing,
            Activity(organisation=organisation or Organisation()),
            fields,
            where,
            f"activity {data['title_sv'] or data['title_en'] or data['date']}",
        )
        self.link(activity, "relations", self.refs(self.relations, data["relations"],
                  f"{where}.relations"), where)  # fmt: skip
        themes = [
            self.vocabulary(FocusArea, code, f"{where}.themes[{i}]")
            for i, code in enumerate(data["themes"])
        ]
        self.link(activity, "themes", themes, where)
        self.link(activity, "sources", self.refs(self.sources, data["sources"],
                  f"{where}.sources"), where)  # fmt: skip
        wanted = []
        seen: dict[str, int] = {}
        for i, item in enumerate(data["participants_by_country"]):
            at = f"{where}.participants_by_country[{i}]"
            if item["country"] in seen:
                self.problem(
                    f"{at}.country",
                    f"{item['country']} is also given at "
                    f"participants_by_country[{seen[item['country']]}]",
                )
                continue
            seen[item["country"]] = i
            participants = ActivityParticipants(activity=activity, **item)
            if self.check(participants, at, unique=False):
                wanted.append(participants)
        self.replace(
            activity, "participants_by_country", wanted, ["country", "count", "approximate"], where
        )


@dataclass
class ImportResult:
    organisation: Organisation | None
    plan: Plan
    dry_run: bool


class _DryRun(Exception):
    pass


def import_register(
    document: dict, file: str = "<document>", *, dry_run: bool = False
) -> Organisation | ImportResult:
    """Create what is missing and update what changed, all or nothing; refused with
    every problem found (RegisterFormatError). Returns the organisation, or with
    `dry_run` an ImportResult whose plan says what would be done (nothing is written)."""
    result = run_import(document, file, dry_run=dry_run)
    return result if dry_run else result.organisation


def run_import(document: dict, file: str = "<document>", *, dry_run: bool = False):
    from django.utils import translation

    importer = Importer(document, file)
    importer._all_decisions, importer._all_agreements = {}, {}
    with translation.override("en"):
        try:
            with transaction.atomic():
                organisation = importer.run()
                if importer.problems:
                    raise RegisterFormatError(file, _unique_problems(importer.problems))
                if dry_run:
                    raise _DryRun
        except _DryRun:
            organisation = Organisation.objects.filter(
                slug=document["organisation"]["slug"]
            ).first()
    return ImportResult(organisation, importer.plan, dry_run)
