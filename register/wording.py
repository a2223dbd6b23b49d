"""Sentences written from the register's data, for every face that needs them.

The governance paragraph is written from an organisation's rules, so changing a rule
changes the sentence; lists are joined the language's way ("a, b och c").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from babel.lists import format_list
from django.utils import timezone, translation
from django.utils.translation import gettext

from register.eu import in_eu
from register.language import LANGS, babel_locale_object
from register.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    DecidingBody,
    Organisation,
)


def join(items: list[str], lang: str) -> str:
    return format_list(list(items), locale=babel_locale_object(lang)) if items else ""


def governance_sentence(organisation: Organisation, lang: str) -> str:
    """'I Halmstads kommun är det kommunfullmäktige som beslutar om vänortsavtal medan …'"""
    clauses = []
    for body, kinds in organisation.rules_by_body():
        plurals = [
            (kind.plural_sv or kind.label_sv) if lang == "sv" else (kind.plural_en or kind.label_en)
            for kind in kinds
        ]
        clauses.append((body_name(body, lang), join(plurals, lang)))
    if not clauses:
        return ""
    name = organisation.name_sv if lang == "sv" else (organisation.name_en or organisation.name_sv)
    (first_body, first_kinds), rest = clauses[0], clauses[1:]
    if lang == "sv":
        sentence = f"I {name} är det {first_body} som beslutar om {first_kinds}"
        others = [f"{body} beslutar om {kinds}" for body, kinds in rest]
        return sentence + (f" medan {join(others, lang)}" if others else "") + "."
    sentence = f"In {name}, the {first_body} decides on {first_kinds}"
    others = [f"the {body} decides on {kinds}" for body, kinds in rest]
    return sentence + (f", while {join(others, lang)}" if others else "") + "."


def body_name(body: str, lang: str) -> str:
    """The deciding body's name as a sentence uses it ("kommunfullmäktige" / "municipal
    council"): DecidingBody's own label, in `lang`."""
    with translation.override(lang if lang in LANGS else "sv"):
        return str(DecidingBody(str(body)).label)


# --- the introduction, written from what is in force ------------------------------------


def in_force(
    organisation: Organisation, day: date | None = None, drafts: bool = False
) -> list[Agreement]:
    """The published agreements of published relations that are active on `day`: the
    lasting ones (a letter of intent is signed once, and is not "in force"). With
    `drafts`, the drafts count as published (the editor's preview)."""
    day = day or timezone.localdate()
    return list(
        (Agreement.objects.all() if drafts else Agreement.objects.published())
        .filter(relation__organisation=organisation, kind__has_duration=True)
        .with_status_on(day, AgreementStatus.ACTIVE)
        .select_related("kind", "relation__partner")
        .order_by("kind__order", "kind__code", "pk")
    )


def in_force_among(relations, day: date) -> list[Agreement]:
    """in_force() from relations already fetched with their agreements (the page's, with
    the published ones or, in a preview, all): the same agreements, in the same order,
    without a query. Agreement.status_on is the Python form of with_status_on."""
    found = [
        agreement
        for relation in relations
        for agreement in relation.agreements.all()
        if agreement.kind.has_duration and agreement.status_on(day) == AgreementStatus.ACTIVE
    ]
    return sorted(found, key=lambda a: (a.kind.order, a.kind.code, a.pk))


def introduction(
    organisation: Organisation, lang: str, day: date | None = None, drafts: bool = False
) -> str:
    """'Halmstads kommun har samarbetsavtal och vänortsliknande förbindelser med städer
    både inom och utanför EU.': the kinds in force, and where the partners are, with EU
    membership from register/eu.py. Empty when nothing is in force."""
    return introduction_of(organisation, in_force(organisation, day, drafts), lang)


def introduction_of(organisation: Organisation, agreements: list[Agreement], lang: str) -> str:
    """introduction() from the agreements in force (in_force or in_force_among)."""
    if not agreements:
        return ""
    kinds: list[AgreementKind] = []
    for agreement in agreements:
        if agreement.kind not in kinds:
            kinds.append(agreement.kind)
    plurals = [
        (k.plural_sv or k.label_sv) if lang == "sv" else (k.plural_en or k.label_en) for k in kinds
    ]
    inside = {in_eu(a.relation.partner.country) for a in agreements}
    name = organisation.name_sv if lang == "sv" else (organisation.name_en or organisation.name_sv)
    if lang == "sv":
        where = {
            frozenset({True, False}): "både inom och utanför EU",
            frozenset({True}): "inom EU",
            frozenset({False}): "utanför EU",
        }[frozenset(inside)]
        return f"{name} har {join(plurals, lang)} med städer {where}."
    where = {
        frozenset({True, False}): "both inside and outside the EU",
        frozenset({True}): "inside the EU",
        frozenset({False}): "outside the EU",
    }[frozenset(inside)]
    return f"{name} has {join(plurals, lang)} with towns {where}."


@dataclass(frozen=True)
class BackgroundWarning:
    """The free background text names something the register does not have in force."""

    language: str
    named: str  # the kind or the partner, as the text names it

    def __str__(self) -> str:
        return gettext(
            "The background text (%(language)s) names “%(named)s”, which the register does "
            "not have in force. The introduction above it is written from the register; "
            "check the background."
        ) % {"language": self.language, "named": self.named}


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.!?])\s+", text) if part.strip()]


def _names(text: str, word: str) -> bool:
    return bool(word) and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I) is not None


def background_warnings(organisation: Organisation, day: date | None = None) -> list:
    """What the background text claims that the register does not have in force: a kind
    named in a sentence about the organisation itself ("Halmstads kommun har
    vänortsavtal …"; a sentence about the past in general is history, not a claim), or a
    partner named anywhere whose relation has nothing in force."""
    agreements = in_force(organisation, day)
    kinds_in_force = {a.kind_id for a in agreements}
    partners_in_force = {a.relation.partner_id for a in agreements}
    own = {organisation.name_sv, organisation.name_en, organisation.place.name} - {""}
    warnings: list[BackgroundWarning] = []
    relations = organisation.relations.select_related("partner").prefetch_related("partner__names")
    for lang in ("sv", "en"):
        text = getattr(organisation, f"background_{lang}", "")
        if not text:
            continue
        for sentence in _sentences(text):
            if not any(_names(sentence, name) for name in own):
                continue
            for kind in AgreementKind.objects.exclude(pk__in=kinds_in_force):
                for word in {getattr(kind, f"plural_{lang}"), getattr(kind, f"label_{lang}")}:
                    if _names(sentence, word) and BackgroundWarning(lang, word) not in warnings:
                        warnings.append(BackgroundWarning(lang, word))
        for relation in relations:
            if relation.partner_id in partners_in_force:
                continue
            names = {relation.partner.name, *(n.name for n in relation.partner.names.all())}
            for name in names:
                if _names(text, name) and BackgroundWarning(lang, name) not in warnings:
                    warnings.append(BackgroundWarning(lang, name))
    return warnings
