"""Wikidata in and out for P190 (twinned administrative body).

Out: QuickStatements (version 1, tab-separated) for each published relation between
places with Wikidata ids, in both directions, with start time (P580) and end time (P582)
at the precision the register keeps (a decade stays a decade), "circa" (P1480) for an
approximate date, and the relation's sources as reference URLs (S854).

In: P190 statements from a Wikidata entity JSON file (Special:EntityData/Q….json), from
a SPARQL 1.1 Query Results JSON file, or from QuickStatements as written above (a round
trip), as pairs reported by Wikidata. Places are matched
by Wikidata id; qualifiers become EDTF dates with their precision; reference URLs become
sources. A file with any problem is refused with its line and reason, and nothing changes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch

from interop.errors import ImportRefused
from interop.models import ReportedPair
from register import importing
from register.imprecise import ImpreciseDate
from register.models import Agreement, AgreementStatus, Organisation, Place, Relation, Source

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


# --- in: entity JSON and SPARQL results -----------------------------------------------


@dataclass
class Statement:
    subject: str
    partner: str
    start: str = ""
    end: str = ""
    references: list[str] = field(default_factory=list)
    line: int | None = None


@dataclass
class WikidataReport:
    file: str
    statements: int = 0
    pairs_new: int = 0
    pairs_updated: int = 0
    pairs_unchanged: int = 0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        return [
            f"{self.file}: {self.statements} P190 statements",
            f"pairs: {self.pairs_new} new, {self.pairs_updated} updated, "
            f"{self.pairs_unchanged} unchanged",
            *[f"skipped: {note}" for note in self.skipped],
        ]


class Located:
    """The raw text, to give a line number for a value the error is about."""

    def __init__(self, file: str, text: str):
        self.file, self.text = file, text

    def line_of(self, *needles: str) -> int | None:
        for needle in needles:
            position = self.text.find(needle)
            if position >= 0:
                return self.text.count("\n", 0, position) + 1
        return None

    def refuse(self, reason: str, *needles: str):
        raise ImportRefused(self.file, self.line_of(*needles), reason)


def edtf_from_time(value: dict, where: Located, context: str) -> str:
    """A Wikidata time value -> EDTF at its precision: precision 8 of 1948 -> '194X'."""
    time, precision = value.get("time", ""), value.get("precision")
    match = TIME.match(time or "")
    if not match or not isinstance(precision, int):
        where.refuse(f"{context}: “{time}” is not a Wikidata time value", time or context)
    sign, year, month, day = match.groups()
    year_number = int(year)
    if sign == "-" or year_number == 0 or year_number > 9999:
        where.refuse(f"{context}: year {sign}{year} is outside what the register keeps", time)
    if precision == DAY:
        return f"{year_number:04d}-{month}-{day}"
    if precision == MONTH:
        return f"{year_number:04d}-{month}"
    if precision == YEAR:
        return f"{year_number:04d}"
    if precision == DECADE:
        return f"{year_number // 10:03d}X"
    if precision == CENTURY:
        return f"{(year_number - 1) // 100:02d}XX"
    where.refuse(f"{context}: precision {precision} is coarser than a century", time)


def _first_time(snaks: list, where: Located, context: str) -> str:
    for snak in snaks or []:
        if snak.get("snaktype") == "value":
            return edtf_from_time(snak["datavalue"]["value"], where, context)
    return ""


def statements_from_entities(data, where: Located) -> tuple[list[Statement], list[str]]:
    if not isinstance(data, dict) or not isinstance(data.get("entities"), dict):
        where.refuse("not a Wikidata entity JSON file: no “entities” object", "{")
    statements, skipped = [], []
    for qid, entity in data["entities"].items():
        if not QID.match(qid) or not isinstance(entity, dict):
            where.refuse(f"“{qid}” is not a Wikidata item id", f'"{qid}"')
        for claim in entity.get("claims", {}).get("P190", []):
            guid = claim.get("id", qid)
            snak = claim.get("mainsnak", {})
            if claim.get("rank") == "deprecated" or snak.get("snaktype") != "value":
                skipped.append(f"{guid}: deprecated or without a value")
                continue
            try:
                partner = snak["datavalue"]["value"]["id"]
            except (KeyError, TypeError):
                where.refuse(f"statement {guid}: P190 value is not an item", guid)
            qualifiers = claim.get("qualifiers", {})
            context = f"statement {guid}"
            statements.append(
                Statement(
                    subject=qid,
                    partner=partner,
                    start=_first_time(qualifiers.get("P580"), where, f"{context}, P580"),
                    end=_first_time(qualifiers.get("P582"), where, f"{context}, P582"),
                    references=[
                        snak["datavalue"]["value"]
                        for reference in claim.get("references", [])
                        for snak in reference.get("snaks", {}).get("P854", [])
                        if snak.get("snaktype") == "value"
                    ],
                    line=where.line_of(guid),
                )
            )
    return statements, skipped


REQUIRED_VARS = ("item", "partner")


def _qid_from_uri(binding: dict, name: str, where: Located, row: int) -> str:
    value = binding.get(name, {})
    uri = value.get("value", "")
    if (
        value.get("type") != "uri"
        or not uri.startswith(ENTITY)
        or not QID.match(uri[len(ENTITY) :])
    ):
        where.refuse(
            f"results.bindings[{row}].{name}: “{uri}” is not a Wikidata item URI", uri or name
        )
    return uri[len(ENTITY) :]


def _sparql_time(binding: dict, name: str, where: Located, row: int) -> str:
    if name not in binding:
        return ""
    value = binding[name].get("value", "")
    precision_var = f"{name}Precision"
    if precision_var not in binding:
        where.refuse(
            f"results.bindings[{row}].{name} has no {precision_var}: select "
            f"wikibase:timePrecision too, so that a decade stays a decade",
            value,
        )
    try:
        precision = int(binding[precision_var]["value"])
    except (KeyError, ValueError):
        where.refuse(f"results.bindings[{row}].{precision_var} is not an integer", value)
    time = value if value.startswith(("+", "-")) else f"+{value}"
    time = re.sub(r"T\d\d:\d\d:\d\d(\.\d+)?Z$", "T00:00:00Z", time)
    # WDQS writes 1948-01-01 for a year; a time value needs 00 for the parts it lacks.
    if precision <= YEAR:
        time = re.sub(r"-\d\d-\d\dT", "-00-00T", time)
    elif precision == MONTH:
        time = re.sub(r"-(\d\d)-\d\dT", r"-\1-00T", time)
    context = f"results.bindings[{row}].{name}"
    return edtf_from_time({"time": time, "precision": precision}, where, context)


def statements_from_sparql(data, where: Located) -> tuple[list[Statement], list[str]]:
    if not isinstance(data, dict) or "head" not in data or "results" not in data:
        where.refuse("not a SPARQL 1.1 Query Results JSON file: no “head” and “results”", "{")
    variables = data["head"].get("vars", [])
    missing = [name for name in REQUIRED_VARS if name not in variables]
    if missing:
        where.refuse(
            f"head.vars lacks {', '.join(missing)} (expected item, partner and optionally "
            "start, startPrecision, end, endPrecision, reference)",
            '"vars"',
        )
    statements = []
    for row, binding in enumerate(data["results"].get("bindings", [])):
        subject = _qid_from_uri(binding, "item", where, row)
        partner = _qid_from_uri(binding, "partner", where, row)
        reference = binding.get("reference", {}).get("value", "")
        statements.append(
            Statement(
                subject=subject,
                partner=partner,
                start=_sparql_time(binding, "start", where, row),
                end=_sparql_time(binding, "end", where, row),
                references=[reference] if reference else [],
                line=where.line_of(f"{ENTITY}{subject}"),
            )
        )
    return statements, []


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


def wikidata_source() -> Source:
    source = Source.objects.filter(organisation=None, url=WIKIDATA_URL).first()
    return source or Source.objects.create(
        title="Wikidata", url=WIKIDATA_URL, publisher="Wikidata contributors (CC0)"
    )


def reference_source(url: str) -> Source:
    source = Source.objects.filter(organisation=None, url=url).first()
    return source or Source.objects.create(title=url[:300], url=url)


def import_wikidata(path: Path) -> WikidataReport:
    """Import P190 statements from an entity JSON or a SPARQL results JSON file."""
    text, where = read_text(path)
    if not text.lstrip().startswith(("{", "[")):
        statements, skipped = statements_from_quickstatements(text, where), []
    else:
        data = parse_json(text, where)
        if isinstance(data, dict) and "entities" in data:
            statements, skipped = statements_from_entities(data, where)
        else:
            statements, skipped = statements_from_sparql(data, where)
    report = WikidataReport(file=where.file, statements=len(statements), skipped=skipped)
    ids = {s.subject for s in statements} | {s.partner for s in statements}
    places = {p.wikidata_id: p for p in Place.objects.filter(wikidata_id__in=ids)}
    for statement in statements:
        for qid in (statement.subject, statement.partner):
            if qid not in places:
                raise ImportRefused(
                    where.file,
                    where.line_of(f'"{qid}"', f"{ENTITY}{qid}") or statement.line,
                    f"{qid} is not the Wikidata id of any place in the register; "
                    "set it on the place first",
                )
        if statement.subject == statement.partner:
            raise ImportRefused(where.file, statement.line, f"{qid} is twinned with itself")
    with transaction.atomic():
        source = wikidata_source()
        for statement in statements:
            _save_statement(statement, places, source, report)
    return report


def _save_statement(statement: Statement, places: dict, source: Source, report) -> None:
    a, b = ReportedPair.ordered(places[statement.subject].pk, places[statement.partner].pk)
    pair = ReportedPair.objects.filter(source=source, place_a_id=a, place_b_id=b).first()
    values = {
        "start": statement.start,
        "end": statement.end,
        "reference_url": statement.references[0] if statement.references else "",
    }
    if pair is None:
        pair = ReportedPair.objects.create(source=source, place_a_id=a, place_b_id=b, **values)
        report.pairs_new += 1
    elif any(getattr(pair, key) != value for key, value in values.items()):
        if pair.start and not statement.start or pair.end and not statement.end:
            # The other direction's statement may carry dates this one lacks: keep them.
            values = {k: v or getattr(pair, k) for k, v in values.items()}
        changed = any(getattr(pair, key) != value for key, value in values.items())
        for key, value in values.items():
            setattr(pair, key, value)
        if changed:
            pair.save()
            report.pairs_updated += 1
        else:
            report.pairs_unchanged += 1
    else:
        report.pairs_unchanged += 1
    references = [reference_source(url) for url in statement.references]
    if references and not set(references) <= set(pair.references.all()):
        pair.references.add(*references)
