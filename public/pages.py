"""What the organisation's public page shows, gathered in a fixed number of queries.

The page never issues a query per partner: everything is fetched with select_related
and Prefetch, and the template only reads what is gathered here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Max, Prefetch
from django.utils import timezone

from register.models import (
    Activity,
    Agreement,
    Organisation,
    PlaceName,
    Relation,
    current_lang,
)
from register.wording import governance_sentence, join


@dataclass
class Section:
    """One section of the page: a partner, or partners the register groups together."""

    key: str
    relations: list[Relation] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return len(self.relations) > 1

    def heading(self, lang: str | None = None) -> str:
        lang = lang or current_lang()
        return join([rel.partner.display_name(lang) for rel in self.relations], lang)


def published_relations(organisation: Organisation):
    agreements = (
        Agreement.objects.published()
        .select_related("kind", "decision")
        .prefetch_related("focus_areas", "funding", "sources")
    )
    activities = (
        Activity.objects.published().select_related("kind").prefetch_related("themes", "sources")
    )
    return (
        organisation.relations.published()
        .select_related("partner")
        .prefetch_related(
            Prefetch("partner__names", queryset=PlaceName.objects.all()),
            Prefetch("agreements", queryset=agreements),
            Prefetch("activities", queryset=activities),
            "sources",
        )
        .order_by("order", "id")
    )


def organisation_for_page(slug: str):
    return (
        Organisation.objects.select_related("place")
        .prefetch_related("governance_rules__kind", "sources")
        .filter(slug=slug)
        .first()
    )


def sections_of(relations) -> list[Section]:
    sections: dict[str, Section] = {}
    for relation in relations:
        key = relation.section or f"relation-{relation.pk}"
        sections.setdefault(key, Section(key)).relations.append(relation)
    return list(sections.values())


def last_updated(organisation: Organisation) -> datetime:
    """The newest change to anything the page shows (only published records count)."""
    relations = Relation.objects.published().filter(organisation=organisation)
    stamps = [
        organisation.updated_at,
        relations.aggregate(newest=Max("updated_at"))["newest"],
        relations.aggregate(newest=Max("partner__updated_at"))["newest"],
        Agreement.objects.published()
        .filter(relation__organisation=organisation, relation__is_published=True)
        .aggregate(newest=Max("updated_at"))["newest"],
        Activity.objects.published()
        .filter(organisation=organisation)
        .aggregate(newest=Max("updated_at"))["newest"],
    ]
    return max(stamp for stamp in stamps if stamp)


@dataclass
class OrganisationPage:
    organisation: Organisation
    sections: list[Section]
    governance: str
    updated: datetime
    today: date


def build_page(slug: str, lang: str) -> OrganisationPage | None:
    organisation = organisation_for_page(slug)
    if organisation is None:
        return None
    relations = list(published_relations(organisation))
    return OrganisationPage(
        organisation=organisation,
        sections=sections_of(relations),
        governance=governance_sentence(organisation, lang),
        updated=last_updated(organisation),
        today=timezone.localdate(),
    )
