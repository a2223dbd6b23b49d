"""History that loses nothing: a revert to version k gives exactly version k, many-to-many
links included, and the editor sees beforehand what a revert or a restore will change."""

from __future__ import annotations

import html

from django.urls import reverse

from register.history import many_to_many_as_of
from register.models import Relation
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
