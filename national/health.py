"""The health of a relation: its last recorded activity, and whether it has gone quiet.

A relation in force is dormant when no published activity is recorded for
VANORT_QUIET_YEARS years (3, as the editors' reminders use), unless its agreements all
began within that time. Plain functions over what the pages have already fetched.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from register.lifecycle import DEFAULT_QUIET_YEARS, years_before
from register.models import Activity, AgreementStatus, Relation


def quiet_years() -> int:
    return int(getattr(settings, "VANORT_QUIET_YEARS", DEFAULT_QUIET_YEARS)) or DEFAULT_QUIET_YEARS


def with_last_activity(relations: QuerySet[Relation]) -> QuerySet[Relation]:
    """Annotate last_activity (a date) and last_activity_text (EDTF, as recorded)."""
    latest = (
        Activity.objects.published().filter(relations=OuterRef("pk")).order_by("-date_earliest")
    )
    return relations.annotate(
        last_activity=Subquery(latest.values("date_earliest")[:1]),
        last_activity_text=Subquery(latest.values("date")[:1]),
    )


def is_dormant(relation: Relation, today: date, years: int | None = None) -> bool:
    """In force, and quiet for `years`: reads prefetched agreements and the annotation."""
    years = years or quiet_years()
    agreements = list(relation.agreements.all())
    in_force = any(a.status_on(today) == AgreementStatus.ACTIVE for a in agreements)
    starts = [a.start_earliest for a in agreements if a.start_earliest]
    last = getattr(relation, "last_activity", None)
    return quiet(in_force, last, starts, years_before(today, years))


def quiet(in_force: bool, last: date | None, starts: list[date], cutoff: date) -> bool:
    """The rule on plain values: in force, and no activity since `cutoff` (a relation
    never active is quiet unless an agreement began after the cutoff)."""
    if not in_force:
        return False
    if last is not None:
        return last < cutoff
    return not starts or min(starts) <= cutoff


def agreement_in_force(start_earliest: date | None, end_latest: date | None, day: date) -> bool:
    """Agreement.status_on(day) == ACTIVE, on the stored bounds alone."""
    if start_earliest and day < start_earliest:
        return False
    return not (end_latest and day > end_latest)
