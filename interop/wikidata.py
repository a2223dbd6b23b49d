"""Wikidata in and out for P190 (twinned administrative body).

Out: QuickStatements (version 1, tab-separated) for each published relation between
places with Wikidata ids, in both directions, with start time (P580) and end time (P582)
at the precision the register keeps (a decade stays a decade), "circa" (P1480) for an
approximate date, and the relation's sources as reference URLs (S854).

In: P190 statements from a SPARQL 1.1 Query Results JSON answer to P190_QUERY (as the
Wikidata Query Service gives it; docs/wikidata.md), from a Wikidata entity JSON file
(Special:EntityData/Q….json), or from QuickStatements as written above (a round trip), as
pairs reported by Wikidata. Items are matched to places by register/places.py (Wikidata
id, then a name in the same country nearby); an item the register lacks is created from
the answer's label, country (P297) and coordinates. Qualifiers become EDTF dates with
their precision; reference URLs (http and https only) become sources. A file that is not
one of these shapes is refused with its JSON path or line, and nothing changes; a row that
cannot be used is refused with its row and reason, and the rest goes in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from simple_history.utils import bulk_create_with_history
from tqdm import tqdm

from interop.errors import ImportRefused
from interop.models import ReportedPair
from register import importing
from register.imprecise import ImpreciseDate
from register.models import Agreement, AgreementStatus, Organisation, Place, Relation, Source
from register.places import PlaceMatcher, coordinate, describe, problem_with
from register.validation import outside_url

ENTITY = "http://www.wikidata.org/entity/"
WIKIDATA_URL = "https://www.wikidata.org/"
CIRCA = "Q5727902"  # sourcing circumstances (P1480): circa
PRESUMABLY = "Q18122778"  # sourcing circumstances (P1480): presumably
QID = re.compile(r"^Q[1-9][0-9]*$")
TIME = re.compile(r"^([+-])(\d{1,16})-(\d\d)-(\d\d)T00:00:00Z$")

# Wikidata time precision <-> what the register keeps.
DAY, MONTH, YEAR, DECADE, CENTURY = 11, 10, 9, 8, 7


# --- out: QuickStatements -----------------------------------------------------------


class NotExpressible(ValueError):
    """A date Wikidata's time values cannot hold as it is (e.g. "by 2009")."""


def wikidata_time(edtf: str) -> tuple[str, list[str]]:
    """EDTF -> (time value, extra qualifiers): '194X' -> '+1940-00-00T00:00:00Z/8'."""
    text = edtf.strip()
    qualifiers = []
    if text[-1:] in "~?%":
        if text[-1] in "~%":
            qualifiers.append(CIRCA)
        if text[-1] in "?%":
            qualifiers.append(PRESUMABLY)
        text = text[:-1]
    precision = ImpreciseDate(text).precision
    if precision == "day":
        value, code = f"+{text}T00:00:00Z", DAY
    elif precision == "month":
        value, code = f"+{text}-00T00:00:00Z", MONTH
    elif precision == "year":
        value, code = f"+{text}-00-00T00:00:00Z", YEAR
    elif precision == "decade":
        value, code = f"+{text[:3]}0-00-00T00:00:00Z", DECADE
    elif precision == "century":
        # EDTF 19XX is 1900-1999; Wikidata's century precision counts 1901-2000 as the
        # 20th century, so the middle year names the century without doubt.
        value, code = f"+{text[:2]}50-00-00T00:00:00Z", CENTURY
    else:
        raise NotExpressible(f"“{edtf}” ({precision}) cannot be held by a Wikidata time value")
    return f"{value}/{code}", qualifiers


@dataclass
class QuickStatements:
    lines: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what could not be written, and why

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def relation_dates(relation, today: date) -> tuple[str, str]:
    """Start: the relation's 'since', else its first agreement's start. End: only when
    every published agreement has ended, the latest end."""
    agreements = list(relation.agreements.all())
    start = relation.since or next((a.start for a in agreements if a.start), "")
    end = ""
    if relation.status_on(today) == AgreementStatus.ENDED:  # every agreement has ended
        ends = [a.effective_end for a in agreements if a.effective_end]
        end = max(ends, key=lambda text: ImpreciseDate(text).latest) if ends else ""
    return start, end


def quickstatements(organisation: Organisation, today: date | None = None) -> QuickStatements:
    today = today or date.today()
    out = QuickStatements()
    home = organisation.place
    relations = (
        Relation.objects.published()
        .filter(organisation=organisation)
        .select_related("partner")
        .prefetch_related(Prefetch("agreements", Agreement.objects.published()), "sources")
        .order_by("order", "id")
    )
    for relation in relations:
        partner = relation.partner
        if not home.wikidata_id or not partner.wikidata_id:
            missing = home if not home.wikidata_id else partner
            out.skipped.append(f"{home.name}–{partner.name}: {missing.name} has no Wikidata id")
            continue
        qualifiers, notes = _date_qualifiers(relation, today)
        out.skipped += [f"{home.name}–{partner.name}: {note}" for note in notes]
        references = _references(relation)
        for subject, value in ((home, partner), (partner, home)):
            out.lines.append(
                "\t".join(
                    [subject.wikidata_id, "P190", value.wikidata_id, *qualifiers, *references]
                )
            )
    return out


def _date_qualifiers(relation, today: date) -> tuple[list[str], list[str]]:
    start, end = relation_dates(relation, today)
    qualifiers, notes = [], []
    circumstances: list[str] = []
    for prop, text in (("P580", start), ("P582", end)):
        if not text:
            continue
        try:
            value, extra = wikidata_time(text)
        except NotExpressible as exc:
            notes.append(f"{prop} left out: {exc}")
            continue
        qualifiers += [prop, value]
        circumstances += [item for item in extra if item not in circumstances]
    for item in circumstances:
        qualifiers += ["P1480", item]
    return qualifiers, notes


def _references(relation) -> list[str]:
    urls = sorted({source.url for source in relation.sources.all() if source.url})
    result = []
    for url in urls:
        if '"' in url or "\t" in url or "\n" in url:
            continue  # cannot be quoted in QuickStatements; URLField never stores these
        result += ["S854", f'"{url}"']
    return result


# --- in: SPARQL answers, entity JSON and QuickStatements --------------------------------

# The query whose answer `vanort import-wikidata` reads (docs/wikidata.md; --help).
# Variables: item and partner are required; the others are optional, and a row may
# repeat a statement with other labels, countries or references (they are merged).
P190_QUERY = """\
SELECT ?item ?itemLabel ?itemCountry ?itemCoord
       ?partner ?partnerLabel ?partnerCountry ?partnerCoord
       ?start ?startPrecision ?end ?endPrecision ?reference
WHERE {
  ?item p:P190 ?statement .
  ?statement ps:P190 ?partner .
  FILTER NOT EXISTS { ?statement wikibase:rank wikibase:DeprecatedRank }
  OPTIONAL { ?item wdt:P17/wdt:P297 ?itemCountry }
  OPTIONAL { ?item wdt:P625 ?itemCoord }
  OPTIONAL { ?partner wdt:P17/wdt:P297 ?partnerCountry }
  OPTIONAL { ?partner wdt:P625 ?partnerCoord }
  OPTIONAL { ?statement pqv:P580 [ wikibase:timeValue ?start ;
                                   wikibase:timePrecision ?startPrecision ] }
  OPTIONAL { ?statement pqv:P582 [ wikibase:timeValue ?end ;
                                   wikibase:timePrecision ?endPrecision ] }
  OPTIONAL { ?statement prov:wasDerivedFrom/pr:P854 ?reference }
  SERVICE wikibase:label { bd:serviceParam wikibase:language "sv,en" . }
}"""

REQUIRED_VARS = ("item", "partner")
OPTIONAL_VARS = (
    "itemLabel",
    "itemCountry",
    "itemCoord",
    "partnerLabel",
    "partnerCountry",
    "partnerCoord",
    "start",
    "startPrecision",
    "end",
    "endPrecision",
    "reference",
)
# A new place's local name is its label in the first of these languages the answer has
# ("mul" is Wikidata's label for names that are the same in every language).
NAME_LANGUAGES = ("mul", "en", "sv")
EARTH = "http://www.wikidata.org/entity/Q2"
WKT_POINT = re.compile(
    r"^\s*(?:<(?P<globe>[^>]*)>\s*)?Point\(\s*(?P<lon>[-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s+"
    r"(?P<lat>[-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s*\)\s*$",
    re.IGNORECASE,
)
URL_MAX = min(
    ReportedPair._meta.get_field("reference_url").max_length,
    Source._meta.get_field("url").max_length,
)


class RowProblem(ValueError):
    def __init__(self, reason: str, category: str = "unusable row"):
        self.reason, self.category = reason, category
        super().__init__(reason)


def _row_fail(reason: str, *needles) -> None:
    raise RowProblem(reason)


def reference_problem(url) -> str:
    """Why a reference URL from outside cannot be stored ("" when it can): the domain's
    rule (register.validation.outside_url), worded for the import's refusal list."""
    if not isinstance(url, str):
        return "the reference URL is not text"
    if len(url) > URL_MAX:
        return f"the reference URL is longer than {URL_MAX} characters"
    try:
        if not url:
            raise ValidationError("empty")
        outside_url(url, URL_MAX)  # the domain's rule for every URL from outside
    except ValidationError:
        shown = url if len(url) <= 80 else url[:77] + "…"
        return f"the reference “{shown}” is not an http or https URL"
    return ""


@dataclass
class Statement:
    subject: str
    partner: str
    start: str = ""
    end: str = ""
    references: list[str] = field(default_factory=list)
    line: int | None = None
    position: str = ""  # "row 3 (results.bindings[2])" or "line 17", for a refusal

    @property
    def where(self) -> str:
        return self.position or (f"line {self.line}" if self.line else "")


@dataclass
class Entity:
    """What the answer says about one item: labels by language, countries, a point."""

    qid: str
    labels: dict[str, str] = field(default_factory=dict)
    countries: list[str] = field(default_factory=list)
    point: tuple[Decimal, Decimal] | None = None  # (latitude, longitude)

    def merge(self, other: Entity) -> None:
        for lang, label in other.labels.items():
            self.labels.setdefault(lang, label)
        self.countries += [code for code in other.countries if code not in self.countries]
        self.point = self.point or other.point

    @property
    def name(self) -> str:
        for lang in NAME_LANGUAGES:
            if self.labels.get(lang):
                return self.labels[lang]
        return next((self.labels[lang] for lang in sorted(self.labels)), "")

    @property
    def names(self) -> dict[str, str]:
        return {lang: label for lang, label in self.labels.items() if lang and lang != "mul"}


@dataclass(frozen=True)
class RowRefusal:
    position: str
    reason: str
    category: str = "unusable row"

    def __str__(self) -> str:
        return f"{self.position}: {self.reason}" if self.position else self.reason


@dataclass
class Parsed:
    statements: list[Statement] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    refused: list[RowRefusal] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rows: int = 0

    def add_entity(self, entity: Entity) -> None:
        if entity.qid in self.entities:
            self.entities[entity.qid].merge(entity)
        else:
            self.entities[entity.qid] = entity


@dataclass
class WikidataReport:
    file: str
    rows: int = 0
    statements: int = 0
    places_created: int = 0
    places_matched: int = 0
    pairs_new: int = 0
    pairs_updated: int = 0
    pairs_unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    refused: list[RowRefusal] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # stored values that differ, kept

    @property
    def pairs(self) -> int:
        return self.pairs_new + self.pairs_updated + self.pairs_unchanged

    def summary(self) -> list[str]:
        return [
            f"{self.file}: {self.statements} P190 statements in {self.rows} rows",
            f"places: {self.places_created} new, {self.places_matched} already in the register",
            f"pairs: {self.pairs_new} new, {self.pairs_updated} updated, "
            f"{self.pairs_unchanged} unchanged",
            f"rows refused: {len(self.refused)}",
            *[f"skipped: {note}" for note in self.skipped],
            *[f"kept: {note}" for note in self.kept],
            *[f"refused: {refusal}" for refusal in self.refused],
        ]


class NothingUsable(ImportRefused):
    """Every row was refused (or there were none): nothing was imported."""

    def __init__(self, file: str, report: WikidataReport, reason: str):
        super().__init__(file, None, reason)
        self.report = report


class Located:
    """The raw text, to give a line number for a value the error is about."""

    def __init__(self, file: str, text: str):
        self.file, self.text = file, text

    def line_of(self, *needles: str) -> int | None:
        for needle in needles:
            if not isinstance(needle, str) or not needle:
                continue
            position = self.text.find(needle)
            if position >= 0:
                return self.text.count("\n", 0, position) + 1
        return None

    def refuse(self, reason: str, *needles: str):
        raise ImportRefused(self.file, self.line_of(*needles), reason)


def edtf_from_time(value, fail, context: str) -> str:
    """A Wikidata time value -> EDTF at its precision: precision 8 of 1948 -> '194X'.
    `fail(reason, needle)` raises the refusal the caller wants (a file's or a row's)."""
    if not isinstance(value, dict):
        fail(f"{context}: is not a time value", context)
    time, precision = value.get("time", ""), value.get("precision")
    match = TIME.match(time) if isinstance(time, str) else None
    if not match or not isinstance(precision, int) or isinstance(precision, bool):
        fail(f"{context}: “{time}” is not a Wikidata time value", time or context)
    sign, year, month, day = match.groups()
    year_number = int(year)
    if sign == "-" or year_number == 0 or year_number > 9999:
        fail(f"{context}: year {sign}{year} is outside what the register keeps", time)
    text = None
    if precision == DAY:
        text = f"{year_number:04d}-{month}-{day}"
    elif precision == MONTH:
        text = f"{year_number:04d}-{month}"
    elif precision == YEAR:
        text = f"{year_number:04d}"
    elif precision == DECADE:
        text = f"{year_number // 10:03d}X"
    elif precision == CENTURY:
        text = f"{(year_number - 1) // 100:02d}XX"
    else:
        fail(f"{context}: precision {precision} is coarser than a century", time)
    # The forms above are EDTF by construction; only the calendar is left to check (the
    # EDTF parser would take 30 ms a value, too slow for an answer of 10,000 rows).
    try:
        if precision == DAY:
            date(year_number, int(month), int(day))
        elif precision == MONTH and not 1 <= int(month) <= 12:
            raise ValueError
    except ValueError:
        fail(f"{context}: “{time}” is not a date", time)
    return text


# --- entity JSON ---------------------------------------------------------------------


def _object(value, path: str, where: Located, needle: str = "") -> dict:
    if not isinstance(value, dict):
        where.refuse(f"{path}: is not an object", needle)
    return value


def _list(value, path: str, where: Located, needle: str = "") -> list:
    if not isinstance(value, list):
        where.refuse(f"{path}: is not a list", needle)
    return value


def _first_time(snaks, where: Located, path: str, context: str, needle: str) -> str:
    for index, snak in enumerate(_list(snaks, path, where, needle)):
        snak = _object(snak, f"{path}[{index}]", where, needle)
        if snak.get("snaktype") != "value":
            continue
        datavalue = snak.get("datavalue")
        if not isinstance(datavalue, dict) or "value" not in datavalue:
            where.refuse(f"{path}[{index}]: has no datavalue", needle)
        return edtf_from_time(datavalue["value"], where.refuse, context)
    return ""


def _entity_info(qid: str, entity: dict, where: Located) -> Entity:
    info = Entity(qid)
    labels = entity.get("labels", {})
    if isinstance(labels, dict):
        for lang, label in labels.items():
            if isinstance(label, dict) and isinstance(label.get("value"), str):
                info.labels[lang] = label["value"]
    claims = entity.get("claims", {})
    for snak_claim in claims.get("P625", []) if isinstance(claims, dict) else []:
        try:
            value = snak_claim["mainsnak"]["datavalue"]["value"]
            if value.get("globe", EARTH) != EARTH:
                continue
            info.point = (coordinate(value["latitude"], 90), coordinate(value["longitude"], 180))
            break
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # a coordinate that cannot be read is left out, not guessed
    return info


def statements_from_entities(data, where: Located) -> Parsed:
    if not isinstance(data, dict) or not isinstance(data.get("entities"), dict):
        where.refuse("not a Wikidata entity JSON file: no “entities” object", "{")
    parsed = Parsed()
    for qid, entity in data["entities"].items():
        if not QID.match(qid) or not isinstance(entity, dict):
            where.refuse(f"“{qid}” is not a Wikidata item id", f'"{qid}"')
        base = f"entities.{qid}"
        claims = _object(entity.get("claims", {}), f"{base}.claims", where, f'"{qid}"')
        parsed.add_entity(_entity_info(qid, entity, where))
        claim_path = f"{base}.claims.P190"
        for index, claim in enumerate(_list(claims.get("P190", []), claim_path, where, "P190")):
            path = f"{claim_path}[{index}]"
            claim = _object(claim, path, where, "P190")
            guid = claim.get("id") if isinstance(claim.get("id"), str) else path
            snak = _object(claim.get("mainsnak", {}), f"{path}.mainsnak", where, guid)
            parsed.rows += 1
            if claim.get("rank") == "deprecated" or snak.get("snaktype") != "value":
                parsed.skipped.append(f"{guid}: deprecated or without a value")
                continue
            try:
                partner = snak["datavalue"]["value"]["id"]
                if not isinstance(partner, str) or not QID.match(partner):
                    raise TypeError
            except (KeyError, TypeError):
                where.refuse(f"{path}: statement {guid}: P190 value is not an item", guid)
            qualifiers = _object(claim.get("qualifiers", {}), f"{path}.qualifiers", where, guid)
            context = f"statement {guid}"
            line = where.line_of(guid)
            start = _first_time(
                qualifiers.get("P580", []),
                where,
                f"{path}.qualifiers.P580",
                f"{context}, P580",
                guid,
            )
            end = _first_time(
                qualifiers.get("P582", []),
                where,
                f"{path}.qualifiers.P582",
                f"{context}, P582",
                guid,
            )
            references = []
            for r, reference in enumerate(
                _list(claim.get("references", []), f"{path}.references", where, guid)
            ):
                rpath = f"{path}.references[{r}]"
                reference = _object(reference, rpath, where, guid)
                snaks = _object(reference.get("snaks", {}), f"{rpath}.snaks", where, guid)
                for s, ref in enumerate(_list(snaks.get("P854", []), f"{rpath}.P854", where, guid)):
                    ref = _object(ref, f"{rpath}.snaks.P854[{s}]", where, guid)
                    if ref.get("snaktype") != "value":
                        continue
                    datavalue = ref.get("datavalue")
                    if not isinstance(datavalue, dict) or "value" not in datavalue:
                        where.refuse(f"{rpath}.snaks.P854[{s}]: has no datavalue", guid)
                    references.append(datavalue["value"])
            statement = Statement(qid, partner, start, end, references, line=line)
            problem = next(filter(None, map(reference_problem, references)), "")
            if problem:
                parsed.refused.append(RowRefusal(statement.where, f"{guid}: {problem}"))
                continue
            parsed.statements.append(statement)
    return parsed


# --- SPARQL 1.1 Query Results JSON ------------------------------------------------------


def _term(binding: dict, name: str, path: str) -> dict | None:
    term = binding.get(name)
    if term is None:
        return None
    if not isinstance(term, dict) or not isinstance(term.get("value"), str):
        raise RowProblem(f"{path}.{name}: is not an RDF term with a value")
    return term


def _qid_from_uri(binding: dict, name: str, path: str) -> str:
    term = _term(binding, name, path)
    uri = term["value"] if term else ""
    if (
        term is None
        or term.get("type") != "uri"
        or not uri.startswith(ENTITY)
        or not QID.match(uri[len(ENTITY) :])
    ):
        raise RowProblem(f"{path}.{name}: “{uri}” is not a Wikidata item URI")
    return uri[len(ENTITY) :]


def _sparql_time(binding: dict, name: str, path: str) -> str:
    term = _term(binding, name, path)
    if term is None:
        return ""
    value = term["value"]
    precision_term = _term(binding, f"{name}Precision", path)
    if precision_term is None:
        raise RowProblem(
            f"{path}.{name} has no {name}Precision: select wikibase:timePrecision too, so "
            "that a decade stays a decade"
        )
    try:
        precision = int(precision_term["value"])
    except ValueError:
        raise RowProblem(f"{path}.{name}Precision: is not an integer") from None
    time = value if value.startswith(("+", "-")) else f"+{value}"
    time = re.sub(r"T\d\d:\d\d:\d\d(\.\d+)?Z$", "T00:00:00Z", time)
    # WDQS writes 1948-01-01 for a year; a time value needs 00 for the parts it lacks.
    if precision <= YEAR:
        time = re.sub(r"-\d\d-\d\dT", "-00-00T", time)
    elif precision == MONTH:
        time = re.sub(r"-(\d\d)-\d\dT", r"-\1-00T", time)
    return edtf_from_time({"time": time, "precision": precision}, _row_fail, f"{path}.{name}")


def _sparql_entity(binding: dict, qid: str, prefix: str, path: str) -> Entity:
    entity = Entity(qid)
    label = _term(binding, f"{prefix}Label", path)
    if label is not None and label["value"] != qid and label["value"].strip():
        lang = label.get("xml:lang", "")
        if not isinstance(lang, str) or len(lang) > 8:
            raise RowProblem(f"{path}.{prefix}Label: “{lang}” is not a language tag")
        entity.labels[lang.lower()] = label["value"]
    country = _term(binding, f"{prefix}Country", path)
    if country is not None:
        code = country["value"].strip().upper()
        if problem_with(name="x", country=code):
            raise RowProblem(
                f"{path}.{prefix}Country: “{country['value']}” is not an ISO 3166-1 code (P297)"
            )
        entity.countries.append(code)
    point = _term(binding, f"{prefix}Coord", path)
    if point is not None:
        match = WKT_POINT.match(point["value"])
        if not match:
            raise RowProblem(
                f"{path}.{prefix}Coord: “{point['value'][:80]}” is not a WKT Point(lon lat)"
            )
        if (match.group("globe") or EARTH) == EARTH:  # a point on the Moon is no town's
            try:
                entity.point = (
                    coordinate(match.group("lat"), 90),
                    coordinate(match.group("lon"), 180),
                )
            except ValueError as exc:
                raise RowProblem(f"{path}.{prefix}Coord: {exc}") from None
    return entity


def statements_from_sparql(data, where: Located, progress: bool = False) -> Parsed:
    """The answer's shape is checked as a whole (a file that is not an answer is refused
    with the JSON path of the problem); each row is then used or refused on its own."""
    if not isinstance(data, dict) or "head" not in data or "results" not in data:
        where.refuse("not a SPARQL 1.1 Query Results JSON file: no “head” and “results”", "{")
    if not isinstance(data["head"], dict):
        where.refuse("head: is not an object", '"head"')
    variables = data["head"].get("vars", [])
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        where.refuse("head.vars: is not a list of variable names", '"vars"')
    missing = [name for name in REQUIRED_VARS if name not in variables]
    if missing:
        where.refuse(
            f"head.vars lacks {', '.join(missing)} (expected item, partner and optionally "
            f"{', '.join(OPTIONAL_VARS)})",
            '"vars"',
        )
    if not isinstance(data["results"], dict):
        where.refuse("results: is not an object", '"results"')
    bindings = data["results"].get("bindings", [])
    if not isinstance(bindings, list):
        where.refuse("results.bindings: is not a list", '"bindings"')
    parsed = Parsed(rows=len(bindings))
    for index, binding in enumerate(
        tqdm(bindings, desc="reading", unit=" rows", disable=not progress)
    ):
        path = f"results.bindings[{index}]"
        position = f"row {index + 1} ({path})"
        try:
            if not isinstance(binding, dict):
                raise RowProblem(f"{path}: is not an object of variable bindings")
            subject = _qid_from_uri(binding, "item", path)
            partner = _qid_from_uri(binding, "partner", path)
            if subject == partner:
                raise RowProblem(f"{subject} is twinned with itself", "same place twice")
            entities = [
                _sparql_entity(binding, subject, "item", path),
                _sparql_entity(binding, partner, "partner", path),
            ]
            reference = _term(binding, "reference", path)
            references = [reference["value"]] if reference else []
            problem = next(filter(None, map(reference_problem, references)), "")
            if problem:
                raise RowProblem(f"{path}.reference: {problem}", "bad reference")
            statement = Statement(
                subject=subject,
                partner=partner,
                start=_sparql_time(binding, "start", path),
                end=_sparql_time(binding, "end", path),
                references=references,
                position=position,
            )
        except RowProblem as problem:
            parsed.refused.append(RowRefusal(position, problem.reason, problem.category))
            continue
        for entity in entities:
            parsed.add_entity(entity)
        parsed.statements.append(statement)
    return parsed


QS_TIME = re.compile(r"^\+(\d{4})-(\d\d)-(\d\d)T00:00:00Z/(\d{1,2})$")
QS_STRING = re.compile(r'^"([^"]*)"$')


def statements_from_quickstatements(text: str, where: Located) -> list[Statement]:
    """P190 statements from QuickStatements version 1 (TAB or | between fields), as
    quickstatements() writes them; anything else is refused with its line."""
    statements = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        fields = line.split("\t") if "\t" in line else line.split("|")
        statements.append(_quickstatement(fields, number, where))
    return statements


def _quickstatement(fields: list[str], line: int, where: Located) -> Statement:
    def refuse(reason: str):
        raise ImportRefused(where.file, line, reason)

    if len(fields) < 3:
        refuse("a statement needs an item, a property and a value")
    subject, prop, value, rest = fields[0], fields[1], fields[2], fields[3:]
    for qid in (subject, value):
        if not QID.match(qid):
            refuse(f"“{qid}” is not a Wikidata item id (LAST and new items are not supported)")
    if prop != "P190":
        refuse(f"only P190 (twinned administrative body) is read, not {prop}")
    if len(rest) % 2:
        refuse(f"{rest[-1]} has no value")
    statement = Statement(subject=subject, partner=value, line=line)
    circa = presumably = False
    for key, item in zip(rest[::2], rest[1::2], strict=True):
        if key in ("P580", "P582"):
            edtf = _qs_time(item, key, refuse)
            if key == "P580":
                statement.start = edtf
            else:
                statement.end = edtf
        elif key == "P1480" and item in (CIRCA, PRESUMABLY):
            circa, presumably = circa or item == CIRCA, presumably or item == PRESUMABLY
        elif key == "S854":
            match = QS_STRING.match(item)
            if not match or not match.group(1).startswith(("http://", "https://")):
                refuse(f"S854 needs a quoted URL, not {item}")
            statement.references.append(match.group(1))
        else:
            refuse(f"{key} is not a qualifier or reference this importer reads")
    mark = "%" if circa and presumably else "~" if circa else "?" if presumably else ""
    statement.start += mark if statement.start else ""
    statement.end += mark if statement.end else ""
    return statement


def _qs_time(value: str, key: str, refuse) -> str:
    match = QS_TIME.match(value)
    if not match:
        refuse(f"{key}: “{value}” is not a time value such as +1948-00-00T00:00:00Z/9")
    year, month, day, precision = match.groups()
    precision = int(precision)
    if precision == DAY and "00" not in (month, day):
        return f"{year}-{month}-{day}"
    if precision == MONTH and month != "00":
        return f"{year}-{month}"
    if precision == YEAR:
        return year
    if precision == DECADE:
        return f"{year[:3]}X"
    if precision == CENTURY:
        return f"{(int(year) - 1) // 100:02d}XX"
    refuse(f"{key}: precision {precision} does not fit {value}")


def read_text(path: Path) -> tuple[str, Located]:
    text = importing.read_text(path)
    return text, Located(str(path), text)


def parse_json(text: str, where: Located):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(where.file, exc.lineno, f"is not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise ImportRefused(where.file, None, "is nested too deeply to be an answer") from None


def wikidata_source() -> Source:
    source = Source.objects.filter(organisation=None, url=WIKIDATA_URL).first()
    return source or Source.objects.create(
        title="Wikidata", url=WIKIDATA_URL, publisher="Wikidata contributors (CC0)"
    )


def parse_file(path: Path, progress: bool = False) -> tuple[Parsed, Located]:
    text, where = read_text(path)
    if not text.strip():
        raise ImportRefused(where.file, None, "the file is empty")
    if not text.lstrip().startswith(("{", "[")):
        parsed = Parsed()
        for statement in statements_from_quickstatements(text, where):
            parsed.rows += 1
            problem = next(filter(None, map(reference_problem, statement.references)), "")
            if problem:
                parsed.refused.append(RowRefusal(statement.where, problem, "bad reference"))
            else:
                parsed.statements.append(statement)
        return parsed, where
    data = parse_json(text, where)
    if isinstance(data, dict) and "entities" in data:
        return statements_from_entities(data, where), where
    return statements_from_sparql(data, where, progress), where


# --- resolving the answer's items to places -------------------------------------------


def _plan_places(parsed: Parsed, matcher: PlaceMatcher, where: Located) -> dict[str, object]:
    """Each item -> an existing Place, ("new", Entity) or a refusal reason (str)."""
    plan: dict[str, object] = {}
    claims: dict[int, list[str]] = {}  # id(existing place) -> items whose name fits it
    for qid in sorted({q for s in parsed.statements for q in (s.subject, s.partner)}):
        entity = parsed.entities.get(qid, Entity(qid))
        if qid in matcher.by_qid:
            plan[qid] = matcher.by_qid[qid]
            continue
        unknown = f"{qid} is not the Wikidata id of any place in the register"
        if not entity.name:
            plan[qid] = f"{unknown}, and the answer gives it no label to create it from"
            continue
        if len(entity.countries) != 1:
            plan[qid] = (
                f"{unknown}, and the answer gives it no country (P297) to create it from"
                if not entity.countries
                else f"{unknown}, and the answer gives it several countries "
                f"({', '.join(entity.countries)})"
            )
            continue
        values = dict(
            name=entity.name,
            country=entity.countries[0],
            names=entity.names,
            latitude=entity.point[0] if entity.point else None,
            longitude=entity.point[1] if entity.point else None,
            wikidata_id=qid,
        )
        problem = problem_with(**values)
        if problem:
            plan[qid] = f"{qid}: {problem}"
            continue
        result = matcher.match(**values)
        if result.ambiguous:
            plan[qid] = f"{qid} “{entity.name}”: {result.reason}"
        elif result.matched:
            plan[qid] = result.place
            claims.setdefault(id(result.place), []).append(qid)
        else:
            plan[qid] = ("new", values)
    for qids in claims.values():
        if len(qids) > 1:  # two items fit one place: which one it is, is not guessed
            place = plan[qids[0]]
            for qid in qids:
                plan[qid] = f"{' and '.join(qids)} both fit {describe(place)}"
    return plan


def import_wikidata(path: Path, *, progress: bool = False) -> WikidataReport:
    """Import P190 statements from a SPARQL answer, an entity JSON or a QuickStatements
    file. A file that is not one of those is refused as a whole (ImportRefused) and
    nothing changes; a row that cannot be used is refused on its own and the rest goes
    in; when nothing could be used, NothingUsable (an ImportRefused) and nothing changes."""
    parsed, where = parse_file(Path(path), progress)
    report = WikidataReport(
        file=where.file, rows=parsed.rows, skipped=parsed.skipped, refused=parsed.refused
    )
    with transaction.atomic():
        matcher = PlaceMatcher()
        plan = _plan_places(parsed, matcher, where)
        usable = []
        for statement in parsed.statements:
            reasons = [plan[q] for q in (statement.subject, statement.partner)]
            reason = next((r for r in reasons if isinstance(r, str)), "")
            if reason:
                report.refused.append(RowRefusal(statement.where, reason, "unknown place"))
            else:
                usable.append(statement)
        report.statements = len(usable)
        if not usable:
            why = (
                "the file has no P190 statements"
                if not report.refused
                else (f"none of its {len(report.refused)} rows could be used")
            )
            raise NothingUsable(where.file, report, why)
        places = {}
        for qid in sorted({q for s in usable for q in (s.subject, s.partner)}):
            planned = plan[qid]
            if isinstance(planned, tuple):
                places[qid] = matcher.new_place(**planned[1])
                continue
            entity = parsed.entities.get(qid, Entity(qid))
            matcher.update_from(
                planned,
                names=entity.names,
                latitude=entity.point[0] if entity.point else None,
                longitude=entity.point[1] if entity.point else None,
                wikidata_id=qid,
            )
            places[qid] = planned
        matcher.save(f"import-wikidata {Path(where.file).name}")
        report.places_created = len(matcher.created)
        report.places_matched = len(places) - len(matcher.created)
        report.kept = matcher.conflicts
        _save_pairs(usable, places, wikidata_source(), report)
    return report


def _merged(statements: list[Statement], places: dict[str, Place]) -> dict:
    """One entry per pair of places: both directions, and rows that repeat a statement
    with other labels or references, are one pair; the first dates given are kept."""
    pairs: dict[tuple[int, int], dict] = {}
    for statement in statements:
        key = ReportedPair.ordered(places[statement.subject].pk, places[statement.partner].pk)
        entry = pairs.setdefault(key, {"start": "", "end": "", "references": []})
        entry["start"] = entry["start"] or statement.start
        entry["end"] = entry["end"] or statement.end
        entry["references"] += [u for u in statement.references if u not in entry["references"]]
    return pairs


def _save_pairs(statements, places, source: Source, report: WikidataReport) -> None:
    """In bulk: one query for the source's pairs, one for their references' links."""
    wanted = _merged(statements, places)
    existing = {
        (pair.place_a_id, pair.place_b_id): pair
        for pair in ReportedPair.objects.filter(source=source)
    }
    new, changed = [], []
    for key, entry in wanted.items():
        values = {
            "start": entry["start"],
            "end": entry["end"],
            "reference_url": entry["references"][0] if entry["references"] else "",
        }
        pair = existing.get(key)
        if pair is None:
            new.append(ReportedPair(source=source, place_a_id=key[0], place_b_id=key[1], **values))
            continue
        # A file that lacks what an earlier one gave keeps it (the other direction's
        # statement may carry dates this one lacks).
        values = {k: v or getattr(pair, k) for k, v in values.items()}
        if any(getattr(pair, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(pair, k, v)
            changed.append(pair)
    ReportedPair.objects.bulk_create(new, batch_size=1000)
    ReportedPair.objects.bulk_update(changed, ["start", "end", "reference_url"], batch_size=1000)
    report.pairs_new, report.pairs_updated = len(new), len(changed)
    report.pairs_unchanged = len(wanted) - len(new) - len(changed)
    for pair in new:
        existing[(pair.place_a_id, pair.place_b_id)] = pair
    _save_references(wanted, existing)


def _save_references(wanted: dict, pairs: dict) -> None:
    urls = {url for entry in wanted.values() for url in entry["references"]}
    if not urls:
        return
    sources = {
        s.url: s for s in Source.objects.filter(organisation=None, url__in=urls).order_by("-pk")
    }
    missing = [Source(title=url[:300], url=url) for url in sorted(urls - sources.keys())]
    if missing:
        bulk_create_with_history(missing, Source, batch_size=500)
        sources.update({s.url: s for s in Source.objects.filter(organisation=None, url__in=urls)})
    Link = ReportedPair.references.through
    ids = {pairs[key].pk for key in wanted}
    linked = set(
        Link.objects.filter(reportedpair_id__in=ids).values_list("reportedpair_id", "source_id")
    )
    links = {
        (pairs[key].pk, sources[url].pk)
        for key, entry in wanted.items()
        for url in entry["references"]
    } - linked
    Link.objects.bulk_create(
        [Link(reportedpair_id=p, source_id=s) for p, s in sorted(links)], batch_size=1000
    )
