"""Every change is recorded (who, when, what), viewable per record, revertible; a deleted
record can be restored. Through the admin, as an editor uses it."""

from __future__ import annotations

from django.urls import reverse

from register.models import Agreement, Relation
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
    assert client.get(restore).status_code == 403  # restoring takes a POST
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
