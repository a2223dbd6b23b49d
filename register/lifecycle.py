"""An agreement's life: signed, renewed, ended (on time or early), and what needs
attention before it runs out.

A renewal is the next agreement, linked to the one it renews; ending one early keeps
the planned term and records the day and the decision that ended it. Deadlines are
derived from the dates alone, like status, so nothing here can go stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from register import governance, history
from register.imprecise import ImpreciseDate, format_date
from register.language import current_lang
from register.models import (
    Activity,
    Agreement,
    AgreementStatus,
    Decision,
    Funding,
    Relation,
)

DEFAULT_WINDOWS = (180, 30)  # days before an agreement's end that its editors are told
DEFAULT_QUIET_YEARS = 3  # a relation with no activity for this long is worth a look


# --- renewing and ending ----------------------------------------------------------


@transaction.atomic
def renew(
    agreement: Agreement,
    *,
    start: str,
    term_months: int | None = None,
    end: str = "",
    decision: Decision | None = None,
) -> Agreement:
    """Create the next agreement, linked to `agreement`, with the same kind, areas,
    purpose, unit and funding (not its sources: they back the earlier dates).
    Raises ValidationError and saves nothing if it is invalid.

    Safe when two requests renew the same agreement at once: the agreement's row is
    locked until this transaction ends (PostgreSQL; SQLite writes one at a time), so the
    second sees the first's renewal, and a database constraint refuses a second renewal
    whatever path it comes by."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.renewals.exists():
        raise ValidationError(
            {"renews": _("This agreement has already been renewed.")}, code="already_renewed"
        )
    if agreement.ended_early_on:
        raise ValidationError(
            {"renews": _("An agreement that was ended early cannot be renewed.")},
            code="ended_early",
        )
    following = Agreement(
        relation=agreement.relation,
        kind=agreement.kind,
        renews=agreement,
        start=start,
        end=end,
        term_months=term_months if term_months is not None else None,
        decision=decision,
        responsible_unit=agreement.responsible_unit,
        purpose_sv=agreement.purpose_sv,
        purpose_en=agreement.purpose_en,
        is_published=agreement.is_published,
    )
    if not end and term_months is None:
        following.term_months = agreement.term_months
    # A renewal without the decision its kind requires starts as a draft (governance).
    following.is_published = agreement.is_published and not governance.agreement_errors(following)
    following.full_clean()
    agreement.refresh_bounds()
    following.refresh_bounds()
    if (
        agreement.start_earliest
        and following.start_earliest
        and following.start_earliest <= agreement.start_earliest
    ):
        raise ValidationError(
            {"start": _("A renewal starts after the agreement it renews.")}, code="renewal_start"
        )
    history.defer(following)  # one history row with the focus areas, as an edit has
    try:
        with transaction.atomic():
            following.save()
    except IntegrityError as refused:
        if not agreement.renewals.exists():
            raise
        raise ValidationError(
            {"renews": _("This agreement has already been renewed.")}, code="already_renewed"
        ) from refused
    following.focus_areas.set(agreement.focus_areas.all())
    history.write(following)
    bulk_create_with_history(
        [
            Funding(agreement=following, funder=f.funder, share_percent=f.share_percent)
            for f in agreement.funding.all()
        ],
        Funding,
    )
    return following


@transaction.atomic
def end_early(agreement: Agreement, *, on: str, decision: Decision) -> Agreement:
    """Record that `agreement` was ended on `on` by `decision`, before its planned end.

    The planned end or term is kept, so the record still says what was agreed."""
    if not on:
        raise ValidationError(
            {"ended_early_on": [_("Give the day the agreement ended.")]}, code="required"
        )
    planned_end = planned_end_of(agreement)
    agreement.ended_early_on = on
    agreement.ending_decision = decision
    agreement.full_clean()
    planned = ImpreciseDate(planned_end).latest if planned_end else None
    ended = ImpreciseDate(on).earliest
    if planned and ended and ended > planned:
        message = _("An early end cannot be after the planned end (%(end)s).") % {
            "end": format_date(planned_end, current_lang())
        }
        raise ValidationError({"ended_early_on": [message]}, code="early_end_after_end")
    agreement.save()
    return agreement


def planned_end_of(agreement: Agreement) -> str:
    """The end that was agreed (end, or start + term), whether or not it was ended early."""
    if agreement.end:
        return agreement.end
    if agreement.start and agreement.term_months:
        return ImpreciseDate(agreement.start).plus_months(agreement.term_months).text
    return ""


# --- the timeline of a relation ---------------------------------------------------


class Step:
    LETTER_OF_INTENT = "letter_of_intent"
    AGREEMENT = "agreement"
    RENEWAL = "renewal"
    END = "end"
    ENDED_EARLY = "ended_early"
    DECISION = "decision"

    LABELS = {
        LETTER_OF_INTENT: _("letter of intent"),
        AGREEMENT: _("agreement"),
        RENEWAL: _("renewal"),
        END: _("end"),
        ENDED_EARLY: _("ended early"),
        DECISION: _("decision"),
    }


@dataclass(frozen=True)
class TimelineEvent:
    step: str
    date: str  # EDTF, as the source gave it
    agreement: Agreement | None = None
    decision: Decision | None = None

    @property
    def label(self) -> str:
        return str(Step.LABELS[self.step])

    def date_text(self, lang: str | None = None) -> str:
        return format_date(self.date, lang or current_lang())

    @property
    def sort_key(self) -> tuple:
        if not self.date:
            return (date.max, self.step)
        bounds = ImpreciseDate(self.date)
        return (bounds.earliest or bounds.latest or date.min, self.step)


def timeline(relation: Relation) -> list[TimelineEvent]:
    """Letter of intent, agreement, renewal, end, each with its deciding decision, in order.

    Reads relation.agreements (with their renewals) and relation.decisions through
    .all(), so a caller that prefetched them (see TIMELINE_PREFETCH) pays no query."""
    agreements = list(relation.agreements.all())
    events: list[TimelineEvent] = []
    used_decisions: set[int | None] = set()  # None: an event without its decision
    for agreement in agreements:
        if not agreement.kind.has_duration:
            step = Step.LETTER_OF_INTENT
        elif agreement.renews_id:
            step = Step.RENEWAL
        else:
            step = Step.AGREEMENT
        events.append(TimelineEvent(step, agreement.start, agreement, agreement.decision))
        used_decisions.add(agreement.decision_id)
        if agreement.ended_early_on:
            events.append(
                TimelineEvent(
                    Step.ENDED_EARLY,
                    agreement.ended_early_on,
                    agreement,
                    agreement.ending_decision,
                )
            )
            used_decisions.add(agreement.ending_decision_id)
        elif agreement.effective_end and not agreement.renewals.all():
            # A renewed agreement's end is the renewal's start: one step, not two.
            events.append(TimelineEvent(Step.END, agreement.effective_end, agreement))
    for decision in relation.decisions.all():
        if decision.pk not in used_decisions:
            events.append(TimelineEvent(Step.DECISION, decision.date, decision=decision))
    return sorted(events, key=lambda event: event.sort_key)


def timeline_prefetch(agreements=None) -> list:
    """What to prefetch on relations so that timeline() costs no query per relation."""
    agreements = agreements or Agreement.objects.select_related(
        "kind", "decision", "ending_decision"
    )
    return [
        Prefetch("agreements", queryset=agreements.prefetch_related("renewals")),
        "decisions",
    ]


# --- what needs attention ---------------------------------------------------------


@dataclass(frozen=True)
class EndingAgreement:
    """An agreement that ends within one of the reminder windows."""

    agreement: Agreement
    ends_on: date  # the earliest day the (possibly imprecise) end can mean
    days_left: int
    window: int  # the smallest window the agreement is inside

    @property
    def key(self) -> str:
        """One reminder per agreement, window and end: a changed end is a new deadline."""
        return f"agreement:{self.agreement.pk}:{self.window}:{self.ends_on.isoformat()}"


def end_day(agreement: Agreement) -> date | None:
    """The earliest day the agreement can end: remind early rather than late."""
    end = agreement.effective_end
    if not end:
        return None
    bounds = ImpreciseDate(end)
    return bounds.earliest or bounds.latest


def agreements_ending(
    agreements: QuerySet[Agreement], today: date, windows: Iterable[int] = DEFAULT_WINDOWS
) -> list[EndingAgreement]:
    """Agreements that end within the largest window and have not been renewed.

    An open-ended agreement has no end and never appears."""
    windows = sorted(set(windows))
    if not windows:
        return []
    candidates = (
        agreements.filter(end_latest__gte=today, renewals__isnull=True)
        .select_related("kind", "relation__partner", "relation__organisation")
        .prefetch_related("relation__partner__names")
        .order_by("end_latest", "pk")
    )
    found = []
    for agreement in candidates:
        ends_on = end_day(agreement)
        if ends_on is None:
            continue
        days_left = max(0, (ends_on - today).days)
        window = next((w for w in windows if days_left <= w), None)
        if window is not None:
            found.append(EndingAgreement(agreement, ends_on, days_left, window))
    return sorted(found, key=lambda item: (item.ends_on, item.agreement.pk))


@dataclass(frozen=True)
class QuietRelation:
    """A relation in force with no activity recorded for the given number of years."""

    relation: Relation
    last_activity: date | None
    years: int
    last_activity_date: str = ""  # as recorded (EDTF), so "2010-10" is not shown as a day

    @property
    def key(self) -> str:
        """One reminder per relation and quiet spell: a new activity starts a new spell."""
        since = self.last_activity.isoformat() if self.last_activity else "never"
        return f"relation:{self.relation.pk}:quiet-since:{since}"


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def quiet_relations(
    relations: QuerySet[Relation], today: date, years: int = DEFAULT_QUIET_YEARS
) -> list[QuietRelation]:
    """Relations with an agreement in force today and no activity for `years` years.

    A relation whose agreements all began within the period is not yet quiet."""
    if years <= 0:
        return []
    cutoff = years_before(today, years)
    in_force = Agreement.objects.with_status_on(today, AgreementStatus.ACTIVE)
    candidates = (
        relations.filter(agreements__in=in_force)
        .distinct()
        .annotate(
            last_activity=Max("activities__date_earliest"),
            last_activity_date=Subquery(
                Activity.objects.filter(relations=OuterRef("pk"))
                .order_by("-date_earliest")
                .values("date")[:1]
            ),
            first_agreement=Min("agreements__start_earliest"),
        )
        .select_related("partner", "organisation")
        .prefetch_related("partner__names")
        .order_by("organisation_id", "order", "pk")
    )
    found = []
    for relation in candidates:
        last = relation.last_activity
        if last is not None and last >= cutoff:
            continue
        if last is None and relation.first_agreement and relation.first_agreement > cutoff:
            continue
        found.append(QuietRelation(relation, last, years, relation.last_activity_date or ""))
    return found


def deadline_agreements(agreements: QuerySet[Agreement], today: date, past_days: int = 365):
    """Agreements whose end is ahead, or passed within `past_days`: a calendar's events."""
    return (
        agreements.filter(end_latest__gte=today - timedelta(days=past_days))
        .select_related("kind", "relation__partner", "relation__organisation")
        .prefetch_related("relation__partner__names", "renewals")
        .order_by("end_latest", "pk")
    )
