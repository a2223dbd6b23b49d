"""What the register's history (django-simple-history) tells about the published page."""

from __future__ import annotations

from datetime import datetime

from django.db.models import OuterRef, Q, Subquery

from register.models import (
    Activity,
    Agreement,
    Decision,
    Funding,
    GovernanceRule,
    Organisation,
    Place,
    PlaceName,
    Relation,
)


def _shown(history):
    """Rows after which the record was published, and rows that unpublished or deleted
    a published record: a draft's edits do not change the page."""
    previous = (
        history.model.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        .order_by("-history_date")
        .values("is_published")[:1]
    )
    return history.annotate(was_published=Subquery(previous)).filter(
        Q(is_published=True) | Q(was_published=True)
    )


def _newest(history) -> Subquery:
    return Subquery(history.order_by("-history_date").values("history_date")[:1])


def last_published_change(organisation: Organisation) -> datetime | None:
    """When anything on the organisation's public page last changed, in one query.

    Deleting or unpublishing a record changes the page too; only the history knows it.
    """
    relations = Relation.objects.filter(organisation=organisation, is_published=True)
    partners = relations.values("partner_id")
    stamps = (
        Organisation.objects.filter(pk=organisation.pk)
        .annotate(
            changed_organisation=_newest(Organisation.history.filter(id=organisation.pk)),
            changed_rules=_newest(GovernanceRule.history.filter(organisation_id=organisation.pk)),
            changed_relations=_newest(
                _shown(Relation.history.filter(organisation_id=organisation.pk))
            ),
            changed_places=_newest(
                Place.history.filter(Q(id__in=partners) | Q(id=organisation.place_id))
            ),
            changed_names=_newest(PlaceName.history.filter(place_id__in=partners)),
            changed_agreements=_newest(
                _shown(Agreement.history.filter(relation_id__in=relations.values("pk")))
            ),
            changed_decisions=_newest(
                Decision.history.filter(relation_id__in=relations.values("pk"))
            ),
            changed_funding=_newest(
                Funding.history.filter(
                    agreement_id__in=Agreement.objects.filter(relation__in=relations).values("pk")
                )
            ),
            changed_activities=_newest(
                _shown(Activity.history.filter(organisation_id=organisation.pk))
            ),
        )
        .values(
            "changed_organisation",
            "changed_rules",
            "changed_relations",
            "changed_places",
            "changed_names",
            "changed_agreements",
            "changed_decisions",
            "changed_funding",
            "changed_activities",
        )
        .first()
    )
    found = [stamp for stamp in (stamps or {}).values() if stamp]
    return max(found) if found else None
