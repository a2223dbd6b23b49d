"""Editing as the coordinator does: imprecise dates with their precision, the published
wording next to them, rule errors next to their field in the editor's language."""

from __future__ import annotations

from django.urls import reverse

from register.models import Activity, Agreement, DecidingBody, Decision, GovernanceRule, Relation
from tests.admin_forms import form_data


def test_it_takes_a_value_with_its_precision_and_shows_the_published_wording(client, alice):
    client.force_login(alice)
    relation = Relation.objects.get(partner__name="Stord")
    url = reverse("admin:register_relation_change", args=[relation.pk])
    data = form_data(client, url)
    data.update(since_0="1994", since_1="decade", since_2="")
    assert client.post(url, data).status_code == 302
    relation.refresh_from_db()
    assert relation.since == "199X"
    page = client.get(url).content.decode()
    assert "sedan 1990-talet" in page
    data = form_data(client, url)
    data.update(since_0="2009", since_1="year", since_2="~")
    client.post(url, data)
    relation.refresh_from_db()
    assert relation.since == "2009~"
    assert "sedan cirka 2009" in client.get(url).content.decode()


def test_it_takes_edtf_text_as_written(client, alice):
    client.force_login(alice)
    agreement = Agreement.objects.filter(relation__partner__name="Stord").first()
    url = reverse("admin:register_agreement_change", args=[agreement.pk])
    data = form_data(client, url)
    data.update(start_0="[..2009]", start_1="edtf", end_0="", term_months="")
    assert client.post(url, data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.start == "[..2009]"


def field_errors(response, field: str) -> str:
    return " ".join(response.context["adminform"].form.errors.get(field, []))


def test_it_puts_each_rule_next_to_its_field_and_saves_nothing(client, alice):
    client.force_login(alice)
    activity = Activity.objects.filter(organisation__slug="halmstad").first()
    url = reverse("admin:register_activity_change", args=[activity.pk])
    data = form_data(client, url)
    data.update(participants="10", young_participants="12", host_country="QQ")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "12" in field_errors(response, "young_participants")
    assert "QQ" in field_errors(response, "host_country")
    activity_before = activity.version
    activity.refresh_from_db()
    assert activity.version == activity_before and activity.participants != 10


def test_it_names_the_deciding_body_rule(client, alice):
    client.force_login(alice)
    board_decides = GovernanceRule.objects.filter(
        organisation__slug="halmstad", body=DecidingBody.EXECUTIVE_BOARD
    ).values("kind")
    agreement = Agreement.objects.filter(
        relation__organisation__slug="halmstad", kind__in=board_decides
    ).first()
    wrong = Decision.objects.create(
        relation=agreement.relation, body=DecidingBody.COMMITTEE, reference="N 1/99"
    )
    url = reverse("admin:register_agreement_change", args=[agreement.pk])
    data = form_data(client, url)
    data["decision"] = str(wrong.pk)
    data.update(end_0="1900", end_1="edtf")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "kommunstyrelsen" in field_errors(response, "decision")
    assert field_errors(response, "end")  # the end before the start
    agreement.refresh_from_db()
    assert agreement.decision_id != wrong.pk


def test_it_speaks_english_when_the_editor_picks_it(client, alice):
    client.force_login(alice)
    swedish = client.get(reverse("admin:index")).content.decode()
    assert 'lang="sv"' in swedish
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("admin:index")}
    )
    assert response.status_code == 302
    english = client.get(reverse("admin:index")).content.decode()
    assert 'lang="en"' in english
    activity = Activity.objects.filter(organisation__slug="halmstad").first()
    url = reverse("admin:register_activity_change", args=[activity.pk])
    data = form_data(client, url)
    data.update(participants="10", young_participants="12")
    response = client.post(url, data)
    assert "There cannot be more young participants (12) than participants (10)." in (
        field_errors(response, "young_participants")
    )


# --- the published wording below each imprecise date, kept up to date while typing ------

PREVIEW = "/admin/register/imprecise-date/"


def test_each_date_field_says_how_the_page_will_write_it(client, alice):
    client.force_login(alice)
    relation = Relation.objects.get(partner__name="Gentofte")
    page = client.get(reverse("admin:register_relation_change", args=[relation.pk]))
    html = page.content.decode()
    assert f'data-preview-url="{PREVIEW}" data-since="1"' in html
    assert 'Publiceras som: <span class="imprecise-date-text">sedan 1940-talet</span>' in html
    assert "/static/register/imprecise-date.js" in html  # the script that keeps it current
    # The agreements below, each row with its own wording (no "since" there).
    assert html.count('class="imprecise-date"') >= 3
    assert '<span class="imprecise-date-text">1940-talet</span>' in html


def test_a_rejected_date_keeps_its_wording_in_the_redrawn_form(client, alice):
    client.force_login(alice)
    relation = Relation.objects.get(partner__name="Stord")
    url = reverse("admin:register_relation_change", args=[relation.pk])
    data = form_data(client, url)
    data.update(since_0="1994", since_1="decade", since_2="~", partner="")
    response = client.post(url, data)
    assert response.status_code == 200  # refused for the missing partner, not the date
    assert "sedan cirka 1990-talet" in response.content.decode()


def test_the_preview_answers_in_the_editors_language(client, alice):
    client.force_login(alice)
    answer = client.get(PREVIEW, {"value": "1994", "precision": "decade", "since": "1"})
    assert answer.json() == {"edtf": "199X", "text": "sedan 1990-talet"}
    answer = client.get(PREVIEW, {"value": "2010-10-19", "precision": "month"})
    assert answer.json() == {"edtf": "2010-10", "text": "oktober 2010"}
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    answer = client.get(PREVIEW, {"value": "2009", "precision": "year", "qualifier": "~"})
    assert answer.json() == {"edtf": "2009~", "text": "about 2009"}
    wrong = client.get(PREVIEW, {"value": "19941", "precision": "edtf"}).json()
    assert wrong["edtf"] == "19941" and "is not a valid EDTF date" in wrong["text"]


def test_the_preview_is_for_signed_in_staff_only(client, demo):
    answer = client.get(PREVIEW, {"value": "1994"})
    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
    assert client.post(PREVIEW, {"value": "1994"}).status_code in (302, 405)
