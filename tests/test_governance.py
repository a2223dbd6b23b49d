"""Governance holds in every face: a decision's body or date cannot be changed under the
agreements that stand on it, a published agreement of a governed kind has its decision or
is marked "decision not on record" with a reason, and fixing the body and linking the
decision in one save is accepted (issue 11, item 1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from register.demo import NOT_ON_RECORD_REASON, load_demo
from register.models import Agreement, AgreementKind, DecidingBody, Decision, Relation
from tests.admin_forms import form_data


def field_errors(response, field: str) -> str:
    return " ".join(response.context["adminform"].form.errors.get(field, []))


@pytest.fixture
def twinning(demo):
    """A vänortsavtal with Asti, decided by the council (KF § 54/23), published."""
    asti = Relation.objects.get(organisation=demo, partner__name="Asti")
    decision = Decision.objects.create(
        relation=asti, body=DecidingBody.COUNCIL, date="2023-05-30", reference="KF § 54/23"
    )
    agreement = Agreement(
        relation=asti,
        kind=AgreementKind.objects.get(code="vanortsavtal"),
        start="2023-06",
        decision=decision,
        is_published=True,
    )
    agreement.full_clean()
    agreement.save()
    return agreement


def test_it_refuses_changing_the_body_of_a_decision_an_agreement_stands_on(client, alice, twinning):
    client.force_login(alice)
    url = reverse("admin:register_decision_change", args=[twinning.decision_id])
    data = form_data(client, url)
    data["body"] = DecidingBody.EXECUTIVE_BOARD
    response = client.post(url, data)
    assert response.status_code == 200
    errors = field_errors(response, "body")
    assert "Asti" in errors and "vänortsavtal" in errors.lower()
    assert "kommunfullmäktige" in errors  # the rule, in the editor's language
    assert Decision.objects.get(pk=twinning.decision_id).body == DecidingBody.COUNCIL


def test_it_refuses_dating_the_decision_after_the_agreement_began(client, alice, twinning):
    client.force_login(alice)
    url = reverse("admin:register_decision_change", args=[twinning.decision_id])
    data = form_data(client, url)
    data.update(date_0="2024-01-10", date_1="day")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Asti" in field_errors(response, "date")
    assert Decision.objects.get(pk=twinning.decision_id).date == "2023-05-30"


def test_it_rechecks_an_ending_decision_too(client, alice, twinning):
    ending = Decision.objects.create(
        relation=twinning.relation, body=DecidingBody.COUNCIL, date="2024-02", reference="KF 9/24"
    )
    twinning.ended_early_on = "2024-03"
    twinning.ending_decision = ending
    twinning.full_clean()
    twinning.save()
    client.force_login(alice)
    url = reverse("admin:register_decision_change", args=[ending.pk])
    data = form_data(client, url)
    data["body"] = DecidingBody.COMMITTEE
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Asti" in field_errors(response, "body")
    assert Decision.objects.get(pk=ending.pk).body == DecidingBody.COUNCIL


def test_a_published_governed_agreement_needs_its_decision_or_the_mark(client, alice):
    client.force_login(alice)
    stord = Relation.objects.get(partner__name="Stord")
    add = reverse("admin:register_agreement_add")
    data = form_data(client, add)
    data.update(
        relation=str(stord.pk),
        kind=str(AgreementKind.objects.get(code="samarbetsavtal").pk),
        start_0="2025",
        is_published="on",
    )
    response = client.post(add, data)
    assert response.status_code == 200
    assert "kommunstyrelsen" in field_errors(response, "decision")
    assert not Agreement.objects.filter(relation=stord, start="2025").exists()

    data["decision_not_on_record"] = "on"
    response = client.post(add, data)
    assert response.status_code == 200
    assert field_errors(response, "decision_not_on_record_reason")

    data["decision_not_on_record_reason"] = "Beslutet finns i pappersarkivet."
    assert client.post(add, data).status_code == 302
    assert Agreement.objects.get(relation=stord, start="2025").decision_not_on_record


def test_it_accepts_fixing_the_body_and_linking_the_decision_in_one_save(client, alice):
    """The decision was entered with the wrong body; the editor corrects it and links it
    to the agreement on the relation's page, in one save."""
    client.force_login(alice)
    asti = Relation.objects.get(partner__name="Asti")
    wrong = Decision.objects.create(
        relation=asti, body=DecidingBody.EXECUTIVE_BOARD, date="2023-05-30", reference="KF 54/23"
    )
    Agreement.objects.create(
        relation=asti, kind=AgreementKind.objects.get(code="vanortsavtal"), start="2023-06"
    )
    url = reverse("admin:register_relation_change", args=[asti.pk])
    data = form_data(client, url)
    decision_row = next(
        k[: -len("-id")]
        for k, v in data.items()
        if k.startswith("decisions-") and k.endswith("-id")
        if v == [str(wrong.pk)]
    )
    agreement_row = next(
        k[: -len("-kind")]
        for k, v in data.items()
        if k.startswith("agreements-")
        and k.endswith("-kind")
        and v == [str(AgreementKind.objects.get(code="vanortsavtal").pk)]
    )
    data[f"{decision_row}-body"] = DecidingBody.COUNCIL
    data[f"{agreement_row}-decision"] = str(wrong.pk)
    data[f"{agreement_row}-is_published"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    agreement = Agreement.objects.get(relation=asti, kind__code="vanortsavtal")
    assert agreement.decision_id == wrong.pk and agreement.is_published
    assert Decision.objects.get(pk=wrong.pk).body == DecidingBody.COUNCIL


def test_the_demo_marks_its_governed_agreements_not_on_record(demo):
    marked = Agreement.objects.filter(relation__organisation=demo, decision_not_on_record=True)
    assert sorted(a.relation.partner.name for a in marked) == ["Gentofte", "Hanko", "Moshi"]
    assert {a.decision_not_on_record_reason for a in marked} == {NOT_ON_RECORD_REASON}
    load_demo()  # idempotent, and valid under the rule
    assert Agreement.objects.filter(decision_not_on_record=True).count() == 3


def test_the_page_and_the_open_data_say_decision_not_on_record(client, demo):
    assert "Beslut ej registrerat" in client.get("/sv/halmstad/").content.decode()
    assert "Decision not on record" in client.get("/en/halmstad/").content.decode()
    relations = client.get("/api/relations?page_size=100").json()["items"]
    moshi = next(r for r in relations if r["partner"]["name"] == "Moshi")
    (agreement,) = moshi["agreements"]
    assert agreement["decision_not_on_record"] is True
    assert agreement["decision_record_sv"] == "Beslut ej registrerat"
    assert agreement["decision_record_en"] == "Decision not on record"
    assert agreement["decision_not_on_record_reason"] == NOT_ON_RECORD_REASON


def test_the_start_page_lists_the_agreements_whose_decision_is_not_on_record(client, alice):
    client.force_login(alice)
    page = client.get(reverse("admin:index")).content.decode()
    assert "vanort-drafts" in page
    assert NOT_ON_RECORD_REASON in page
    for partner in ("Moshi", "Gentofte", "Hangö"):
        assert partner in page


def test_a_decision_records_how_it_was_taken(client, alice):
    client.force_login(alice)
    asti = Relation.objects.get(partner__name="Asti")
    decision = Decision.objects.create(relation=asti, body=DecidingBody.COUNCIL, date="2023")
    url = reverse("admin:register_decision_change", args=[decision.pk])
    data = form_data(client, url)
    data.update(unanimous="on", votes_for="40", votes_against="3")
    response = client.post(url, data)
    assert response.status_code == 200
    assert field_errors(response, "votes_against")
    data.update(votes_against="-1")
    del data["unanimous"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert field_errors(response, "votes_against")
    data.update(votes_for="31", votes_against="12", votes_abstaining="2")
    assert client.post(url, data).status_code == 302
    decision.refresh_from_db()
    assert decision.how_taken_text("sv") == "31 för, 12 emot, 2 avstod"
    decision.unanimous, decision.votes_against = True, None
    decision.full_clean()
    assert decision.how_taken_text("en") == "unanimously"


def test_the_rule_is_the_domains_for_every_face(demo):
    """The same rule refuses a shell save through full_clean (imports call it too)."""
    gentofte = Agreement.objects.get(relation__partner__name="Gentofte")
    gentofte.decision_not_on_record = False
    with pytest.raises(ValidationError) as refused:
        gentofte.full_clean()
    assert "decision" in refused.value.message_dict


def test_the_register_import_holds_the_rule_too(demo):
    """A file that publishes a governed agreement with neither decision nor mark is
    refused, naming where and the rule, and nothing is imported."""
    from opendata.register_format import RegisterFormatError, export_register, import_register

    document = export_register(demo, published_only=False)
    document["organisation"].update(slug="kopia")
    document["places"][0]["name"] = "Halmstad (kopia)"
    for source in document["sources"]:  # the organisation's own sources go with it
        if source.get("owner") == "halmstad":
            source["owner"] = "kopia"
    for relation in document["relations"]:
        for agreement in relation["agreements"]:
            agreement["decision_not_on_record"] = False
    before = Agreement.objects.count()
    with pytest.raises(RegisterFormatError) as refused:
        import_register(document, "kopia.json")
    assert ".agreements[0]" in refused.value.where
    assert "kommunstyrelsen" in refused.value.reason or "executive board" in refused.value.reason
    assert Agreement.objects.count() == before

    for relation in document["relations"]:
        for agreement in relation["agreements"]:
            agreement.pop("decision_not_on_record")  # a file written before the mark existed
    with pytest.raises(RegisterFormatError):
        import_register(document, "kopia.json")
