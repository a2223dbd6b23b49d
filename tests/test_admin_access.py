"""Who sees and changes what in the admin: alice edits Halmstad, bob edits Varberg,
charlie belongs to no organisation. Checked from the outside, view by view."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import Membership, Role
from register.models import (
    Activity,
    ActivityKind,
    Agreement,
    AgreementKind,
    DecidingBody,
    Decision,
    Organisation,
    Place,
    Relation,
    Source,
)
from tests.admin_forms import form_data

SCOPED = ["organisation", "relation", "decision", "agreement", "activity", "source"]


@pytest.fixture
def bobs(demo, bob, other_municipality):
    """One record of every scoped model, all Varberg's (drafts included)."""
    relation = other_municipality.relations.get()
    decision = Decision.objects.create(relation=relation, body=DecidingBody.COUNCIL, date="1990")
    agreement = Agreement.objects.create(
        relation=relation,
        kind=AgreementKind.objects.get(code="vanortsavtal"),
        start="1990",
        is_published=False,
    )
    activity = Activity.objects.create(
        organisation=other_municipality,
        kind=ActivityKind.objects.first(),
        date="2020",
        title_sv="Hemligt utkast",
    )
    activity.relations.add(relation)
    source = Source.objects.create(
        organisation=other_municipality, title="Varbergs protokoll", document="KF 1990"
    )
    return {
        "organisation": other_municipality,
        "relation": relation,
        "decision": decision,
        "agreement": agreement,
        "activity": activity,
        "source": source,
    }


def url(name: str, model: str, *args) -> str:
    return reverse(
        f"admin:{'accounts' if model == 'membership' else 'register'}_{model}_{name}", args=args
    )


def test_it_registers_every_register_model_with_scoping():
    registered = {model._meta.model_name for model in admin.site._registry}
    assert set(SCOPED) | {"place", "agreementkind", "focusarea", "activitykind", "membership"} <= (
        registered
    )


@pytest.mark.parametrize("model", SCOPED)
def test_it_lists_and_opens_only_the_users_own_records(client, alice, bobs, model):
    client.force_login(alice)
    other = bobs[model]
    listing = client.get(url("changelist", model))
    assert listing.status_code == 200
    assert url("change", model, other.pk) not in listing.content.decode()
    # change, delete and history of another organisation's record: as if it did not exist
    assert client.get(url("change", model, other.pk)).status_code == 302
    assert client.get(url("delete", model, other.pk)).status_code in (302, 403)
    assert client.post(url("delete", model, other.pk), {"post": "yes"}).status_code in (302, 403)
    assert type(other).objects.filter(pk=other.pk).exists()
    assert client.get(url("history", model, other.pk)).status_code == 404


@pytest.mark.parametrize("model", SCOPED)
def test_it_lets_the_other_editor_work_on_their_own(client, bob, bobs, model):
    client.force_login(bob)
    own = bobs[model]
    assert url("change", model, own.pk) in client.get(url("changelist", model)).content.decode()
    assert client.get(url("change", model, own.pk)).status_code == 200
    assert client.get(url("history", model, own.pk)).status_code == 200
    may_delete = model != "organisation"  # organisations: the installation's superuser
    assert client.get(url("delete", model, own.pk)).status_code == (200 if may_delete else 403)


@pytest.mark.parametrize("model", [*SCOPED, "place", "agreementkind", "membership"])
def test_it_shows_a_user_without_organisation_nothing(client, charlie, bobs, model):
    client.force_login(charlie)
    assert client.get(url("changelist", model)).status_code == 403
    assert client.get(url("add", model)).status_code == 403
    other = bobs.get(model)
    if other is not None:
        assert client.get(url("change", model, other.pk)).status_code in (302, 403)
        assert client.get(url("history", model, other.pk)).status_code in (403, 404)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Sonderborg" not in index


def autocomplete(client, model: str, field: str, term: str = "") -> list[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "register", "model_name": model, "field_name": field, "term": term},
    )
    assert response.status_code == 200, response.content
    return [item["text"] for item in json.loads(response.content)["results"]]


def test_it_autocompletes_only_own_relations_and_decisions(client, alice, bobs):
    client.force_login(alice)
    relations = autocomplete(client, "activity", "relations")
    assert relations and not any("Sonderborg" in text for text in relations)
    assert any("Stord" in text for text in relations)
    decisions = autocomplete(client, "agreement", "decision")
    assert (
        str(bobs["decision"]) not in decisions
        or len(decisions)
        == Decision.objects.filter(relation__organisation__slug="halmstad").count()
    )
    assert autocomplete(client, "agreement", "relation", "Sonderborg") == []


def test_it_finds_a_partner_place_by_any_of_its_names(client, alice):
    client.force_login(alice)
    assert any(
        "Hang" in text or "Hanko" in text
        for text in autocomplete(client, "relation", "partner", "Hanko")
    )
    assert autocomplete(client, "relation", "partner", "Hangö")


def test_it_refuses_autocomplete_to_a_user_without_organisation(client, charlie, bobs):
    client.force_login(charlie)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "register", "model_name": "activity", "field_name": "relations"},
    )
    assert response.status_code == 403


def test_it_refuses_to_add_a_record_to_another_organisation(client, alice, bobs):
    client.force_login(alice)
    data = form_data(client, url("add", "relation"))
    data.update(
        organisation=str(bobs["organisation"].pk),
        partner=str(Place.objects.create(name="Tallinn", country="EE").pk),
    )
    response = client.post(url("add", "relation"), data)
    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    assert not Relation.objects.filter(partner__name="Tallinn").exists()


def test_it_refuses_to_link_another_organisations_decision(client, alice, bobs):
    client.force_login(alice)
    agreement = Agreement.objects.filter(relation__organisation__slug="halmstad").first()
    change = url("change", "agreement", agreement.pk)
    data = form_data(client, change)
    data["decision"] = str(bobs["decision"].pk)
    response = client.post(change, data)
    assert response.status_code == 200
    assert "decision" in response.context["adminform"].form.errors
    agreement.refresh_from_db()
    assert agreement.decision_id != bobs["decision"].pk


def test_it_keeps_a_shared_place_from_other_editors(client, alice, bob, bobs):
    halmstad_place = Organisation.objects.get(slug="halmstad").place
    client.force_login(bob)
    assert client.get(url("change", "place", halmstad_place.pk)).status_code == 200  # view
    data = form_data(client, url("change", "place", halmstad_place.pk))
    assert "name" not in data  # read-only for bob
    response = client.post(url("change", "place", halmstad_place.pk), {"name": "Bobstad"})
    assert response.status_code == 403
    halmstad_place.refresh_from_db()
    assert halmstad_place.name == "Halmstad"


def test_it_lets_administrators_manage_only_their_memberships(client, alice, bob, bobs, demo):
    client.force_login(alice)
    assert client.get(url("changelist", "membership")).status_code == 403  # an editor
    Membership.objects.filter(user=alice).update(role=Role.ADMINISTRATOR)
    listing = client.get(url("changelist", "membership")).content.decode()
    assert "alice" in listing and "bob" not in listing
    bobs_membership = Membership.objects.get(user=bob)
    assert client.get(url("change", "membership", bobs_membership.pk)).status_code == 302


def test_it_lets_only_administrators_change_rules_and_vocabularies(client, alice, demo):
    client.force_login(alice)
    assert client.get(url("add", "agreementkind")).status_code == 403
    assert client.get(url("changelist", "agreementkind")).status_code == 200
    page = client.get(url("change", "organisation", demo.pk)).content.decode()
    assert 'name="governance_rules-0-body"' not in page  # rules shown read-only
    Membership.objects.filter(user=alice).update(role=Role.ADMINISTRATOR)
    assert client.get(url("add", "agreementkind")).status_code == 200
    page = client.get(url("change", "organisation", demo.pk)).content.decode()
    assert 'name="governance_rules-0-body"' in page


@pytest.mark.parametrize(
    "model_admin",
    list(admin.site._registry.values()),
    ids=lambda model_admin: model_admin.model._meta.label,
)
def test_it_opens_no_registered_model_to_a_user_without_organisation(client, charlie, model_admin):
    """Every model in the admin, whoever registered it: refused, or an empty list (a
    model of the user's own, such as their calendar tokens)."""
    client.force_login(charlie)
    opts = model_admin.model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    if response.status_code == 200:
        assert opts.app_label not in ("register", "accounts"), opts.label
        assert response.context["cl"].result_count == 0, opts.label
    else:
        assert response.status_code == 403, (opts.label, response.status_code)
