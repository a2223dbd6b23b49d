"""What the organisation's public page shows, gathered in a fixed number of queries.

The page never issues a query per partner: its records are fetched by public/gather.py
(SQL compiled once, rows put where prefetch_related would put them), and the template
only reads what is gathered here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext

from public import gather
from public import map as partner_maps
from public.map import MapDrawing, draw
from register import hours, prose
from register.history import last_published_change
from register.imprecise import ImpreciseDate, format_date
from register.language import current_lang
from register.lifecycle import timeline
from register.models import (
    Activity,
    Agreement,
    Organisation,
    Relation,
    country_name,
    localized,
)
from register.wording import governance_sentence, in_force_among, introduction_of, join


@dataclass
class Section:
    """One section of the page: a partner, or partners the register groups together."""

    key: str
    relations: list[Relation] = field(default_factory=list)
    sentence: str = ""  # register/prose.py: the section's relations in one sentence
    not_on_record: str = ""  # the decisions the grouping sentence cannot show

    @property
    def sources(self) -> list:
        """Every source of what the section tells, in order: the relations', their
        agreements' and activities' (cited once, at the section's sentence)."""
        found: list = []
        for relation in self.relations:
            for source in [
                *relation.sources.all(),
                *(s for a in relation.agreements.all() for s in a.sources.all()),
                *(s for a in relation.activities.all() for s in a.sources.all()),
            ]:
                if source not in found:
                    found.append(source)
        return found

    def shown_agreements(self, relation: Relation) -> list[Agreement]:
        """The agreements told in a block of their own: all of a lone partner's; in a
        group, only those with more to tell than the grouping sentence says."""
        agreements = list(relation.agreements.all())
        if not self.is_group:
            return agreements
        return [a for a in agreements if has_details(a)]

    @property
    def is_group(self) -> bool:
        return len(self.relations) > 1

    def heading(self, lang: str | None = None) -> str:
        lang = lang or current_lang()
        return join([rel.partner.display_name(lang) for rel in self.relations], lang)


def has_details(agreement: Agreement) -> bool:
    """More than kind, dates and the decision mark: areas, unit, funding, purpose, a
    linked decision, a description of its kind."""
    return bool(
        agreement.focus_areas.all()
        or agreement.responsible_unit
        or agreement.funding.all()
        or agreement.purpose_sv
        or agreement.purpose_en
        or agreement.decision_id
        or agreement.kind.description_sv
        or agreement.kind.description_en
    )


class References:
    """The page's sources, numbered in the order the page first cites them, listed once
    at its foot ("Källor"); each citation in the text links to its number."""

    def __init__(self) -> None:
        self.sources: list = []

    def cite(self, sources, within=()) -> list[tuple[int, object]]:
        """[(number, source)] for `sources`, leaving out those `within` already cites."""
        skip = {source.pk for source in within}
        numbers: list[tuple[int, object]] = []
        for source in sources:
            if source.pk in skip:
                continue
            if source not in self.sources:
                self.sources.append(source)
            entry = (self.sources.index(source) + 1, source)
            if entry not in numbers:
                numbers.append(entry)
        return numbers


def published_relations(organisation: Organisation, drafts: bool = False) -> list[Relation]:
    """The relations the page shows, with everything it reads of them; with `drafts`, as
    the page will look once the drafts are published (the editor's preview)."""
    gathered = gather.page(organisation.slug, drafts)
    return gathered[1] if gathered else []


def sections_of(
    relations, organisation: Organisation | None = None, lang: str = "", day: date | None = None
) -> list[Section]:
    """The page's sections; with the organisation, each with its sentence (the seed's
    "Halmstads kommun har sedan … samarbetsavtal med Hangö i Finland och …")."""
    sections: dict[str, Section] = {}
    for relation in relations:
        key = relation.section or f"relation-{relation.pk}"
        sections.setdefault(key, Section(key)).relations.append(relation)
    if organisation is not None:
        lang = lang or current_lang()
        day = day or timezone.localdate()
        name = localized(organisation, "name", lang)
        for section in sections.values():
            ties = [tie for rel in section.relations for tie in prose.ties_of(rel, lang, day)]
            section.sentence = prose.ties_sentence(name, ties, lang)
            if section.is_group:
                unrecorded = [
                    relation.partner.display_name(lang)
                    for relation in section.relations
                    if any(
                        a.decision_not_on_record and not has_details(a)
                        for a in relation.agreements.all()
                    )
                ]
                section.not_on_record = prose.not_on_record_sentence(unrecorded, lang)
    return list(sections.values())


def last_updated(organisation: Organisation) -> datetime:
    """The newest change to anything the page shows, from the register's history
    (deleting or unpublishing counts; a draft's edits do not); one query."""
    return last_published_change(organisation) or organisation.updated_at


@dataclass
class OrganisationPage:
    organisation: Organisation
    sections: list[Section]
    governance: str
    updated: datetime
    today: date
    relations: list[Relation] = field(default_factory=list)
    open_lines: list = field(default_factory=list)
    introduction: str = ""  # written from what is in force (register/wording.py)
    references: References = field(default_factory=References)

    @cached_property
    def map_places(self):
        """map_places() once per page: the map section asks three times."""
        return map_places(self.organisation, self.relations, current_lang())

    @property
    def has_map(self) -> bool:
        return self.map_places is not None

    @property
    def map_size(self) -> tuple[int, int]:
        return partner_maps.size(*self.map_places) if self.map_places else (0, 0)


def build_page(slug: str, lang: str, drafts: bool = False) -> OrganisationPage | None:
    gathered = gather.page(slug, drafts)  # in a fixed number of queries, compiled once
    if gathered is None:
        return None
    organisation, relations = gathered
    now = timezone.now()
    today = timezone.localdate(now)  # one day for every part of the page
    return OrganisationPage(
        organisation=organisation,
        sections=sections_of(relations, organisation, lang, today),
        governance=governance_sentence(organisation, lang),
        # from the agreements fetched for the sections: no query of its own
        introduction=introduction_of(organisation, in_force_among(relations, today), lang),
        updated=last_updated(organisation),
        today=today,
        relations=relations,
        open_lines=open_now(organisation, now, lang, stable=True),
    )


# --- partner pages, activities, map and "open now" ------------------------------------


def partner_slug(place) -> str:
    """The partner's address on the site: its local name, as a slug ('hanko', 'asti')."""
    return slugify(place.name) or str(place.pk)


def activities_of(organisation: Organisation):
    return (
        Activity.objects.published()
        .filter(organisation=organisation)
        .select_related("kind")
        .prefetch_related(
            "themes",
            "sources",
            Prefetch(
                "relations",
                queryset=Relation.objects.published()
                .select_related("partner")
                .prefetch_related("partner__names"),
            ),
        )
        .order_by("-date_earliest", "-id")
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One dated line of a relation's history: a decision, an agreement, an activity."""

    sort_key: date
    when: str
    kind: str
    text: str


def _earliest(edtf_text: str) -> date:
    try:
        return ImpreciseDate(edtf_text).earliest if edtf_text else date.max
    except ValidationError:
        return date.max


def relation_history(relation: Relation, lang: str) -> list[HistoryEntry]:
    """The relation's timeline (register/lifecycle.py: letter of intent, agreement,
    renewal, end, decisions) with its activities, oldest first.

    Reads what prefetch_history() fetched: no query per agreement or decision."""
    entries = [
        HistoryEntry(
            _earliest(event.date),
            event.date_text(lang),
            capfirst(event.label),
            _event_text(event),
        )
        for event in timeline(relation)
    ]
    for activity in relation.activities.all():
        entries.append(
            HistoryEntry(
                _earliest(activity.date),
                format_date(activity.date, lang),
                gettext("Activity"),
                activity.title or capfirst(activity.kind.label),
            )
        )
    return sorted(entries, key=lambda entry: entry.sort_key)


def _event_text(event) -> str:
    decision = event.decision
    parts = [capfirst(event.agreement.kind.label)] if event.agreement else []
    if decision is not None:
        parts += [str(decision), localized(decision, "summary")]
    return " – ".join(part for part in parts if part)


def prefetch_history(relation: Relation) -> None:
    """What relation_history() reads, in a fixed number of queries: its decisions, and
    the published renewals of its agreements (a draft renewal is not shown)."""
    prefetch_related_objects(
        [relation],
        "decisions",
        Prefetch("agreements__renewals", queryset=Agreement.objects.published()),
        "agreements__ending_decision",
    )


def map_places(organisation: Organisation, relations, lang: str):
    """(home, partners) as public/map.py takes them: the organisation's place and its
    partners that have coordinates; None when there is nothing to draw."""
    home = organisation.place
    partners = [
        (
            rel.partner.display_name(lang),
            rel.partner.country,
            float(rel.partner.latitude),
            float(rel.partner.longitude),
        )
        for rel in relations
        if rel.partner.latitude is not None and rel.partner.longitude is not None
    ]
    if home.latitude is None or home.longitude is None or not partners:
        return None
    return (home.display_name(lang), float(home.latitude), float(home.longitude)), partners


def partner_map(organisation: Organisation, relations, lang: str) -> MapDrawing | None:
    """The organisation's place and its partners that have coordinates, drawn."""
    places = map_places(organisation, relations, lang)
    return draw(*places) if places else None


def map_texts(
    organisation: Organisation, relations, lang: str, places: Any = None
) -> tuple[str, str]:
    """The map's title and description (the SVG's <title> and <desc>, the <img>'s alt):
    every partner on it by name, a far one with the inset it is drawn in. `places`: what
    map_places() gave for them, if asked already."""
    places = places or map_places(organisation, relations, lang)
    name = organisation.place.display_name(lang)
    title = gettext("Map of %(name)s and its partner towns") % {"name": name}
    if places is None:
        return title, ""
    home, partners = places
    names = [
        f"{p[0]} ({country_name(p[1], lang)})" if partner_maps.is_far(home, p) else p[0]
        for p in partners
    ]
    description = " ".join(
        [
            gettext("A map of Europe and beyond with %(name)s and its partner towns marked:")
            % {"name": name},
            join(names, lang) + ".",
            gettext("The same places are listed beside the map."),
        ]
    )
    return title, description


@dataclass(frozen=True)
class OpenLine:
    """'Öppet nu · Stänger kl. 17.00' for one line (the visitor desk or the phone)."""

    key: str
    is_open: bool
    words: str
    closed_day: str
    stretches: list[hours.Stretch]


def open_now(
    organisation: Organisation, now: datetime, lang: str, stable: bool = False
) -> list[OpenLine]:
    """The lines' stretches from `now`; `stable` (the pages): from the start of the stretch
    `now` is in, so that a page rendered any time in a stretch is the same (a cached page
    equals a fresh one, vanort/caching.py)."""
    lines = []
    for key, text in (
        ("visitors", organisation.visitor_hours),
        ("phone", organisation.phone_hours),
    ):
        if not text:
            continue
        if stable:  # from the stretch's own start: one page all through a stretch
            parts = hours.stretches(text, _day_start(now), lang=lang)
            parts = [p for i, p in enumerate(parts[:-1]) if parts[i + 1].start > now] + parts[-1:]
        else:
            parts = hours.stretches(text, now, lang=lang)
        lines.append(OpenLine(key, parts[0].is_open, parts[0].words, parts[0].closed_day, parts))
    return lines


def _day_start(now: datetime) -> datetime:
    local = now.astimezone(hours.STOCKHOLM)
    return datetime.combine(local.date(), datetime.min.time(), tzinfo=hours.STOCKHOLM)


def open_now_data(lines: list[OpenLine]) -> dict:
    """What the page's script needs to keep 'open now' right without a reload."""
    return {
        line.key: [
            {
                "start": stretch.start.isoformat(),
                "open": stretch.is_open,
                "words": stretch.words,
                "closed_day": stretch.closed_day,
            }
            for stretch in line.stretches
        ]
        for line in lines
    }
