"""Funder figures: the EU CERV Town-Twinning rule, an ICLD-style partnership summary,
and sums of counts that keep their precision (register/figures.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from register.figures import (
    cerv_town_twinning,
    country_counts_error,
    partnership_summaries,
)
from register.imprecise import Count, sum_counts
from register.models import Activity, ActivityKind, ActivityParticipants


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English here; Swedish is checked where pages show them."""
    with translation.override("en"):
        yield


def activity(org, date="2011-05", host="", **counts) -> Activity:
    kind = ActivityKind.objects.get(code="utbyte")
    made = Activity.objects.create(organisation=org, kind=kind, date=date, host_country=host)
    made.relations.set([org.relations.get(partner__name="Asti")])
    for country, count in counts.items():
        approximate = isinstance(count, tuple)
        value = count[0] if approximate else count
        ActivityParticipants.objects.create(
            activity=made, country=country.upper(), count=value, approximate=approximate
        )
    return made


def test_it_says_an_exchange_with_25_invited_of_55_meets_the_cerv_rule(demo):
    check = cerv_town_twinning(activity(demo, se=30, it=25))
    assert (check.direct.value, check.invited.value) == (55, 25)
    assert check.meets is True
    assert check.verdict() == "meets the rule"


def test_it_says_too_few_invited_or_too_few_direct_fail_the_cerv_rule(demo):
    few_invited = cerv_town_twinning(activity(demo, se=60, it=20))
    assert few_invited.meets is False
    assert "fewer than 25 invited" in few_invited.verdict()
    few_direct = cerv_town_twinning(activity(demo, date="2011-06", se=20, it=29))
    assert few_direct.meets is False
    assert "fewer than 50 direct" in few_direct.verdict()


def test_it_counts_invited_from_abroad_against_the_host_country(demo):
    """Held in Asti: the Swedes are the invited ones."""
    check = cerv_town_twinning(activity(demo, host="IT", se=30, it=40))
    assert (check.direct.value, check.invited.value) == (70, 30)
    assert check.meets is True


def test_it_does_not_certify_the_cerv_rule_on_approximate_figures(demo):
    check = cerv_town_twinning(activity(demo, se=(40,), it=(30,)))
    assert check.meets is None
    assert check.would_meet_if_estimates_hold
    assert "only if the approximate figures hold" in check.verdict()


def test_it_cannot_tell_without_participants_by_country(demo):
    meeting = Activity.objects.get(date="2010-10")  # about 100, not recorded by country
    check = cerv_town_twinning(meeting)
    assert check.meets is None
    assert check.direct.text("sv") == "ett 100-tal"
    assert "not recorded" in check.verdict()


def test_it_applies_the_cerv_rule_to_a_project_of_several_activities(demo):
    project = [activity(demo, se=20, it=10), activity(demo, date="2011-09", se=10, fi=15)]
    check = cerv_town_twinning(project)
    assert (check.direct.value, check.invited.value) == (55, 25)
    assert dict(check.by_country)["SE"].value == 30
    assert check.meets is True


def test_it_keeps_one_count_per_country_and_refuses_counts_beyond_the_total(demo):
    made = activity(demo, se=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityParticipants.objects.create(activity=made, country="SE", count=3)
    made.participants = 20
    assert "add up to 30" in country_counts_error(made, made.participants_by_country.all())
    with pytest.raises(ValidationError) as error:
        ActivityParticipants(activity=made, country="XX", count=1).full_clean()
    assert "country" in error.value.message_dict


def test_it_summarises_a_municipal_partnership_the_icld_way(demo):
    moshi = demo.relations.get(partner__name="Moshi")
    kind = ActivityKind.objects.get(code="besok")
    inside = Activity.objects.create(
        organisation=demo, kind=kind, date="2009-04", participants=12, title_en="Teachers' visit"
    )
    outside = Activity.objects.create(
        organisation=demo, kind=kind, date="2014-04", participants=9, title_en="Later visit"
    )
    for made in (inside, outside):
        made.relations.set([moshi])

    [summary] = partnership_summaries(demo)
    assert summary.period_text("en") == "2008–2012 (four years)"
    assert summary.purpose.startswith("The purpose of municipal partnerships")
    assert summary.activities == [inside]
    assert summary.participants.text() == "12"
    assert summary.funders == ["Sida, 100 %"]
    assert partnership_summaries(demo, 2013) == []  # not in force that year


def test_it_never_sums_approximate_counts_into_an_exact_total():
    total = sum_counts([Count.of(100, True), Count.of(40), Count.of(None)])
    assert total.value == 140
    assert total.approximate
    assert total.text("sv") == "cirka 140"
    assert total.text("en") == "about 140"
    assert total.note() == "a sum of figures of which some are approximate; 1 without a count"
    with translation.override("sv"):
        assert total.note() == "summa av uppgifter där några är ungefärliga; 1 utan uppgift"
    exact = sum_counts([Count.of(10), Count.of(5)])
    assert (exact.text("sv"), exact.note()) == ("15", "")
