"""Every change is recorded (who, when, what), viewable per record, revertible; a deleted
record can be restored. Through the admin, as an editor uses it."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import time_machine
from django.urls import reverse

from register.history import last_published_change
from register.models import Activity, Agreement, FocusArea, Relation
from tests.admin_forms import form_data


def change(client, obj, **values):
    url = reverse(f"admin:register_{obj._meta.model_name}_change", args=[obj.pk])
    data = form_data(client, url)
    data.update(values)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_it_records_who_changed_what(client, alice):
    client.force_login(alice)
    relation = Relation.objects.get(partner__name="Stord")
    change(client, relation, description_sv="Ny beskrivning.")
    newest = relation.history.latest()
    assert newest.history_user == alice
    assert newest.history_type == "~"
    delta = newest.diff_against(newest.prev_record)
    assert [c.field for c in delta.changes] == ["description_sv"]
    page = client.get(reverse("admin:register_relation_history", args=[relation.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "alice" in text and "Ny beskrivning." in text


def test_it_reverts_a_record_to_an_earlier_version(client, alice):
    client.force_login(alice)
    relation = Relation.objects.get(partner__name="Stord")
    original = relation.description_sv
    change(client, relation, description_sv="Fel text.")
    first = relation.history.earliest()
    url = reverse("admin:register_relation_simple_history", args=[relation.pk, first.history_id])
    data = form_data(client, url)
    assert data["description_sv"] == [original]
    assert client.post(url, data).status_code == 302
    relation.refresh_from_db()
    assert relation.description_sv == original
    assert relation.version == 3  # created, changed, reverted: versions keep counting
    assert relation.history.latest().history_user == alice


def test_it_restores_a_deleted_record(client, alice):
    client.force_login(alice)
    agreement = Agreement.objects.filter(relation__partner__name="Stord").first()
    values = (agreement.pk, agreement.kind_id, agreement.start, agreement.purpose_sv)
    delete = reverse("admin:register_agreement_delete", args=[agreement.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Agreement.objects.filter(pk=values[0]).exists()

    listing = client.get(reverse("admin:register_agreement_deleted")).content.decode()
    assert "Stord" in listing or str(agreement) in listing
    record = Agreement.history.filter(id=values[0], history_type="-").get()
    restore = reverse("admin:register_agreement_restore", args=[record.history_id])
    assert client.get(restore).status_code == 200  # a GET shows what it would bring back
    assert not Agreement.objects.filter(pk=values[0]).exists()  # and restores nothing
    assert client.post(restore).status_code == 302
    restored = Agreement.objects.get(pk=values[0])
    assert (restored.pk, restored.kind_id, restored.start, restored.purpose_sv) == values
    assert restored.history.latest().history_type == "+"


def test_it_keeps_deleted_records_of_others_out_of_sight(client, alice, bob):
    client.force_login(alice)
    agreement = Agreement.objects.filter(relation__partner__name="Stord").first()
    client.post(reverse("admin:register_agreement_delete", args=[agreement.pk]), {"post": "yes"})
    record = Agreement.history.filter(id=agreement.pk, history_type="-").get()
    client.force_login(bob)
    listing = client.get(reverse("admin:register_agreement_deleted")).content.decode()
    assert str(record.history_id) not in listing or "Stord" not in listing
    restore = reverse("admin:register_agreement_restore", args=[record.history_id])
    assert client.post(restore).status_code == 404
    assert (
        client.get(reverse("admin:register_agreement_history", args=[agreement.pk])).status_code
        == 404
    )
    assert not Agreement.objects.filter(pk=agreement.pk).exists()


# --- many-to-many: an agreement's focus areas, an activity's partners, sources -----------


def asti_agreement():
    return Agreement.objects.get(relation__partner__name="Asti")


def focus_ids(history_row) -> set[int]:
    return set(history_row.focus_areas.values_list("focusarea_id", flat=True))


def test_it_records_a_change_of_focus_areas_in_one_row(client, alice):
    client.force_login(alice)
    agreement = asti_agreement()
    before = set(agreement.focus_areas.values_list("pk", flat=True))
    rows_before = agreement.history.count()
    democracy = FocusArea.objects.get(code="demokrati")
    url = reverse("admin:register_agreement_change", args=[agreement.pk])
    data = form_data(client, url)
    data["focus_areas"] = [*data["focus_areas"][1:], str(democracy.pk)]
    assert client.post(url, data).status_code == 302

    # One edit, one row, and it holds the focus areas as saved (not as they were).
    assert agreement.history.count() == rows_before + 1
    newest = agreement.history.latest()
    after = set(agreement.focus_areas.values_list("pk", flat=True))
    assert after != before and democracy.pk in after
    assert focus_ids(newest) == after
    assert focus_ids(newest.prev_record) == before
    delta = newest.diff_against(newest.prev_record)
    assert [c.field for c in delta.changes] == ["focus_areas"]
    assert newest.history_user == alice

    page = client.get(reverse("admin:register_agreement_history", args=[agreement.pk]))
    assert democracy.label_sv in page.content.decode() or democracy.label_en in (
        page.content.decode()
    )


def test_it_records_the_focus_areas_of_a_new_agreement(client, alice):
    client.force_login(alice)
    relation = Relation.objects.get(partner__name="Stord")
    culture = FocusArea.objects.get(code="kultur")
    url = reverse("admin:register_agreement_add")
    data = form_data(client, url)
    data.update(
        relation=[str(relation.pk)],
        kind=[str(relation.agreements.first().kind_id)],
        start_0=["2020"],
        start_1=["year"],
        focus_areas=[str(culture.pk)],
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Agreement.objects.filter(relation=relation, start="2020").get()
    assert [row.history_type for row in created.history.all()] == ["+"]
    assert focus_ids(created.history.get()) == {culture.pk}


def test_it_reverts_focus_areas_and_sources_too(client, alice):
    client.force_login(alice)
    agreement = asti_agreement()
    original = set(agreement.focus_areas.values_list("pk", flat=True))
    sources = set(agreement.sources.values_list("pk", flat=True))
    url = reverse("admin:register_agreement_change", args=[agreement.pk])
    data = form_data(client, url)
    data["focus_areas"], data["sources"] = [], []
    assert client.post(url, data).status_code == 302
    assert not agreement.focus_areas.exists() and not agreement.sources.exists()

    earlier = agreement.history.latest().prev_record
    revert = reverse(
        "admin:register_agreement_simple_history", args=[agreement.pk, earlier.history_id]
    )
    data = form_data(client, revert)
    assert set(map(int, data["focus_areas"])) == original  # the form shows the old version
    assert client.post(revert, data).status_code == 302
    assert set(agreement.focus_areas.values_list("pk", flat=True)) == original
    assert set(agreement.sources.values_list("pk", flat=True)) == sources
    assert focus_ids(agreement.history.latest()) == original


def test_it_restores_a_deleted_record_with_its_focus_areas(client, alice):
    client.force_login(alice)
    agreement = asti_agreement()
    focus = set(agreement.focus_areas.values_list("pk", flat=True))
    sources = set(agreement.sources.values_list("pk", flat=True))
    assert focus and sources
    delete = reverse("admin:register_agreement_delete", args=[agreement.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302

    record = Agreement.history.filter(id=agreement.pk, history_type="-").get()
    restore = reverse("admin:register_agreement_restore", args=[record.history_id])
    assert client.post(restore).status_code == 302
    restored = Agreement.objects.get(pk=agreement.pk)
    assert set(restored.focus_areas.values_list("pk", flat=True)) == focus
    assert set(restored.sources.values_list("pk", flat=True)) == sources
    newest = restored.history.latest()
    assert newest.history_type == "+" and focus_ids(newest) == focus


def test_it_records_an_activitys_partners_changed_on_the_relation(client, alice):
    """The relation's page lists its activities; adding one there changes the activity."""
    client.force_login(alice)
    meeting = Activity.objects.get(title_sv="Medborgarmöte med Asti")
    stord = Relation.objects.get(partner__name="Stord")
    rows_before = meeting.history.count()
    url = reverse("admin:register_relation_change", args=[stord.pk])
    data = form_data(client, url)
    prefix = next(
        k.removesuffix("-TOTAL_FORMS")
        for k in data
        if k.endswith("-TOTAL_FORMS") and "activity" in k.lower()
    )
    index = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(index + 1)]
    data[f"{prefix}-{index}-activity"] = [str(meeting.pk)]
    data[f"{prefix}-{index}-relation"] = [str(stord.pk)]
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert stord in meeting.relations.all()
    assert meeting.history.count() == rows_before + 1
    newest = meeting.history.latest()
    assert stord.pk in set(newest.relations.values_list("relation_id", flat=True))
    assert newest.history_user == alice


def test_it_records_many_to_many_changes_made_outside_the_admin(demo):
    agreement = asti_agreement()
    rows_before = agreement.history.count()
    agreement.focus_areas.remove(agreement.focus_areas.first())
    assert agreement.history.count() == rows_before + 1
    assert focus_ids(agreement.history.latest()) == set(
        agreement.focus_areas.values_list("pk", flat=True)
    )


def test_last_updated_follows_a_change_of_focus_areas_only(client, alice):
    agreement = asti_agreement()
    with time_machine.travel(datetime(2031, 5, 4, 10, tzinfo=UTC)):
        client.force_login(alice)
        url = reverse("admin:register_agreement_change", args=[agreement.pk])
        data = form_data(client, url)
        data["focus_areas"] = data["focus_areas"][:1]
        assert client.post(url, data).status_code == 302
    organisation = agreement.relation.organisation
    assert last_published_change(organisation) == agreement.history.latest().history_date
    page = client.get(reverse("public:organisation", args=[organisation.slug]))
    assert '<time datetime="2031-05-04">' in page.content.decode()


def test_a_conflict_names_the_focus_areas_changed_meanwhile(client, alice, demo):
    from django.test import Client

    agreement = asti_agreement()
    url = reverse("admin:register_agreement_change", args=[agreement.pk])
    other = Client()
    other.force_login(alice)
    client.force_login(alice)
    mine, theirs = form_data(client, url), form_data(other, url)
    removed = FocusArea.objects.get(pk=int(theirs["focus_areas"][0]))
    theirs["focus_areas"] = theirs["focus_areas"][1:]
    assert other.post(url, theirs).status_code == 302
    mine["purpose_sv"] = ["Min ändring."]
    response = client.post(url, mine)
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    changed = re.search(r"Ändrat under tiden: (.*?)\. Inget av det", text)
    assert changed, "the refusal says what changed meanwhile"
    # e.g. "samarbetsområden: “Utbildning, Kultur, …” → “Kultur, …”"
    field, old_and_new = changed.group(1).split(": ", 1)
    assert field == "samarbetsområden"
    old, new = old_and_new.split(" → ")
    assert removed.label in old and removed.label not in new
    agreement.refresh_from_db()
    assert agreement.purpose_sv != "Min ändring."
