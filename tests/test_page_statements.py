"""Every statement of fact on the page comes from the register: the introduction names the
kinds in force and where the partners are (EU membership as data), and the editor is
warned when the free background names what is not in force (issue 11, item 6)."""

from __future__ import annotations

from django.urls import reverse

from register.demo import BACKGROUND_SV
from register.eu import EU_MEMBER_STATES
from register.models import Agreement, AgreementKind, DecidingBody, Decision, Place, Relation
from register.wording import background_warnings, introduction
from tests.admin_forms import form_data

TYPED_CLAIM = (
    "Halmstads kommun har vänortsavtal och vänortsliknande förbindelser med städer både inom "
    "och utanför EU."
)


def intro_of(client, lang="sv") -> str:
    page = client.get(f"/{lang}/halmstad/").content.decode()
    start = page.index('<p class="lead">')
    return page[start : page.index("</p>", start)]


def test_with_the_demo_the_page_does_not_claim_a_twinning_agreement(client, demo):
    intro = intro_of(client)
    assert "vänortsavtal" not in intro
    assert "både inom och utanför EU" in intro  # Denmark and Finland, and Norway
    assert TYPED_CLAIM not in client.get("/sv/halmstad/").content.decode()
    assert "twinning agreement" not in intro_of(client, "en")


def test_eu_membership_is_data_with_its_date():
    assert len(EU_MEMBER_STATES) == 27
    assert {"DK", "FI", "SE"} <= EU_MEMBER_STATES
    assert not {"NO", "UA", "TZ", "GB"} & EU_MEMBER_STATES


def test_inside_or_outside_the_eu_follows_the_partners_countries(demo):
    Relation.objects.filter(organisation=demo, partner__country="NO").update(is_published=False)
    assert introduction(demo, "sv").endswith("med städer inom EU.")
    Relation.objects.filter(organisation=demo).update(is_published=False)
    assert introduction(demo, "sv") == ""


def test_after_adding_nikopol_as_a_twinning_agreement_the_page_says_so(client, alice, demo):
    client.force_login(alice)
    add = reverse("admin:register_place_add")
    data = form_data(client, add)
    data.update(name="Nikopol", country="UA", latitude="47.5667", longitude="34.4000")
    assert client.post(add, data).status_code == 302
    nikopol = Place.objects.get(name="Nikopol", country="UA")

    add = reverse("admin:register_relation_add")
    data = form_data(client, add)
    data.update(organisation=str(demo.pk), partner=str(nikopol.pk), since_0="2023")
    response = client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    relation = Relation.objects.get(partner=nikopol)
    assert not relation.is_published

    add = reverse("admin:register_decision_add")
    data = form_data(client, add)
    data.update(
        relation=str(relation.pk),
        body=DecidingBody.COUNCIL,
        date_0="2023-05-30",
        date_1="day",
        reference="KF § 54/23",
        unanimous="on",
    )
    response = client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    decision = Decision.objects.get(reference="KF § 54/23")

    add = reverse("admin:register_agreement_add")
    data = form_data(client, add)
    data.update(
        relation=str(relation.pk),
        kind=str(AgreementKind.objects.get(code="vanortsavtal").pk),
        start_0="2023-06",
        start_1="month",
        decision=str(decision.pk),
    )
    response = client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    agreement = Agreement.objects.get(relation=relation)
    assert "vänortsavtal" not in intro_of(client)  # drafts: not claimed yet

    for name, pk in (("agreement", agreement.pk), ("relation", relation.pk)):
        client.post(reverse(f"admin:register_{name}_publish", args=[pk]))
    assert Agreement.objects.published().filter(pk=agreement.pk).exists()

    intro = intro_of(client)
    assert intro.startswith('<p class="lead">Halmstads kommun har vänortsavtal')
    assert "både inom och utanför EU" in intro
    partner = client.get("/sv/halmstad/vanorter/nikopol/").content.decode()
    assert "Vänortsavtal" in partner
    assert "KF § 54/23" in partner and "enhälligt" in partner
    assert "twinning agreements" in intro_of(client, "en")


def test_the_editor_is_warned_when_the_background_names_what_is_not_in_force(client, alice, demo):
    assert background_warnings(demo) == []  # the demo's background is history only
    client.force_login(alice)
    url = reverse("admin:register_organisation_change", args=[demo.pk])
    data = form_data(client, url)
    data["background_sv"] = f"{TYPED_CLAIM} {BACKGROUND_SV} Vi samarbetar med Moshi."
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert any("vänortsavtal" in message for message in shown), shown
    assert any("Moshi" in message for message in shown), shown  # ended in 2012
    start = client.get(reverse("admin:index")).content.decode()
    assert "vänortsavtal" in start and "errornote" in start
