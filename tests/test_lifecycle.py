"""An agreement's life: renewal linked to the previous agreement, early end with its
decision, and a relation's timeline (register/lifecycle.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from register.lifecycle import Step, end_early, renew, timeline
from register.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    DecidingBody,
    Decision,
    Relation,
)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English here; Swedish is checked where pages show them."""
    with translation.override("en"):
        yield


def moshi(org) -> Relation:
    return org.relations.get(partner__name="Moshi")


def test_it_renews_a_fixed_term_agreement_into_the_next_one_linked_to_it(demo):
    relation = moshi(demo)
    first = relation.agreements.get()
    decision = Decision.objects.create(
        relation=relation,
        body=DecidingBody.EXECUTIVE_BOARD,
        date="2012-02-14",
        reference="KS 2012/31",
    )

    second = renew(first, start="2012", decision=decision)

    assert second.renews == first
    assert list(first.renewals.all()) == [second]
    assert second.term_months == 48  # the term is kept unless a new one is given
    assert second.period_text("sv") == "2012–2016"
    assert [str(f) for f in second.funding.all()] == ["Sida, 100 %"]
    assert set(second.focus_areas.values_list("code", flat=True)) == {"utbildning", "demokrati"}
    assert second.responsible_unit == "Kattegattgymnasiet"
    assert second.status_on(date(2014, 6, 1)) == AgreementStatus.ACTIVE

    steps = [(event.step, event.date, event.decision) for event in timeline(relation)]
    assert steps == [
        (Step.AGREEMENT, "2008", None),
        (Step.RENEWAL, "2012", decision),
        (Step.END, "2016", None),  # the renewed agreement's end is the renewal, not an end
    ]


def test_it_refuses_a_second_renewal_and_one_that_starts_before_the_first(demo):
    first = moshi(demo).agreements.get()
    with pytest.raises(ValidationError) as error:
        renew(first, start="2007")
    assert "renewal starts after" in str(error.value)
    assert Agreement.objects.filter(renews=first).count() == 0  # nothing half-saved

    renew(first, start="2012")
    with pytest.raises(ValidationError) as error:
        renew(first, start="2016")
    assert "already been renewed" in str(error.value)


def test_it_refuses_to_renew_an_agreement_of_another_relation(demo):
    first = moshi(demo).agreements.get()
    other = demo.relations.get(partner__name="Stord").agreements.get()
    other.renews = first
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert "renews" in error.value.message_dict


def test_it_ends_an_agreement_early_with_the_decision_that_ended_it(demo):
    relation = moshi(demo)
    agreement = relation.agreements.get()
    decision = Decision.objects.create(
        relation=relation,
        body=DecidingBody.EXECUTIVE_BOARD,
        date="2010-06-10",
        reference="KS § 88/10",
    )

    end_early(agreement, on="2010-06-30", decision=decision)
    agreement.refresh_from_db()

    assert agreement.term_months == 48  # what was agreed is kept
    assert agreement.ending_decision == decision
    assert agreement.status_on(date(2010, 6, 30)) == AgreementStatus.ACTIVE
    assert agreement.status_on(date(2010, 7, 1)) == AgreementStatus.ENDED
    assert (
        Agreement.objects.with_status_on(date(2011, 1, 1), AgreementStatus.ENDED)
        .filter(pk=agreement.pk)
        .exists()
    )
    last = timeline(relation)[-1]
    assert (last.step, last.date, last.decision) == (Step.ENDED_EARLY, "2010-06-30", decision)
    assert str(last.label) in ("ended early", "avslutat i förtid")


def test_it_refuses_an_early_end_after_the_planned_end_or_without_a_decision(demo):
    relation = moshi(demo)
    agreement = relation.agreements.get()
    decision = Decision.objects.create(relation=relation, body=DecidingBody.EXECUTIVE_BOARD)
    with pytest.raises(ValidationError) as error:
        end_early(agreement, on="2013-05-01", decision=decision)
    assert "ended_early_on" in error.value.message_dict
    agreement.refresh_from_db()
    assert agreement.ended_early_on == "" and agreement.ending_decision is None

    agreement.ended_early_on = "2010-06-30"
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert "ending_decision" in error.value.message_dict


def test_it_reads_a_letter_of_intent_as_the_first_step_of_a_timeline(demo):
    asti = demo.relations.get(partner__name="Asti")
    samarbetsavtal = AgreementKind.objects.get(code="samarbetsavtal")
    decision = Decision.objects.create(
        relation=asti, body=DecidingBody.EXECUTIVE_BOARD, date="2011-03-02", reference="KS 2011/7"
    )
    Agreement.objects.create(
        relation=asti, kind=samarbetsavtal, start="2011-04", term_months=36, decision=decision
    )
    events = timeline(asti)
    assert [(e.step, e.date_text("sv")) for e in events] == [
        (Step.LETTER_OF_INTENT, "2009"),
        (Step.AGREEMENT, "april 2011"),
        (Step.END, "april 2014"),
    ]
    assert events[1].decision == decision
