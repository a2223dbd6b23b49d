"""Draft → preview → publish: new records start as drafts, the editor previews the public
pages with them, then publishes, with the governance rule checked and the history naming
who published or withdrew what (issue 11, item 2)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from register.models import Activity, Agreement, AgreementKind, DecidingBody, Decision, Relation
from tests.admin_forms import form_data


@pytest.mark.parametrize("model", ["relation", "agreement", "activity"])
def test_new_records_start_as_drafts(client, alice, model):
    client.force_login(alice)
    data = form_data(client, reverse(f"admin:register_{model}_add"))
    assert "is_published" not in data  # the box is not ticked
    assert not {"relation": Relation, "agreement": Agreement, "activity": Activity}[
        model
    ]().is_published


@pytest.fixture
def draft(client, alice):
    """A draft samarbetsavtal with Stord, added in the admin by alice, with no decision."""
    client.force_login(alice)
    stord = Relation.objects.get(partner__name="Stord")
    add = reverse("admin:register_agreement_add")
    data = form_data(client, add)
    data.update(
        relation=str(stord.pk),
        kind=str(AgreementKind.objects.get(code="samarbetsavtal").pk),
        start_0="2026",
        purpose_sv="UTKAST-AVTAL",
        purpose_en="UTKAST-AVTAL",
    )
    assert client.post(add, data).status_code == 302
    return Agreement.objects.get(purpose_sv="UTKAST-AVTAL")


def test_the_editor_previews_the_page_with_the_drafts(client, draft):
    assert "UTKAST-AVTAL" not in client.get("/sv/halmstad/").content.decode()
    url = reverse("preview", args=["halmstad", "sv"])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "UTKAST-AVTAL" in page
    assert '<meta name="robots" content="noindex">' in page
    assert 'class="preview-banner"' in page
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    partner = client.get(reverse("preview_partner", args=["halmstad", "en", "stord"]))
    assert partner.status_code == 200 and "UTKAST-AVTAL" in partner.content.decode()


def test_only_the_organisations_staff_see_the_preview(client, draft, bob):
    client.logout()
    url = reverse("preview", args=["halmstad", "sv"])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(bob)
    assert client.get(url).status_code == 404


def test_publishing_checks_the_governance_rule_and_says_why(client, alice, draft):
    client.force_login(alice)
    url = reverse("admin:register_agreement_publish", args=[draft.pk])
    response = client.post(url, follow=True)
    text = response.content.decode()
    assert "kommunstyrelsen" in text and "Beslut" in text  # the field and the rule
    draft.refresh_from_db()
    assert not draft.is_published

    decision = Decision.objects.create(
        relation=draft.relation, body=DecidingBody.EXECUTIVE_BOARD, date="2025-12-01"
    )
    draft.decision = decision
    draft.save()
    client.post(url)
    draft.refresh_from_db()
    assert draft.is_published
    assert "UTKAST-AVTAL" in client.get("/sv/halmstad/").content.decode()


def test_publishing_and_withdrawing_are_recorded_with_who_and_when(client, alice, draft):
    client.force_login(alice)
    draft.decision_not_on_record = True
    draft.decision_not_on_record_reason = "Beslutet finns i pappersarkivet."
    draft.save()
    changelist = reverse("admin:register_agreement_changelist")
    response = client.post(
        changelist, {"action": "publish_selected", "_selected_action": [str(draft.pk)]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    client.post(changelist, {"action": "withdraw_selected", "_selected_action": [str(draft.pk)]})
    draft.refresh_from_db()
    assert not draft.is_published
    rows = list(draft.history.order_by("history_date", "history_id"))
    reasons = [(row.history_change_reason, row.history_user) for row in rows[-2:]]
    assert reasons == [("Publicerad", alice), ("Avpublicerad", alice)]
    history = client.get(reverse("admin:register_agreement_history", args=[draft.pk]))
    assert "Publicerad" in history.content.decode()


def test_the_start_page_lists_drafts(client, alice, draft):
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:register_agreement_change", args=[draft.pk]) in page
    assert reverse("preview", args=["halmstad", "sv"]) in page
