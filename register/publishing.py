"""Draft → preview → publish: what publishing and withdrawing a record means.

New relations, agreements and activities start as drafts (is_published is False). An
editor previews the public pages with the drafts, then publishes; an agreement is
published only if the governance rule holds (register/governance.py), and every
publication and withdrawal is recorded in the history with who and when (the change
reason below; the user comes from the request, as for every change).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from register import governance
from register.models import PUBLISHED, WITHDRAWN, Activity, Agreement, Relation  # noqa: F401

PUBLISHABLE = (Relation, Agreement, Activity)

# PUBLISHED and WITHDRAWN: the history's change reasons, written by Timestamped.save
# whichever face saves.


def publish(record) -> None:
    """Publish `record`, or raise ValidationError naming the field and the rule."""
    if record.is_published:
        return
    if isinstance(record, Agreement):
        governance.check_publication(record)
    record.is_published = True
    try:
        record.full_clean()
    except ValidationError:
        record.is_published = False
        raise
    record.save(update_fields=["is_published"])  # the history names it (Timestamped)


def withdraw(record) -> None:
    """Make `record` a draft again (it leaves the public pages and the open data)."""
    if not record.is_published:
        return
    record.is_published = False
    record.save(update_fields=["is_published"])


def drafts_of(organisation_ids) -> dict[str, list]:
    """The drafts of the organisations, by what they are, for the editor's start page."""
    return {
        "relations": list(
            Relation.objects.filter(organisation__in=organisation_ids, is_published=False)
            .select_related("partner", "organisation")
            .prefetch_related("partner__names")
            .order_by("organisation", "order", "pk")
        ),
        "agreements": list(
            Agreement.objects.filter(
                relation__organisation__in=organisation_ids, is_published=False
            )
            .select_related("kind", "relation__partner", "relation__organisation")
            .prefetch_related("relation__partner__names")
            .order_by("relation__organisation", "pk")
        ),
        "activities": list(
            Activity.objects.filter(organisation__in=organisation_ids, is_published=False)
            .select_related("kind", "organisation")
            .order_by("organisation", "pk")
        ),
    }


def not_on_record_of(organisation_ids) -> list[Agreement]:
    """Agreements marked "decision not on record", for the start page."""
    return list(
        Agreement.objects.filter(
            relation__organisation__in=organisation_ids, decision_not_on_record=True
        )
        .select_related("kind", "relation__partner", "relation__organisation")
        .prefetch_related("relation__partner__names")
        .order_by("relation__organisation", "pk")
    )
