"""Every save is one transaction: a failure in the middle leaves nothing half-saved."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from register.models import Agreement, AgreementKind, Relation
from tests.admin_forms import form_data


@pytest.fixture
def failing_second_agreement(db):
    """A real database trigger that refuses one agreement, as a full disk or a lost
    connection would: the failure happens after earlier rows were written."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_1666 BEFORE INSERT ON register_agreement "
                "WHEN NEW.start = '1666' BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_1666() RETURNS trigger AS $$ BEGIN "
                "IF NEW.start = '1666' THEN RAISE EXCEPTION 'refused by trigger'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_1666 BEFORE INSERT ON register_agreement "
                "FOR EACH ROW EXECUTE FUNCTION refuse_1666()"
            )


def test_it_saves_nothing_when_an_inline_row_fails(alice, failing_second_agreement):
    relation = Relation.objects.get(partner__name="Stord")
    before = (
        Agreement.objects.count(),
        Relation.history.count(),
        Agreement.history.count(),
        relation.description_sv,
        relation.version,
    )
    browser = Client(raise_request_exception=False)
    browser.force_login(alice)
    url = reverse("admin:register_relation_change", args=[relation.pk])
    data = form_data(browser, url)
    kind = str(AgreementKind.objects.get(code="samarbetsavtal").pk)
    total = int(data["agreements-TOTAL_FORMS"][0])
    data["description_sv"] = "Ändrad beskrivning."
    for offset, start in enumerate(["1665", "1666"]):  # the second row fails
        row = f"agreements-{total + offset}"
        data.update({f"{row}-kind": kind, f"{row}-start": start, f"{row}-is_published": "on"})
        # Published needs its decision or the mark (issue 11): the rows pass the rules.
        data[f"{row}-decision_not_on_record"] = "on"
        data[f"{row}-decision_not_on_record_reason"] = "Äldre än diariet."
        data[f"{row}-relation"] = str(relation.pk)
    data["agreements-TOTAL_FORMS"] = str(total + 2)

    response = browser.post(url, data)

    assert response.status_code == 500
    relation.refresh_from_db()
    after = (
        Agreement.objects.count(),
        Relation.history.count(),
        Agreement.history.count(),
        relation.description_sv,
        relation.version,
    )
    assert after == before
    assert not Agreement.objects.filter(start="1665").exists()


def test_the_trigger_is_real(alice, failing_second_agreement):
    relation = Relation.objects.get(partner__name="Stord")
    with pytest.raises(DatabaseError), transaction.atomic():
        Agreement.objects.create(
            relation=relation, kind=AgreementKind.objects.first(), start="1666"
        )
