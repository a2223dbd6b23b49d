"""History that loses nothing: a revert to version k gives exactly version k, many-to-many
links included, and the editor sees beforehand what a revert or a restore will change."""

from __future__ import annotations

import html
import re

from django.urls import reverse

from register.history import many_to_many_as_of
from register.models import Agreement, Relation
from tests.admin_forms import form_data


def asti_relation():
    return Relation.objects.get(partner__name="Asti")


def test_it_keeps_astis_sources_when_reverting_a_text_edit_to_the_first_version(client, alice):
    client.force_login(alice)
    relation = asti_relation()
    sources = set(relation.sources.values_list("pk", flat=True))
    assert sources
    url = reverse("admin:register_relation_change", args=[relation.pk])
    data = form_data(client, url)
    data["description_sv"] = ["Fel text."]
    assert client.post(url, data).status_code == 302

    first = relation.history.earliest()
    assert set(many_to_many_as_of(first)["sources"]) == sources  # version 1 had its source
    revert = reverse("admin:register_relation_simple_history", args=[relation.pk, first.history_id])
    data = form_data(client, revert)
    assert client.post(revert, data).status_code == 302

    relation.refresh_from_db()
    assert relation.description_sv == first.description_sv
    assert set(relation.sources.values_list("pk", flat=True)) == sources
    assert many_to_many_as_of(relation.history.latest()) == many_to_many_as_of(first)
    page = html.unescape(client.get("/sv/halmstad/").content.decode())
    assert "Fel text." not in page
    assert "Källa" in page


def changes_table(page: str) -> dict[str, tuple[str, str]]:
    """{field: (now, after)} of the page's table of what will change."""
    section = page.split('class="register-changes"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(
        r'<th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td>', section, flags=re.S
    )
    return {field: (now, after) for field, now, after in rows}


def test_it_shows_what_a_revert_changes_before_it_is_made(client, alice):
    client.force_login(alice)
    relation = asti_relation()
    source = relation.sources.get()
    url = reverse("admin:register_relation_change", args=[relation.pk])
    data = form_data(client, url)
    data.update(description_sv=["Fel text."], since_0=["2010"], since_1=["year"], sources=[])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    first = relation.history.earliest()
    revert = reverse("admin:register_relation_simple_history", args=[relation.pk, first.history_id])
    page = html.unescape(client.get(revert).content.decode())
    assert "Vad återställningen ändrar" in page
    table = changes_table(page)
    assert table["Beskrivning (svenska)"] == ("Fel text.", first.description_sv)
    assert table["Sedan"] == ("sedan 2010", "sedan 2009 eller tidigare")  # as the page words it
    assert table["Källor"] == ("–", str(source))  # links by their names
    assert "Ordning" not in table  # only what changes
    relation.refresh_from_db()
    assert relation.description_sv == "Fel text."  # showing changes nothing


def test_it_says_when_a_revert_changes_nothing(client, alice):
    client.force_login(alice)
    relation = asti_relation()
    newest = relation.history.latest()
    revert = reverse(
        "admin:register_relation_simple_history", args=[relation.pk, newest.history_id]
    )
    page = html.unescape(client.get(revert).content.decode())
    assert changes_table(page) == {}
    assert "Inget: den här versionen är densamma som den nuvarande." in page


def test_it_shows_what_a_restore_brings_back_before_it_is_made(client, alice):
    client.force_login(alice)
    agreement = Agreement.objects.get(relation__partner__name="Asti")
    areas = sorted(str(area) for area in agreement.focus_areas.all())
    source = agreement.sources.get()
    delete = reverse("admin:register_agreement_delete", args=[agreement.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    record = Agreement.history.filter(id=agreement.pk, history_type="-").get()
    restore = reverse("admin:register_agreement_restore", args=[record.history_id])

    listing = client.get(reverse("admin:register_agreement_deleted")).content.decode()
    assert f'href="{restore}"' in listing  # the list leads to the confirmation first
    page = html.unescape(client.get(restore).content.decode())
    assert not Agreement.objects.filter(pk=agreement.pk).exists()  # nothing restored yet
    table = changes_table(page)
    assert table["Typ"][1] == str(agreement.kind)  # choices and links by their names
    assert table["Start"][1] == "2009"
    assert table["Samarbetsområden"][1] == ", ".join(areas)
    assert table["Källor"] == ("–", str(source))
    assert "Återställ" in page and 'method="post"' in page

    assert client.post(restore).status_code == 302
    assert sorted(str(a) for a in Agreement.objects.get(pk=agreement.pk).focus_areas.all()) == areas


def test_it_refuses_the_restore_page_to_an_editor_of_another_organisation(client, alice, bob):
    agreement = Agreement.objects.get(relation__partner__name="Asti")
    client.force_login(alice)
    client.post(reverse("admin:register_agreement_delete", args=[agreement.pk]), {"post": "yes"})
    record = Agreement.history.filter(id=agreement.pk, history_type="-").get()
    client.force_login(bob)
    restore = reverse("admin:register_agreement_restore", args=[record.history_id])
    assert client.get(restore).status_code == 404
