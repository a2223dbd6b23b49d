"""No lost updates: two editors open the same record; the second save is refused with
what changed meanwhile, and nothing is silently overwritten."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from register.models import Agreement, Relation
from tests.admin_forms import form_data
from tests.conftest import _staff


@pytest.fixture
def two_sessions(alice, demo):
    """alice and dora, both editors of Halmstad, each in a browser of their own."""
    dora = _staff("dora", demo)
    first, second = Client(), Client()
    first.force_login(alice)
    second.force_login(dora)
    return first, second


def change_url(obj) -> str:
    return reverse(f"admin:register_{obj._meta.model_name}_change", args=[obj.pk])


def errors_of(response) -> str:
    return " ".join(response.context["adminform"].form.non_field_errors())


def test_it_refuses_the_second_of_two_concurrent_saves(two_sessions):
    alice, dora = two_sessions
    relation = Relation.objects.get(partner__name="Stord")
    url = change_url(relation)
    seen_by_alice, seen_by_dora = form_data(alice, url), form_data(dora, url)

    seen_by_alice["description_sv"] = "Alices nya text."
    assert alice.post(url, seen_by_alice).status_code == 302

    seen_by_dora["description_sv"] = "Doras nya text."
    seen_by_dora["section"] = "Norden"
    refused = dora.post(url, seen_by_dora)
    assert refused.status_code == 200
    message = errors_of(refused)
    assert "alice" in message  # who
    assert "Alices nya text." in message  # what changed meanwhile
    assert "Nothing of yours was saved" in message or "Inget av det du" in message
    relation.refresh_from_db()
    assert relation.description_sv == "Alices nya text."
    assert relation.section != "Norden"


def test_it_saves_once_the_editor_has_reopened_the_record(two_sessions):
    alice, dora = two_sessions
    relation = Relation.objects.get(partner__name="Stord")
    url = change_url(relation)
    stale = form_data(dora, url)
    data = form_data(alice, url)
    data["order"] = "7"
    alice.post(url, data)
    stale["order"] = "8"
    assert dora.post(url, stale).status_code == 200
    fresh = form_data(dora, url)
    fresh["order"] = "8"
    assert dora.post(url, fresh).status_code == 302
    relation.refresh_from_db()
    assert relation.order == 8
    assert relation.version == 3


def test_it_refuses_a_stale_inline_row(two_sessions):
    """An agreement changed on its own page is not overwritten from the relation's page."""
    alice, dora = two_sessions
    agreement = Agreement.objects.filter(relation__partner__name="Stord").first()
    relation_url = change_url(agreement.relation)
    on_relation_page = form_data(dora, relation_url)
    own_page = form_data(alice, change_url(agreement))
    own_page["start_0"] = "2001"
    own_page["start_1"] = "year"  # the widget reopens Stord's 199X as a decade (issue 15)
    assert alice.post(change_url(agreement), own_page).status_code == 302

    row = next(
        key[: -len("-id")]
        for key, value in on_relation_page.items()
        if key.startswith("agreements-") and key.endswith("-id") and value == [str(agreement.pk)]
    )
    on_relation_page[f"{row}-start_0"] = "1999"
    refused = dora.post(relation_url, on_relation_page)
    assert refused.status_code == 200
    assert "alice" in str(refused.context["inline_admin_formsets"][0].formset.errors)
    agreement.refresh_from_db()
    assert agreement.start == "2001"


def test_it_refuses_to_save_a_record_deleted_meanwhile(two_sessions):
    alice, dora = two_sessions
    relation = Relation.objects.get(partner__name="Moshi")
    url = change_url(relation)
    stale = form_data(dora, url)
    delete = reverse("admin:register_relation_delete", args=[relation.pk])
    assert alice.post(delete, {"post": "yes"}).status_code == 302
    response = dora.post(url, stale)
    assert response.status_code == 302  # the admin says it no longer exists
    assert not Relation.objects.filter(pk=relation.pk).exists()
