"""The register's rules, tested without HTTP: each refusal names its field."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from register.models import (
    Activity,
    ActivityKind,
    Agreement,
    AgreementKind,
    AgreementStatus,
    DecidingBody,
    Decision,
    GovernanceRule,
    Organisation,
    Place,
    Relation,
)
from register.wording import governance_sentence


def field_errors(obj) -> dict:
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    return error.value.message_dict


@pytest.fixture
def asti(demo):
    return Relation.objects.get(organisation=demo, partner__name="Asti")


def test_it_refuses_a_deciding_body_the_rules_do_not_name(demo, asti):
    twinning = AgreementKind.objects.get(code="vanortsavtal")
    decision = Decision.objects.create(relation=asti, body=DecidingBody.EXECUTIVE_BOARD)
    agreement = Agreement(relation=asti, kind=twinning, start="2011", decision=decision)
    errors = field_errors(agreement)
    assert "decision" in errors
    assert "kommunfullmäktige" in errors["decision"][0] or "council" in errors["decision"][0]


def test_it_accepts_the_body_the_rules_name(demo, asti):
    twinning = AgreementKind.objects.get(code="vanortsavtal")
    decision = Decision.objects.create(
        relation=asti, body=DecidingBody.COUNCIL, date="2023-05-30", reference="KF § 54/23"
    )
    Agreement(relation=asti, kind=twinning, start="2023", decision=decision).full_clean()


def test_changing_a_rule_changes_the_governance_sentence(demo):
    sentence = governance_sentence(demo, "sv")
    assert sentence == (
        "I Halmstads kommun är det kommunfullmäktige som beslutar om vänortsavtal medan "
        "kommunstyrelsen beslutar om samarbetsavtal och kommunala partnerskap."
    )
    rule = GovernanceRule.objects.get(organisation=demo, kind__code="samarbetsavtal")
    rule.body = DecidingBody.COUNCIL
    rule.save()
    demo = Organisation.objects.get(pk=demo.pk)
    assert governance_sentence(demo, "sv") == (
        "I Halmstads kommun är det kommunfullmäktige som beslutar om vänortsavtal och "
        "samarbetsavtal medan kommunstyrelsen beslutar om kommunala partnerskap."
    )
    assert governance_sentence(demo, "en").startswith(
        "In Halmstad Municipality, the municipal council decides on twinning agreements and "
        "cooperation agreements, while the executive board decides on municipal partnerships."
    )


def test_it_refuses_an_end_before_the_start(demo, asti):
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    errors = field_errors(Agreement(relation=asti, kind=kind, start="2012", end="2008"))
    assert "end" in errors


def test_the_database_refuses_an_end_before_the_start_too(demo, asti):
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    agreement = Agreement.objects.create(relation=asti, kind=kind, start="2008", end="2012")
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=agreement.pk).update(end_latest=date(2001, 1, 1))


def test_it_refuses_more_young_participants_than_participants(demo, asti):
    meeting = Activity(
        organisation=demo,
        kind=ActivityKind.objects.first(),
        date="2010-10",
        participants=50,
        young_participants=80,
    )
    assert "young_participants" in field_errors(meeting)


def test_the_database_refuses_more_young_than_all(demo):
    meeting = Activity.objects.get(organisation=demo)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=meeting.pk).update(young_participants=500)


def test_it_refuses_negative_counts(demo):
    meeting = Activity(
        organisation=demo, kind=ActivityKind.objects.first(), date="2010", participants=-1
    )
    assert "participants" in field_errors(meeting)


@pytest.mark.parametrize(("field", "value"), [("latitude", "91"), ("longitude", "-180.5")])
def test_it_refuses_coordinates_out_of_range(db, field, value):
    place = Place(name="Nowhere", country="SE", **{field: Decimal(value)})
    assert field in field_errors(place)


def test_the_database_refuses_coordinates_out_of_range(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Place.objects.create(name="Nowhere", country="SE", latitude=Decimal("123"))


@pytest.mark.parametrize("code", ["XX", "Sweden", "", "EU"])
def test_it_refuses_an_unknown_country_code(db, code):
    assert "country" in field_errors(Place(name="Somewhere", country=code))


def test_it_refuses_invalid_opening_hours_with_the_parsers_message(demo):
    demo.visitor_hours = "Mo-Xx 08:00-17:00"
    errors = field_errors(demo)
    assert "visitor_hours" in errors
    assert "expected wday" in errors["visitor_hours"][0]


def test_it_refuses_text_that_is_not_an_edtf_date(demo, asti):
    asti.since = "sedan ett par år"
    assert "since" in field_errors(asti)


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (date(2007, 12, 31), AgreementStatus.UPCOMING),
        (date(2008, 6, 1), AgreementStatus.ACTIVE),
        (date(2012, 12, 31), AgreementStatus.ACTIVE),
        (date(2013, 1, 1), AgreementStatus.ENDED),
    ],
)
def test_moshi_four_years_from_2008_ended_in_2012(demo, day, status):
    moshi = Agreement.objects.get(relation__partner__name="Moshi")
    assert moshi.effective_end == "2012"
    assert moshi.status_on(day) == status
    assert Agreement.objects.with_status_on(day, status).filter(pk=moshi.pk).exists()


def test_status_is_derived_from_today_never_stored(demo):
    moshi = Agreement.objects.get(relation__partner__name="Moshi")
    with time_machine.travel(date(2010, 5, 1)):
        assert moshi.status_on(date.today()) == AgreementStatus.ACTIVE
    with time_machine.travel(date(2026, 11, 28)):
        assert moshi.status_on(date.today()) == AgreementStatus.ENDED


def test_an_open_ended_agreement_stays_active(demo):
    gentofte = Agreement.objects.get(relation__partner__name="Gentofte")
    assert gentofte.status_on(date(2090, 1, 1)) == AgreementStatus.ACTIVE


def test_a_nul_in_any_text_is_refused_with_the_field_named(db):
    """PostgreSQL refuses NUL in text outright (a DataError, a 500 at save); the model's
    own check names the field first, on either database."""
    from register.models import Place

    place = Place(name="Lund\x00", country="SE", wikidata_id="")
    with pytest.raises(ValidationError) as refused:
        place.full_clean()
    assert "name" in refused.value.message_dict
    assert not Place.objects.filter(name__startswith="Lund").exists()
