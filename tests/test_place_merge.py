"""Staff with the right merge two places that are one town: relations, names, sources
and reported pairs move to the one kept, in one transaction, the history records it, and
it can be undone. Through the admin as a superuser and as editors, and the domain alone."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from interop.models import ReportedPair
from register.merge import merge_places, moving_place, undo_merge
from register.models import Organisation, Place, PlaceMerge, PlaceName, Relation, Source

CHANGELIST = "admin:register_place_changelist"


@pytest.fixture
def twins(demo, other_municipality):
    """Asti twice: the demo's, and a copy an import made, with a Wikidata id, a Swedish
    and a German name, a source, Varberg's relation and reported pairs."""
    asti = Place.objects.get(name="Asti")
    PlaceName.objects.create(place=asti, language="sv", name="Asti")
    copy = Place.objects.create(
        name="Asti", country="IT", wikidata_id="Q16098", region="", latitude=None
    )
    PlaceName.objects.create(place=copy, language="sv", name="Asti stad")
    PlaceName.objects.create(place=copy, language="de", name="Asti (Stadt)")
    wiki = Source.objects.create(title="Wikipedia: Asti")
    copy.sources.add(wiki)
    varberg = Relation.objects.create(organisation=other_municipality, partner=copy, since="2001")
    stord = Place.objects.get(name="Stord")
    moshi = Place.objects.get(name="Moshi")
    lists = Source.objects.create(title="Wikipedia: twin towns")

    def pair(one, other, **values):
        a, b = ReportedPair.ordered(one.pk, other.pk)
        return ReportedPair.objects.create(place_a_id=a, place_b_id=b, source=lists, **values)

    pair(asti, stord)
    duplicate = pair(copy, stord, start="1995")  # the same pair from the same source
    moved = pair(copy, moshi)
    itself = pair(asti, copy)
    return {
        "asti": asti,
        "copy": copy,
        "wiki": wiki,
        "varberg": varberg,
        "stord": stord,
        "moshi": moshi,
        "lists": lists,
        "duplicate": duplicate,
        "moved": moved,
        "itself": itself,
    }


def choose(client, *places, **extra):
    data = {"action": "merge_two_places", "_selected_action": [p.pk for p in places], **extra}
    return client.post(reverse(CHANGELIST), data)


def pairs_of(place) -> set[tuple[int, int, int]]:
    return set(ReportedPair.objects.involving(place).values_list("place_a", "place_b", "source"))


def test_it_merges_two_places_from_the_admin_and_undoes_it(admin_client, twins):
    asti, copy = twins["asti"], twins["copy"]
    page = choose(admin_client, asti, copy)
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "Varbergs kommun" in text  # the relation that would move
    assert "Asti stad (sv)" in text and "Asti (Stadt) (de)" in text
    assert "Wikipedia: Asti" in text
    assert Place.objects.filter(pk=copy.pk).exists()  # the page changes nothing

    response = choose(admin_client, asti, copy, confirm="yes", keep=asti.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:register_place_change", args=[asti.pk])
    assert not Place.objects.filter(pk=copy.pk).exists()
    asti.refresh_from_db()
    assert asti.wikidata_id == "Q16098"  # a blank of the kept place, filled
    assert twins["varberg"].__class__.objects.get(pk=twins["varberg"].pk).partner == asti
    names = dict(asti.names.values_list("language", "name"))
    assert names == {"sv": "Asti", "de": "Asti (Stadt)"}  # one per language: the kept's
    assert twins["wiki"] in asti.sources.all()
    stord, moshi, lists = twins["stord"], twins["moshi"], twins["lists"]
    assert pairs_of(asti) == {
        (*ReportedPair.ordered(asti.pk, stord.pk), lists.pk),
        (*ReportedPair.ordered(asti.pk, moshi.pk), lists.pk),
    }
    assert ReportedPair.objects.get(source=lists, place_b=max(asti.pk, stord.pk)).start == "1995"
    assert "Sammanslagen med Asti" in asti.history.latest().history_change_reason
    deleted = Place.history.get(id=copy.pk, history_type="-")
    assert deleted.history_change_reason.startswith("Sammanslagen med Asti")
    merge = PlaceMerge.objects.get()
    assert merge.kept == asti and merge.removed_id == copy.pk
    assert merge.merged_by.is_superuser
    assert admin_client.get("/sv/halmstad/").status_code == 200

    listing = admin_client.get(reverse("admin:register_placemerge_changelist"))
    assert listing.status_code == 200 and "undo_merges" in listing.content.decode()
    undo = admin_client.post(
        reverse("admin:register_placemerge_changelist"),
        {"action": "undo_merges", "_selected_action": [merge.pk]},
    )
    assert undo.status_code == 302
    back = Place.objects.get(pk=copy.pk)
    asti.refresh_from_db()
    assert (back.wikidata_id, asti.wikidata_id) == ("Q16098", "")
    assert Relation.objects.get(pk=twins["varberg"].pk).partner == back
    assert dict(back.names.values_list("language", "name")) == {
        "sv": "Asti stad",
        "de": "Asti (Stadt)",
    }
    assert dict(asti.names.values_list("language", "name")) == {"sv": "Asti"}
    assert list(back.sources.all()) == [twins["wiki"]]
    assert twins["wiki"] not in asti.sources.all()
    assert ReportedPair.objects.filter(pk=twins["duplicate"].pk, start="1995").exists()
    assert ReportedPair.objects.filter(pk=twins["itself"].pk).exists()
    assert pairs_of(back) == {
        (*ReportedPair.ordered(back.pk, twins["stord"].pk), lists.pk),
        (*ReportedPair.ordered(back.pk, twins["moshi"].pk), lists.pk),
        (*ReportedPair.ordered(back.pk, asti.pk), lists.pk),
    }
    assert PlaceMerge.objects.get().undone_at is not None


def test_an_editor_without_the_right_cannot_merge(client, alice, twins):
    client.force_login(alice)
    listing = client.get(reverse(CHANGELIST)).content.decode()
    assert "merge_two_places" not in listing
    response = choose(client, twins["asti"], twins["copy"], confirm="yes", keep=twins["asti"].pk)
    assert response.status_code in (200, 302)
    assert Place.objects.filter(pk=twins["copy"].pk).exists()
    assert not PlaceMerge.objects.exists()
    assert client.get(reverse("admin:register_placemerge_changelist")).status_code == 403


def test_an_editor_with_the_merge_permission_can_merge(client, alice, twins):
    alice.user_permissions.add(Permission.objects.get(codename="merge_place"))
    client.force_login(alice)
    assert "merge_two_places" in client.get(reverse(CHANGELIST)).content.decode()
    response = choose(client, twins["asti"], twins["copy"], confirm="yes", keep=twins["asti"].pk)
    assert response.status_code == 302
    assert not Place.objects.filter(pk=twins["copy"].pk).exists()


def test_it_refuses_places_with_different_wikidata_ids_changing_nothing(admin_client, twins):
    asti, copy = twins["asti"], twins["copy"]
    asti.wikidata_id = "Q999"
    asti.save()
    page = html.unescape(choose(admin_client, asti, copy).content.decode())
    assert "Wikidata-id" in page and "Q999" in page and "Q16098" in page
    response = choose(admin_client, asti, copy, confirm="yes", keep=asti.pk)
    assert response.status_code == 302  # back to the list, with the refusal
    messages = html.unescape(admin_client.get(reverse(CHANGELIST)).content.decode())
    assert "olika Wikidata-id" in messages
    assert Place.objects.filter(pk=copy.pk).exists() and not PlaceMerge.objects.exists()


def test_it_asks_for_exactly_two_places(admin_client, twins):
    response = choose(admin_client, twins["asti"], twins["copy"], twins["stord"])
    assert response.status_code == 302
    page = html.unescape(admin_client.get(reverse(CHANGELIST)).content.decode())
    assert "Välj exakt två orter" in page


# --- the domain alone ------------------------------------------------------------------


def test_an_organisations_place_is_not_removed(twins):
    halmstad = Organisation.objects.get(slug="halmstad").place
    with pytest.raises(ValidationError) as refused:
        merge_places(twins["copy"], halmstad)
    assert refused.value.code == "organisation"
    with pytest.raises(ValidationError) as refused:
        merge_places(twins["asti"], twins["asti"])
    assert refused.value.code == "same"


def test_one_organisation_with_a_relation_to_both_is_refused(twins, demo):
    Relation.objects.create(organisation=demo, partner=twins["copy"])
    with pytest.raises(ValidationError) as refused:
        merge_places(twins["asti"], twins["copy"])
    assert refused.value.code == "two_relations"
    assert Place.objects.filter(pk=twins["copy"].pk).exists()


def test_a_merge_is_all_or_nothing(twins):
    def broken(sender, **kwargs):
        raise RuntimeError("an app failed halfway")

    moving_place.connect(broken, sender=Place, dispatch_uid="broken")
    try:
        with pytest.raises(RuntimeError):
            merge_places(twins["asti"], twins["copy"])
    finally:
        moving_place.disconnect(dispatch_uid="broken", sender=Place)
    assert Place.objects.filter(pk=twins["copy"].pk).exists()
    assert Relation.objects.get(pk=twins["varberg"].pk).partner_id == twins["copy"].pk
    assert not PlaceMerge.objects.exists()


def test_pairs_stay_ordered_and_once_per_source_after_a_merge_either_way(twins):
    report = merge_places(twins["copy"], twins["asti"])  # keep the copy this time
    assert report.relations  # Halmstad's Asti relation moved
    for a, b in ReportedPair.objects.values_list("place_a", "place_b"):
        assert a < b
    rows = list(ReportedPair.objects.values_list("source", "place_a", "place_b"))
    assert len(rows) == len(set(rows))
    undo_merge(report.merge)
    with pytest.raises(ValidationError):
        undo_merge(report.merge)  # once
