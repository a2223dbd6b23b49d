"""Places that stay themselves (issue 11): one place per town, matched by Wikidata id,
then by a name in any language in the same country nearby; an ambiguous name is
reported, never guessed; commands and the admin tell two towns of one name apart."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from interop.models import ReportedPair
from register.models import Organisation, Place, PlaceName, Source
from register.places import (
    MATCH_DISTANCE_KM,
    AmbiguousPlace,
    PlaceMatcher,
    PlaceNotFound,
    distance_km,
    normalise,
    place_from_argument,
    update_from,
)

pytestmark = pytest.mark.django_db


def place(name, country, **values) -> Place:
    return Place.objects.create(name=name, country=country, **values)


# --- the matcher --------------------------------------------------------------------


def test_it_keeps_two_towns_of_one_name_in_different_countries_apart():
    ukraine = place("Nikopol", "UA", region="Dnipropetrovsk oblast", latitude=Decimal("47.57"))
    bulgaria = place("Nikopol", "BG", region="Pleven")
    matcher = PlaceMatcher()
    assert matcher.match(name="Nikopol", country="UA").place == ukraine
    assert matcher.match(name="nikopol ", country="bg").place == bulgaria
    assert matcher.match(name="Nikopol", country="RO").new


def test_it_keeps_two_towns_of_one_name_in_one_country_far_apart():
    skane = place("Lund", "SE", latitude=Decimal("55.7047"), longitude=Decimal("13.1910"))
    matcher = PlaceMatcher()
    # Lund in Västernorrland is some 600 km from Lund in Skåne: not the same place.
    far = matcher.match(name="Lund", country="SE", latitude=62.60, longitude=17.30)
    assert far.new
    near = matcher.match(name="Lund", country="SE", latitude=55.71, longitude=13.20)
    assert near.place == skane
    assert matcher.match(name="Lund", country="SE").place == skane  # no coordinates: the name


def test_it_takes_the_same_name_within_a_few_km_as_one_place():
    town = place("Gentofte", "DK", latitude=Decimal("55.7536"), longitude=Decimal("12.5414"))
    matcher = PlaceMatcher()
    nearby = (55.78, 12.60)  # about 4.5 km away: another centre point of the same town
    assert distance_km(town.latitude, town.longitude, *nearby) < MATCH_DISTANCE_KM
    assert (
        matcher.match(name="GENTOFTE", country="DK", latitude=nearby[0], longitude=nearby[1]).place
        == town
    )


def test_it_matches_a_name_in_any_language_nfc_normalised():
    hanko = place("Hanko", "FI")
    PlaceName.objects.create(place=hanko, language="sv", name="Hangö")
    decomposed = "Hango\u0308"  # o + combining diaeresis
    assert PlaceMatcher().match(name=decomposed, country="FI").place == hanko
    assert PlaceMatcher().match(name="Hanko", country="FI", wikidata_id="Q1").place == hanko


def test_it_never_merges_places_with_different_wikidata_ids():
    first = place("Springfield", "US", wikidata_id="Q28515")
    matcher = PlaceMatcher()
    assert matcher.match(name="Springfield", country="US", wikidata_id="Q28515").place == first
    other = matcher.match(name="Springfield", country="US", wikidata_id="Q49279")
    assert other.new
    created = matcher.resolve(name="Springfield", country="US", wikidata_id="Q49279").place
    matcher.save("test")
    assert created.pk != first.pk and Place.objects.filter(name="Springfield").count() == 2
    assert first.wikidata_id == "Q28515"


def test_it_keeps_kansas_city_missouri_and_kansas_apart():
    matcher = PlaceMatcher()
    missouri = matcher.resolve(
        name="Kansas City", country="US", region="Missouri", latitude=39.0997, longitude=-94.5786
    ).place
    kansas = matcher.resolve(
        name="Kansas City", country="US", region="Kansas", latitude=39.1141, longitude=-94.6275
    ).place
    assert missouri is not kansas  # 4.5 km apart, but in different states
    matcher.save("test")
    assert Place.objects.filter(name="Kansas City").count() == 2
    again = PlaceMatcher()
    assert again.match(name="Kansas City", country="US", region="Kansas").place == kansas
    assert again.match(name="Kansas City", country="US", region="Missouri").place == missouri
    vague = again.match(name="Kansas City", country="US")
    assert vague.ambiguous and set(vague.candidates) == {missouri, kansas}
    assert "Missouri" in vague.reason and "Kansas" in vague.reason
    assert f"id {kansas.pk}" in vague.reason


def test_an_ambiguous_match_changes_nothing():
    place("Nikopol", "UA", region="A")
    place("Nikopol", "UA", region="B")
    matcher = PlaceMatcher()
    result = matcher.resolve(name="Nikopol", country="UA", latitude=1, longitude=1)
    assert result.ambiguous
    matcher.save("test")
    assert Place.objects.filter(latitude__isnull=False).count() == 0


def test_the_matcher_is_built_with_a_fixed_number_of_queries(django_assert_num_queries):
    for n in range(30):
        p = place(f"Town {n}", "SE")
        PlaceName.objects.create(place=p, language="en", name=f"Town {n} (en)")
    with django_assert_num_queries(2):
        matcher = PlaceMatcher()
        for n in range(30):
            assert matcher.match(name=f"town {n} (EN)", country="SE").matched


def test_it_grows_as_the_import_adds_places():
    matcher = PlaceMatcher()
    first = matcher.resolve(name="Moshi", country="TZ", names={"sv": "Moshi"}, wikidata_id="Q1")
    second = matcher.resolve(name="Moshi", country="TZ")
    assert first.new and second.matched and second.place is first.place
    matcher.save("test")
    assert Place.objects.get(wikidata_id="Q1").names.get().language == "sv"


def test_importers_keep_what_the_file_gives_and_report_what_differs():
    porvoo = place("Porvoo", "FI", region="Uusimaa", wikidata_id="Q214522")
    PlaceName.objects.create(place=porvoo, language="en", name="Porvoo")
    matcher = PlaceMatcher()
    result = matcher.resolve(
        name="Porvoo",
        country="FI",
        names={"sv": "Borgå", "en": "Porvo"},
        region="Nyland",
        latitude="60.3932",
        longitude="25.6650",
        wikidata_id="Q214522",
    )
    assert result.place == porvoo
    matcher.save("test")
    porvoo.refresh_from_db()
    assert porvoo.wikidata_id == "Q214522"  # matched by it, whatever the region says
    assert (porvoo.latitude, porvoo.longitude) == (Decimal("60.393200"), Decimal("25.665000"))
    assert porvoo.region == "Uusimaa"  # kept, and reported
    assert dict(porvoo.names.values_list("language", "name")) == {"en": "Porvoo", "sv": "Borgå"}
    assert any("Nyland" in c and "Uusimaa" in c for c in matcher.conflicts)
    assert any("Porvo" in c for c in matcher.conflicts)
    assert porvoo.history.count() == 2  # created, and filled by the import


def test_update_from_fills_blanks_and_never_overwrites_silently():
    asti = place("Asti", "IT", latitude=Decimal("44.9"), longitude=Decimal("8.2"))
    update = update_from(
        asti, latitude=45.5, longitude=8.2, region="Piemonte", names={"it": "Asti"}
    )
    asti.refresh_from_db()
    assert asti.region == "Piemonte" and asti.latitude == Decimal("44.9")
    assert update.conflicts and "44.9" in update.conflicts[0]
    assert asti.names.get().name == "Asti"
    again = update_from(asti, region="Piemonte", names={"it": "Asti"})
    assert not again.changed and not again.conflicts


def test_a_wikidata_id_is_unique_when_set():
    place("A", "SE")
    place("B", "SE")  # two blanks are fine
    place("C", "SE", wikidata_id="Q5")
    with pytest.raises(IntegrityError), transaction.atomic():
        place("D", "SE", wikidata_id="Q5")


@given(st.text(max_size=20))
def test_normalising_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


# --- commands that take a place -----------------------------------------------------


def test_place_from_argument_takes_an_id_a_wikidata_id_or_a_name():
    lund = place("Lund", "SE", region="Skåne", wikidata_id="Q2167")
    assert place_from_argument(str(lund.pk)) == lund
    assert place_from_argument("q2167") == lund
    assert place_from_argument("lund") == lund
    other = place("Lund", "SE", region="Västernorrland")
    with translation.override("en"), pytest.raises(AmbiguousPlace) as refused:
        place_from_argument("Lund")
    message = str(refused.value)
    assert f"Lund (id {lund.pk}, SE, Skåne, Q2167)" in message
    assert f"Lund (id {other.pk}, SE, Västernorrland, no Wikidata id)" in message
    with translation.override("sv"), pytest.raises(AmbiguousPlace) as refused:
        place_from_argument("Lund")
    assert "flera orter heter ”Lund”" in str(refused.value)
    assert "inget Wikidata-id" in str(refused.value)
    with pytest.raises(PlaceNotFound):
        place_from_argument("Q999")
    with pytest.raises(PlaceNotFound):
        place_from_argument("99999")


def test_it_start_municipality_uses_the_lund_already_there(cli):
    lund = place("Lund", "SE", latitude=Decimal("55.7047"), longitude=Decimal("13.1910"))
    result = cli("start-municipality", "lund", "--name", "Lunds kommun", "--place", "Lund")
    assert "already in the register" in result.stdout
    assert Place.objects.filter(name="Lund").count() == 1
    assert Organisation.objects.get(slug="lund").place == lund
    chains = cli("chains", "--place", "Lund")
    assert chains.returncode == 0


def test_it_start_municipality_refuses_an_ambiguous_place_and_takes_an_id(cli):
    place("Lund", "SE", region="Skåne")
    other = place("Lund", "SE", region="Västernorrland")
    refused = cli(
        "start-municipality", "lund", "--name", "Lunds kommun", "--place", "Lund", check=False
    )
    assert refused.returncode != 0 and "Västernorrland" in refused.stderr
    assert not Organisation.objects.exists()
    cli("start-municipality", "lund", "--name", "Lunds kommun", "--place", str(other.pk))
    assert Organisation.objects.get(slug="lund").place == other
    taken = cli(
        "start-municipality", "lund2", "--name", "Lund", "--place", str(other.pk), check=False
    )
    assert taken.returncode != 0 and "already keeps its register" in taken.stderr


def _triangle(*places):
    source = Source.objects.create(title="test")
    a, b, c = places
    for one, other in ((a, b), (b, c), (a, c)):
        x, y = ReportedPair.ordered(one.pk, other.pk)
        ReportedPair.objects.create(place_a_id=x, place_b_id=y, source=source)


def test_it_chains_takes_a_place_by_id_or_wikidata_id(cli):
    lund = place("Lund", "SE", region="Skåne", wikidata_id="Q2167")
    place("Lund", "SE", region="Västernorrland")
    _triangle(lund, place("Greifswald", "DE"), place("Viborg", "DK"))
    by_id = cli("chains", "--place", str(lund.pk))
    by_qid = cli("chains", "--place", "Q2167")
    assert "3: Greifswald (DE) – Lund (SE) – Viborg (DK)" in by_id.stdout
    assert by_id.stdout == by_qid.stdout
    ambiguous = cli("chains", "--place", "Lund", check=False)
    assert ambiguous.returncode != 0
    assert f"id {lund.pk}, SE, Skåne, Q2167" in ambiguous.stderr
    assert "Västernorrland" in ambiguous.stderr


# --- the admin ---------------------------------------------------------------------


def test_it_autocomplete_shows_both_nikopols_with_country_and_region(client, alice):
    place("Nikopol", "UA", region="Dnipropetrovsk oblast")
    place("Nikopol", "BG", region="Pleven")
    client.force_login(alice)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "register", "model_name": "relation", "field_name": "partner", "term": "Nik"},
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert response.status_code == 200
    texts = sorted(item["text"] for item in response.json()["results"])
    assert texts == ["Nikopol (Bulgarien, Pleven)", "Nikopol (Ukraina, Dnipropetrovsk oblast)"]
