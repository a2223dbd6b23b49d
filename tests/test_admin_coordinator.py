"""The admin as a coordinator uses it (issue 15): help in plain words, sections chosen
from a list, an error summary that links each error to its field, dates that reopen as
they were entered, lists with status and end date, one search across the register, and
the organisation chosen for a user who has only one."""

from __future__ import annotations

import re
from itertools import product

import pytest
from django.urls import reverse

from editing.widgets import Precision, from_edtf, to_edtf
from register.models import Activity, Agreement, Relation
from tests.admin_forms import form_data


def sv(client):
    client.cookies["django_language"] = "sv"
    return client


# --- help texts and sections -------------------------------------------------------------


def test_the_date_help_speaks_of_examples_not_of_edtf(client, alice):
    sv(client).force_login(alice)
    stord = Relation.objects.get(partner__name="Stord")
    page = client.get(reverse("admin:register_relation_change", args=[stord.pk])).content.decode()
    assert "Till exempel: 1990-talet (skriv 1994, välj decennium), omkring 2009" in page
    assert "senast 2009" in page
    assert "EDTF-text" not in page and "[..2009]" not in page


def test_the_page_section_is_chosen_from_a_list(client, alice):
    sv(client).force_login(alice)
    stord = Relation.objects.get(partner__name="Stord")
    url = reverse("admin:register_relation_change", args=[stord.pk])
    page = client.get(url).content.decode()
    select = re.search(r'<select name="section".*?</select>', page, re.S).group(0)
    assert '<option value="nordic" selected>de nordiska vänorterna</option>' in select
    assert '<option value="">ett eget avsnitt</option>' in select
    data = form_data(client, url)
    data["section"] = "retyped-wrongly"
    response = client.post(url, data)
    assert response.status_code == 200  # refused, with the field named
    assert "retyped-wrongly" in " ".join(response.context["adminform"].form.errors["section"])
    data["section"] = "europe"
    assert client.post(url, data).status_code == 302
    assert Relation.objects.get(pk=stord.pk).section == "europe"


# --- the error summary -------------------------------------------------------------------


def summary_links(html: str) -> list[tuple[str, str]]:
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert box, "no error summary"
    assert 'tabindex="-1"' in box.group(0) and "Något behöver rättas" in box.group(0)
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box.group(0))


def test_a_refused_save_lists_each_error_linked_to_its_field(client, alice):
    sv(client).force_login(alice)
    activity = Activity.objects.filter(organisation__slug="halmstad").first()
    url = reverse("admin:register_activity_change", args=[activity.pk])
    data = form_data(client, url)
    data.update(participants="10", young_participants="12", host_country="QQ", date_0="")
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    links = dict(summary_links(html))
    for field in ("id_young_participants", "id_host_country", "id_date_0"):
        assert field in links, (field, links)
        assert f'id="{field}"' in html  # the link leads to the field
    assert links["id_host_country"].startswith("Värdland: ")


def test_the_summary_lists_errors_of_the_rows_below_and_of_the_form(client, alice):
    sv(client).force_login(alice)
    stord = Relation.objects.get(partner__name="Stord")
    url = reverse("admin:register_relation_change", args=[stord.pk])
    data = form_data(client, url)
    data["agreements-0-start_0"] = "1994-13"
    data["agreements-0-start_1"] = "edtf"
    data["seen_version"] = "1"  # an older version than the stored one: the form's own error
    stord.description_sv = "Ändrad av någon annan."
    stord.save()
    html = client.post(url, data).content.decode()
    links = summary_links(html)
    assert any(
        href == "id_agreements-0-start_0" and text.startswith("Avtal 1: Start: ")
        for href, text in links
    ), links
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert "Inte sparat" in box  # the conflict, a non-field error, listed without a link


def test_a_valid_form_has_no_summary(client, alice):
    sv(client).force_login(alice)
    stord = Relation.objects.get(partner__name="Stord")
    url = reverse("admin:register_relation_change", args=[stord.pk])
    assert 'class="error-summary"' not in client.get(url).content.decode()


# --- the date widget round-trips what was entered ----------------------------------------

TEXT_FOR = {
    Precision.DAY: "2009-10-05",
    Precision.MONTH: "2009-10",
    Precision.YEAR: "2009",
    Precision.DECADE: "1990",
    Precision.CENTURY: "1900",
    Precision.BY: "2009",
}
STORED = {
    Precision.DAY: "2009-10-05",
    Precision.MONTH: "2009-10",
    Precision.YEAR: "2009",
    Precision.DECADE: "199X",
    Precision.CENTURY: "19XX",
    Precision.BY: "[..2009]",
}
QUALIFIERS = ["", "~", "?", "%"]
COMBINATIONS = [
    (precision, qualifier)
    for precision, qualifier in product(TEXT_FOR, QUALIFIERS)
    if not (precision == Precision.BY and qualifier)  # "senast" is uncertain already
]


def test_parts_and_stored_value_convert_both_ways():
    """The unit rule: every precision × qualifier, there and back."""
    for precision, qualifier in COMBINATIONS:
        edtf = to_edtf(TEXT_FOR[precision], precision, qualifier)
        assert edtf == STORED[precision] + qualifier
        assert from_edtf(edtf) == [TEXT_FOR[precision], precision, qualifier]
    assert from_edtf("2008/2012") == ["2008/2012", Precision.AS_WRITTEN, ""]
    assert to_edtf("2009~", Precision.AS_WRITTEN, "?") == "2009?"  # the choice wins
    assert from_edtf("1994"[:3] + "X~") == ["1990", Precision.DECADE, "~"]


def widget_parts(html: str, name: str) -> list[str]:
    text = re.search(rf'name="{name}_0"[^>]*value="([^"]*)"', html)
    chosen = []
    for part in (1, 2):
        select = re.search(rf'<select name="{name}_{part}".*?</select>', html, re.S).group(0)
        found = re.search(r'<option value="([^"]*)"[^>]*selected', select)
        chosen.append(found.group(1) if found else "")
    return [text.group(1) if text else "", *chosen]


@pytest.mark.parametrize(("precision", "qualifier"), COMBINATIONS)
def test_the_date_widget_reopens_as_it_was_entered(client, alice, precision, qualifier):
    sv(client).force_login(alice)
    stord = Relation.objects.get(partner__name="Stord")
    url = reverse("admin:register_relation_change", args=[stord.pk])
    data = form_data(client, url)
    data.update(since_0=TEXT_FOR[precision], since_1=precision, since_2=qualifier)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Relation.objects.get(pk=stord.pk).since == STORED[precision] + qualifier
    html = client.get(url).content.decode()
    assert widget_parts(html, "since") == [TEXT_FOR[precision], precision, qualifier]


def test_a_decade_entered_as_a_year_in_it_reopens_as_the_decade(client, alice):
    """The issue's case: "1994, decennium, cirka" reopened as "199X~" marked exakt."""
    sv(client).force_login(alice)
    stord = Relation.objects.get(partner__name="Stord")
    url = reverse("admin:register_relation_change", args=[stord.pk])
    data = form_data(client, url)
    data.update(since_0="1994", since_1="decade", since_2="~")
    assert client.post(url, data).status_code == 302
    html = client.get(url).content.decode()
    assert widget_parts(html, "since") == ["1990", "decade", "~"]
    assert "sedan cirka 1990-talet" in html
    data = form_data(client, url)  # choosing "osäkert" now changes the date
    data.update(since_2="?")
    assert client.post(url, data).status_code == 302
    assert Relation.objects.get(pk=stord.pk).since == "199X?"


def test_at_the_latest_with_a_qualifier_is_refused_by_name(client, alice):
    sv(client).force_login(alice)
    stord = Relation.objects.get(partner__name="Stord")
    url = reverse("admin:register_relation_change", args=[stord.pk])
    data = form_data(client, url)
    data.update(since_0="2009", since_1="by", since_2="~")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Senast" in " ".join(response.context["adminform"].form.errors["since"])


# --- lists, search, organisation -------------------------------------------------------


def test_the_relation_list_shows_status_and_end_and_filters_by_them(client, alice):
    sv(client).force_login(alice)
    url = reverse("admin:register_relation_changelist")
    page = client.get(url).content.decode()
    assert "Status i dag" in page and "Slut" in page
    ended = client.get(url, {"status": "ended"})
    assert [str(r.partner) for r in ended.context["cl"].result_list] == ["Moshi"]
    in_force = client.get(url, {"status": "active"}).context["cl"].result_list
    assert "Moshi" not in [str(r.partner) for r in in_force] and in_force
    moshi_row = re.search(r"<tr>.*?Moshi.*?</tr>", ended.content.decode(), re.S).group(0)
    assert "avslutat" in moshi_row and "2012" in moshi_row


def test_the_agreement_list_filters_by_status_and_end(client, alice):
    sv(client).force_login(alice)
    url = reverse("admin:register_agreement_changelist")
    ended = client.get(url, {"status": "ended"}).context["cl"].result_list
    assert [a.relation.partner.name for a in ended] == ["Moshi"]
    past = client.get(url, {"ends": "past"}).context["cl"].result_list
    assert [a.relation.partner.name for a in past] == ["Moshi"]
    open_ended = client.get(url, {"ends": "open"}).context["cl"].result_list
    assert all(not a.effective_end for a in open_ended) and open_ended
    assert "Status i dag" in client.get(url).content.decode()


def test_one_search_finds_places_relations_agreements_and_activities(client, alice):
    sv(client).force_login(alice)
    response = client.get(reverse("admin:register_search"), {"q": "Asti"})
    assert response.status_code == 200
    groups = {str(group["name"]): group["hits"] for group in response.context["groups"]}
    assert set(groups) == {"orter", "förbindelser", "avtal", "aktiviteter"}
    for name, hits in groups.items():
        assert hits, name
    html = response.content.decode()
    asti = Relation.objects.get(partner__name="Asti")
    assert reverse("admin:register_relation_change", args=[asti.pk]) in html
    agreement = Agreement.objects.filter(relation=asti).first()
    assert reverse("admin:register_agreement_change", args=[agreement.pk]) in html


def test_the_search_shows_nothing_of_another_organisation(client, bob, demo):
    sv(client).force_login(bob)
    response = client.get(reverse("admin:register_search"), {"q": "Asti"})
    groups = {str(group["name"]): group["hits"] for group in response.context["groups"]}
    assert groups["förbindelser"] == [] and groups["aktiviteter"] == []


def test_the_only_organisation_is_chosen_in_add_forms(client, alice, demo):
    sv(client).force_login(alice)
    for model in ("relation", "activity", "source"):
        page = client.get(reverse(f"admin:register_{model}_add")).content.decode()
        select = re.search(r'<select name="organisation".*?</select>', page, re.S).group(0)
        assert f'<option value="{demo.pk}" selected>' in select, model


# --- fewer clicks: prefilled forms, the decision on the agreement's form ------------------


def test_the_relation_page_and_the_start_page_open_prefilled_add_forms(client, alice, demo):
    sv(client).force_login(alice)
    stord = Relation.objects.get(partner__name="Stord")
    page = client.get(reverse("admin:register_relation_change", args=[stord.pk]))
    html = page.content.decode()
    activity_url = f"{reverse('admin:register_activity_add')}?relations={stord.pk}"
    assert activity_url in html and "Registrera aktivitet" in html
    assert f"{reverse('admin:register_agreement_add')}?relation={stord.pk}" in html
    assert "Nytt avtal med beslut" in html
    assert activity_url in client.get("/admin/").content.decode()
    form = client.get(f"{activity_url}&organisation={demo.pk}").content.decode()
    assert re.search(rf'<option value="{stord.pk}" selected>', form)
    assert 'type="radio" name="kind"' in form  # one click for the kind, not two


def add_agreement_data(client, relation, **extra):
    url = f"{reverse('admin:register_agreement_add')}?relation={relation.pk}"
    data = form_data(client, url)
    kind = next(k for k in AgreementKindObjects() if k.code == "samarbetsavtal")
    data.update(kind=str(kind.pk), start_0="2026-01-15", start_1="day", term_months="48")
    data.update(extra)
    return reverse("admin:register_agreement_add"), data


def AgreementKindObjects():  # noqa: N802 - read like a queryset
    from register.models import AgreementKind

    return AgreementKind.objects.all()


def test_an_agreement_is_saved_with_its_new_decision_in_one_save(client, alice):
    sv(client).force_login(alice)
    stord = Relation.objects.get(partner__name="Stord")
    url, data = add_agreement_data(
        client,
        stord,
        new_decision_date_0="2025-12-10",
        new_decision_date_1="day",
        new_decision_reference="KS 2025/321",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    agreement = Agreement.objects.filter(relation=stord).order_by("-pk").first()
    assert agreement.decision.reference == "KS 2025/321"
    assert agreement.decision.body == "ks"  # as the rules say for a cooperation agreement
    assert agreement.decision.relation == stord and agreement.decision.date == "2025-12-10"


def test_a_wrong_new_decision_saves_neither(client, alice):
    sv(client).force_login(alice)
    stord = Relation.objects.get(partner__name="Stord")
    before = (Agreement.objects.count(), stord.decisions.count())
    url, data = add_agreement_data(
        client,
        stord,
        new_decision_date_0="2025-13",
        new_decision_date_1="edtf",
        new_decision_reference="KS 2025/321",
        new_decision_body="kf",  # the council, where the rules name the board
    )
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "new_decision_date" in errors
    assert (Agreement.objects.count(), stord.decisions.count()) == before


def test_the_renewal_and_the_password_forms_have_the_summary_too(client, alice):
    sv(client).force_login(alice)
    agreement = Agreement.objects.filter(relation__partner__name="Moshi").first()
    url = reverse("admin:register_agreement_renew", args=[agreement.pk])
    html = client.post(url, {"start_0": "2012-13", "start_1": "edtf"}).content.decode()
    assert ("id_start_0", "Start: ") in [(h, t[:7]) for h, t in summary_links(html)]
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    links = dict(summary_links(response.content.decode()))
    assert "id_old_password" in links and "id_new_password2" in links
