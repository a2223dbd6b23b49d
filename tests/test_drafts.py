"""Drafts: a relation, agreement or activity kept unpublished in the admin appears on
no public page and in no export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from register.demo import SEED_TITLE
from register.models import Activity, ActivityKind, Agreement, AgreementKind, Relation, Source
from tests.admin_forms import form_data

EXPORTS = [
    "/api/relations",
    "/api/activities",
    "/api/pairs",
    "/api/organisations/halmstad",
    "/api/organisations/halmstad/relations.csv",
    "/api/organisations/halmstad/relations-excel.csv",
    "/api/organisations/halmstad/relations.geojson",
    "/api/organisations/halmstad/calendar.ics",
    "/api/organisations/halmstad/jsonld",
    "/api/organisations/halmstad/register.json",
    "/api/organisations/halmstad/wikidata.qs",
]
PAGES = ["/sv/halmstad/", "/en/halmstad/"]
SECRETS = ["Moshi", "HEMLIGT-AVTAL", "HEMLIG-AKTIVITET"]


@pytest.fixture
def drafts(client, alice):
    """alice keeps one relation, one agreement and one activity as drafts, in the admin."""
    client.force_login(alice)
    moshi = Relation.objects.get(partner__name="Moshi")
    url = reverse("admin:register_relation_change", args=[moshi.pk])
    data = form_data(client, url)
    assert data["is_published"] == ["on"]  # the admin shows the draft switch
    del data["is_published"]
    assert client.post(url, data).status_code == 302

    stord = Relation.objects.get(partner__name="Stord")
    add = reverse("admin:register_agreement_add")
    data = form_data(client, add)
    data.update(
        relation=str(stord.pk),
        kind=str(AgreementKind.objects.get(code="samarbetsavtal").pk),
        start_0="2030",
        purpose_sv="HEMLIGT-AVTAL",
        purpose_en="HEMLIGT-AVTAL",
    )
    data.pop("is_published", None)
    assert client.post(add, data).status_code == 302

    add = reverse("admin:register_activity_add")
    data = form_data(client, add)
    data.update(
        organisation=str(stord.organisation_id),
        relations=[str(stord.pk)],
        kind=str(ActivityKind.objects.first().pk),
        date_0="2026-05",
        title_sv="HEMLIG-AKTIVITET",
        title_en="HEMLIG-AKTIVITET",
    )
    data.pop("is_published", None)
    response = client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.logout()
    assert not Agreement.objects.get(purpose_sv="HEMLIGT-AVTAL").is_published
    assert not Activity.objects.get(title_sv="HEMLIG-AKTIVITET").is_published


def test_the_admin_lists_drafts_with_a_filter(client, alice, drafts):
    client.force_login(alice)
    listing = client.get(
        reverse("admin:register_relation_changelist"), {"is_published__exact": "0"}
    )
    assert "Moshi" in listing.content.decode()


@pytest.mark.parametrize("url", PAGES + EXPORTS)
def test_drafts_are_shown_nowhere_in_public(client, drafts, url):
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.content.decode()
    assert [secret for secret in SECRETS if secret in text] == []


def test_parts_of_a_draft_relation_are_drafts_too(demo):
    moshi = Relation.objects.get(partner__name="Moshi")
    assert Agreement.objects.published().filter(relation=moshi).exists()
    moshi.is_published = False
    moshi.save()
    assert not Agreement.objects.published().filter(relation=moshi).exists()
    only_moshi = [a for a in Activity.objects.all() if list(a.relations.all()) == [moshi]]
    assert not Activity.objects.published().filter(pk__in=[a.pk for a in only_moshi]).exists()


def test_a_source_cited_only_by_drafts_is_not_published(client, drafts):
    draft = Agreement.objects.get(purpose_sv="HEMLIGT-AVTAL")
    source = Source.objects.create(
        organisation=draft.relation.organisation,
        title="HEMLIG-KÄLLA",
        document="Protokoll under beredning",
    )
    draft.sources.add(source)

    def listed() -> bool:
        titles = [s["title"] for s in client.get("/api/sources?page_size=100").json()["items"]]
        assert SEED_TITLE in titles  # the source of the published facts stays listed
        return "HEMLIG-KÄLLA" in titles

    assert not listed()
    draft.is_published = True
    draft.save()
    assert listed()
