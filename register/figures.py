"""Figures for the council and for funders: the annual report, the EU CERV
Town-Twinning rule and an ICLD-style summary of a municipal partnership.

Counts carry their precision: a sum that includes "about 100" is itself approximate,
and a sum that misses some counts says how many it misses. Nothing here knows of
HTTP, templates or charts; reports/ renders what these functions return.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from register.imprecise import Count, ImpreciseDate, sum_counts
from register.language import current_lang
from register.lifecycle import TimelineEvent, timeline, timeline_prefetch
from register.models import (
    NO_AGREEMENT,
    Activity,
    Agreement,
    AgreementStatus,
    DecidingBody,
    Decision,
    Organisation,
    Relation,
)

# EU CERV programme, Town-Twinning strand: a project involves at least 50 direct
# participants, of whom at least 25 are invited participants from abroad.
CERV_MIN_DIRECT = 50
CERV_MIN_INVITED = 25

MUNICIPAL_PARTNERSHIP = "kommunalt-partnerskap"  # the AgreementKind code ICLD funds
CHART_YEARS = 10  # how many years the "per year" figures look back


def participants(activity: Activity) -> Count:
    return Count.of(activity.participants, activity.participants_approximate)


def young_participants(activity: Activity) -> Count:
    return Count.of(activity.young_participants, activity.young_participants_approximate)


@dataclass(frozen=True)
class Share:
    """Young participants as a share of all, over the activities that counted both."""

    young: Count
    of: Count

    @property
    def percent(self) -> float | None:
        if not self.of.known or not self.of.value:
            return None
        return 100 * self.young.value / self.of.value

    @property
    def approximate(self) -> bool:
        return self.young.approximate or self.of.approximate

    def text(self, lang: str | None = None) -> str:
        if self.percent is None:
            return ""
        lang = lang or current_lang()
        number = f"{round(self.percent)} %"
        if self.approximate:
            return f"cirka {number}" if lang == "sv" else f"about {number}"
        return number


def young_share(activities: Iterable[Activity]) -> Share:
    """Only activities that counted both figures enter the share, so it is not diluted."""
    both = [a for a in activities if a.participants and a.young_participants is not None]
    return Share(
        sum_counts(young_participants(a) for a in both), sum_counts(participants(a) for a in both)
    )


# --- dates within a year ---------------------------------------------------------


@lru_cache(maxsize=4096)
def bounds(text: str) -> tuple[date | None, date | None]:
    """The earliest and latest day an EDTF date can mean (parsing is slow: cached)."""
    if not text:
        return None, None
    try:
        parsed = ImpreciseDate(text)
        return parsed.earliest, parsed.latest
    except ValidationError:
        return None, None


def within_year(text: str, year: int) -> bool:
    """True if the date certainly falls in `year` ('2010-10' yes; '201X' and '2010/2011' no)."""
    earliest, latest = bounds(text)
    return bool(earliest and latest and earliest.year == year == latest.year)


def year_of(text: str) -> int | None:
    earliest, latest = bounds(text)
    if earliest and latest and earliest.year == latest.year:
        return earliest.year
    return None


# --- EU CERV Town-Twinning --------------------------------------------------------


@dataclass(frozen=True)
class CervCheck:
    """Whether an activity, or a project of several, meets the Town-Twinning rule."""

    direct: Count
    invited: Count
    by_country: list[tuple[str, Count]]
    recorded_by_country: bool

    @property
    def meets(self) -> bool | None:
        """True or False on exact figures; None if the figures cannot tell."""
        if not self.recorded_by_country:
            return None
        enough = self.direct.value >= CERV_MIN_DIRECT and self.invited.value >= CERV_MIN_INVITED
        if self.direct.approximate or self.invited.approximate:
            return None
        return enough

    @property
    def would_meet_if_estimates_hold(self) -> bool:
        return (
            self.recorded_by_country
            and self.direct.value >= CERV_MIN_DIRECT
            and self.invited.value >= CERV_MIN_INVITED
        )

    def verdict(self) -> str:
        if not self.recorded_by_country:
            return _("cannot tell: participants by country of origin are not recorded")
        if self.meets is True:
            return _("meets the rule")
        if self.meets is False:
            if self.direct.value < CERV_MIN_DIRECT:
                return _("does not meet the rule: fewer than %(n)s direct participants") % {
                    "n": CERV_MIN_DIRECT
                }
            return _("does not meet the rule: fewer than %(n)s invited from abroad") % {
                "n": CERV_MIN_INVITED
            }
        if self.would_meet_if_estimates_hold:
            return _("cannot tell: meets the rule only if the approximate figures hold")
        return _("cannot tell: the approximate figures fall short of the rule")


def cerv_town_twinning(activities: Activity | Iterable[Activity]) -> CervCheck:
    """At least 50 direct participants, of whom at least 25 invited from abroad.

    "From abroad" means from another country than the one the activity took place in
    (its host country, or the organisation's own). Expects participants_by_country and
    organisation__place prefetched when called in a loop."""
    if isinstance(activities, Activity):
        activities = [activities]
    direct = invited = Count()
    per_country: dict[str, Count] = defaultdict(Count)
    recorded = True
    for activity in activities:
        rows = list(activity.participants_by_country.all())
        if not rows:
            recorded = False
            direct = direct + participants(activity)
            continue
        host = activity.host_country or activity.organisation.place.country
        for row in rows:
            count = Count.of(row.count, row.approximate)
            direct = direct + count
            per_country[row.country] = per_country[row.country] + count
            if row.country != host:
                invited = invited + count
    return CervCheck(direct, invited, sorted(per_country.items()), recorded)


def country_counts_error(activity: Activity, rows) -> str:
    """Per-country counts may not add up to more than the activity's exact total."""
    total = sum(row.count for row in rows)
    if (
        activity.participants is not None
        and not activity.participants_approximate
        and not any(row.approximate for row in rows)
        and total > activity.participants
    ):
        return _(
            "The participants by country add up to %(total)s, more than the "
            "%(all)s participants of the activity."
        ) % {"total": total, "all": activity.participants}
    return ""


# --- ICLD-style summary of a municipal partnership --------------------------------


@dataclass
class PartnershipSummary:
    agreement: Agreement
    activities: list[Activity]
    participants: Count
    young: Count
    funders: list[str]

    @property
    def relation(self) -> Relation:
        return self.agreement.relation

    @property
    def purpose(self) -> str:
        return self.agreement.purpose or self.agreement.kind.description

    def period_text(self, lang: str | None = None) -> str:
        text = self.agreement.period_text(lang)
        term = self.agreement.term_text(lang)
        return f"{text} ({term})" if term else text


def during(agreement: Agreement, activity: Activity) -> bool:
    """The activity took place within the agreement's period (as far as the dates tell)."""
    start, end = agreement.start_earliest, agreement.end_latest
    day = activity.date_earliest
    if day is None:
        return False
    return (start is None or day >= start) and (end is None or day <= end)


def partnership_summary(agreement: Agreement, activities: Iterable[Activity]) -> PartnershipSummary:
    """Period, purpose, activities and participants of one municipal partnership."""
    mine = [a for a in activities if during(agreement, a)]
    return PartnershipSummary(
        agreement,
        mine,
        sum_counts(participants(a) for a in mine),
        sum_counts(young_participants(a) for a in mine),
        [str(f) for f in agreement.funding.all()],
    )


def partnership_summaries(organisation: Organisation, year: int | None = None):
    """ICLD-style summaries of the organisation's municipal partnerships (in `year`)."""
    agreements = (
        Agreement.objects.filter(
            relation__organisation=organisation, kind__code=MUNICIPAL_PARTNERSHIP
        )
        .select_related("kind", "relation__partner", "decision")
        .prefetch_related(
            "funding",
            "focus_areas",
            "relation__partner__names",
            Prefetch("relation__activities", queryset=_activities()),
        )
    )
    if year is not None:
        agreements = agreements.filter(
            Q(start_earliest__isnull=True) | Q(start_earliest__lte=date(year, 12, 31)),
            Q(end_latest__isnull=True) | Q(end_latest__gte=date(year, 1, 1)),
        )
    return [partnership_summary(a, a.relation.activities.all()) for a in agreements]


def _activities():
    return Activity.objects.select_related("kind", "organisation__place").prefetch_related(
        "participants_by_country", "relations__partner__names"
    )


# --- the annual report ------------------------------------------------------------


@dataclass
class RelationOnDate:
    relation: Relation
    status: str  # AgreementStatus value, or "none" when no agreement is recorded
    agreements: list[Agreement]
    history: list[TimelineEvent] = field(default_factory=list)  # up to the report's day

    @property
    def status_label(self) -> str:
        if self.status == NO_AGREEMENT:
            return _("no agreement recorded")
        return str(AgreementStatus(self.status).label)


@dataclass
class YearFigures:
    year: int
    activities: int
    participants: Count
    young: Count


@dataclass
class AnnualFigures:
    organisation: Organisation
    year: int
    relations: list[RelationOnDate]
    signed: list[Agreement]
    renewed: list[Agreement]
    ended: list[Agreement]
    decisions_by_body: list[tuple[str, list[Decision]]]
    activities: list[tuple[Activity, CervCheck]]
    participants: Count
    young: Count
    share_young: Share
    funding_by_funder: list[tuple[str, list[tuple[Agreement, Decimal | None]]]]
    per_year: list[YearFigures]
    partnerships: list[PartnershipSummary]
    partners: list[Relation] = field(default_factory=list)

    @property
    def as_of(self) -> date:
        return date(self.year, 12, 31)

    @property
    def in_force(self) -> list[RelationOnDate]:
        """The relations with an agreement in force on 31 December (Relation.status_on):
        Moshi's partnership, 2008 for four years, is in force in 2011, not in 2013."""
        return [item for item in self.relations if item.status == AgreementStatus.ACTIVE]

    def status_counts(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = defaultdict(int)
        for item in self.relations:
            counts[item.status_label] += 1
        return sorted(counts.items())


def _not_after(text: str, day: date) -> bool:
    earliest, _latest = bounds(text)
    return earliest is None or earliest <= day


def annual_figures(organisation: Organisation, year: int) -> AnnualFigures:
    """Everything the annual report states, in a fixed number of queries."""
    as_of = date(year, 12, 31)
    agreement_qs = Agreement.objects.select_related(
        "kind", "decision", "ending_decision", "renews"
    ).prefetch_related("funding")
    relations = list(
        organisation.relations.select_related("partner")
        .prefetch_related("partner__names", *timeline_prefetch(agreement_qs))
        .order_by("order", "pk")
    )
    on_date = []
    for relation in relations:
        agreements = list(relation.agreements.all())
        since, _latest = bounds(relation.since)
        began = [a.start_earliest for a in agreements if a.start_earliest]
        first = min([d for d in [since, *began] if d], default=None)
        if first and first > as_of:
            continue  # the relation did not exist yet
        on_date.append(
            RelationOnDate(
                relation,
                relation.status_on(as_of),
                agreements,
                [event for event in timeline(relation) if _not_after(event.date, as_of)],
            )
        )

    all_agreements = [a for r in relations for a in r.agreements.all()]
    signed = [a for a in all_agreements if within_year(a.start, year)]
    renewed = [a for a in signed if a.renews_id]
    ended = [a for a in all_agreements if within_year(a.effective_end, year)]

    decisions = (
        Decision.objects.filter(relation__organisation=organisation)
        .select_related("relation__partner")
        .prefetch_related("relation__partner__names")
    )
    by_body: dict[str, list[Decision]] = defaultdict(list)
    for decision in decisions:
        if within_year(decision.date, year):
            by_body[decision.body].append(decision)
    decisions_by_body = [
        (str(body.label), by_body[body.value]) for body in DecidingBody if by_body[body.value]
    ]

    first_year = year - CHART_YEARS + 1
    recent = list(
        _activities().filter(
            organisation=organisation,
            date_earliest__gte=date(first_year, 1, 1),
            date_earliest__lte=as_of,
        )
    )
    this_year = [a for a in recent if within_year(a.date, year)]
    per_year = []
    for each in range(first_year, year + 1):
        those = [a for a in recent if year_of(a.date) == each]
        per_year.append(
            YearFigures(
                each,
                len(those),
                sum_counts(participants(a) for a in those),
                sum_counts(young_participants(a) for a in those),
            )
        )

    funding: dict[str, list[tuple[Agreement, Decimal | None]]] = defaultdict(list)
    for agreement in all_agreements:
        if agreement.status_on(as_of) == AgreementStatus.ACTIVE or within_year(
            agreement.effective_end, year
        ):
            for item in agreement.funding.all():
                funding[item.funder].append((agreement, item.share_percent))

    return AnnualFigures(
        organisation=organisation,
        year=year,
        relations=on_date,
        signed=signed,
        renewed=renewed,
        ended=ended,
        decisions_by_body=decisions_by_body,
        activities=[(a, cerv_town_twinning(a)) for a in this_year],
        participants=sum_counts(participants(a) for a in this_year),
        young=sum_counts(young_participants(a) for a in this_year),
        share_young=young_share(this_year),
        funding_by_funder=sorted(funding.items()),
        per_year=per_year,
        partnerships=partnership_summaries(organisation, year),
        partners=[item.relation for item in on_date],
    )
