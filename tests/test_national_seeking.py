"""Finding a partner (issue 16): an editor publishes a profile through the admin, it is
listed and filtered, matching ranks the expected partner first and explains why in
Swedish and English, staff enter foreign municipalities, a profile disappears when it
expires and its contact is reminded once before that."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interop.models import ReportedPair
from national import matching
from national.matching import Party
from national.models import PartnerProfile
from register.models import FocusArea, Place, PlaceName, Relation, Source

TODAY = date(2026, 6, 18)


@pytest.fixture(autouse=True)
def _pinned_day():
    with time_machine.travel("2026-06-18 12:00 +02:00", tick=False):
        yield


def text(response) -> str:
    return " ".join(response.content.decode().split())


def wikipedia() -> Source:
    return Source.objects.get_or_create(
        organisation=None,
        url="https://github.com/Hekman/twincities",
        defaults={"title": "Wikipedia: lists of twin towns", "publisher": "Wikipedia"},
    )[0]


def pair(one: Place, other: Place) -> ReportedPair:
    a, b = sorted([one, other], key=lambda p: p.pk)
    return ReportedPair.objects.create(place_a=a, place_b=b, source=wikipedia())


def themes(*codes):
    return list(FocusArea.objects.filter(code__in=codes))


def foreign(name, country, *, theme_codes=(), population=None, valid_until=date(2026, 12, 31)):
    place = Place.objects.create(name=name, country=country, latitude="55.6", longitude="12.1")
    profile = PartnerProfile.objects.create(
        place=place,
        countries="SE",
        population=population,
        contact_name="Contact",
        contact_email=f"{name.lower()}@example.org",
        valid_until=valid_until,
        is_published=True,
    )
    profile.themes.set(themes(*theme_codes))
    return profile


@pytest.fixture
def seekers(demo):
    """Roskilde (DK: culture and education, twinned with Gentofte as Halmstad is),
    Tartu (EE: democracy, Halmstad's size), and Køge, a Danish town without a profile
    also twinned with Gentofte."""
    gentofte = Place.objects.get(name="Gentofte")
    roskilde = foreign("Roskilde", "DK", theme_codes=["kultur", "utbildning"], population=55000)
    pair(roskilde.place, gentofte)
    tartu = foreign("Tartu", "EE", theme_codes=["demokrati"], population=95000)
    PlaceName.objects.create(place=tartu.place, language="sv", name="Dorpat")
    koge = Place.objects.create(name="Køge", country="DK", latitude="55.45", longitude="12.18")
    pair(koge, gentofte)
    return {"roskilde": roskilde, "tartu": tartu, "koge": koge, "gentofte": gentofte}


def halmstad_profile(demo, **values) -> PartnerProfile:
    profile = PartnerProfile.objects.create(
        organisation=demo,
        countries=values.pop("countries", "DK, EE"),
        population=values.pop("population", 105000),
        contact_name="Anna Andersson",
        contact_email="anna@halmstad.example",
        valid_until=values.pop("valid_until", date(2026, 7, 10)),
        is_published=values.pop("is_published", True),
        offers="Skolutbyten och kulturfestivaler.",
        **values,
    )
    profile.themes.set(themes("kultur", "utbildning"))
    return profile


# --- the pure scoring -----------------------------------------------------------------


def _labels(code, lang):
    return {"kultur": ("kultur", "culture"), "idrott": ("idrott", "sport")}[code][lang != "sv"]


def _names(pid, lang):
    return {1: "Gentofte", 2: "Stord", 3: "Asti", 4: "Moshi"}[pid]


def _rank(seeker, candidates):
    return matching.rank(
        seeker,
        candidates,
        theme_label=_labels,
        country_label=lambda code, lang: {
            "DK": ("Danmark", "Denmark"),
            "SE": ("Sverige", "Sweden"),
        }[code][lang != "sv"],  # noqa: E501
        place_name=_names,
    )


SEEKER = Party("profile:1", 10, "Halmstads kommun", "Halmstad Municipality", "SE",
               themes=frozenset({"kultur"}), wanted=frozenset({"DK"}), population=100000,
               partners=frozenset({1, 2}), is_profile=True)  # fmt: skip


def test_matching_scores_themes_countries_size_and_chains():
    full = Party("profile:2", 20, "Roskilde", "Roskilde", "DK", frozenset({"kultur", "idrott"}),
                 frozenset({"SE"}), 80000, frozenset({1, 2, 9}), True)  # fmt: skip
    [match] = _rank(SEEKER, [full])
    kinds = [reason.kind for reason in match.reasons]
    assert kinds == ["theme", "country", "mutual", "size", "chain"]
    assert match.score == 3 + 4 + 2 + 2.4 + 2 * 2
    assert match.explanation("sv") == [
        "Båda vill samarbeta om kultur.",
        "Roskilde ligger i Danmark, ett av de länder som söks.",
        "Roskilde söker en partner i Sverige.",
        "Liknande storlek: 80\u00a0000 och 100\u00a0000 invånare.",
        "Båda har vänorter i Gentofte och Stord.",
    ]
    assert match.explanation("en")[-1] == "Both are twinned with Gentofte and Stord."
    assert match.explanation("en")[3] == "Similar size: 80,000 and 100,000 inhabitants."


def test_matching_leaves_out_the_seeker_its_partners_its_own_country_and_bare_places():
    candidates = [
        Party("profile:1", 10, "Self", "Self", "SE", is_profile=True),
        Party("place:1", 1, "Gentofte", "Gentofte", "DK", partners=frozenset({2})),  # a partner
        Party("profile:3", 30, "Varberg", "Varberg", "SE", frozenset({"kultur"}), is_profile=True),
        Party("place:40", 40, "Odense", "Odense", "DK"),  # a country, but no chain
        Party("profile:5", 50, "Far", "Far", "DK", population=1000, is_profile=True),
    ]
    [only] = _rank(SEEKER, candidates)
    assert only.candidate.key == "profile:5"  # the country counts for a profile
    assert [r.kind for r in only.reasons] == ["country"]  # 1 000 is no similar size


def test_matching_ranks_by_score_then_profiles_before_places_and_names_at_most_three_chains():
    seeker = Party("profile:1", 10, "H", "H", "SE", partners=frozenset({1, 2, 3, 4}))
    place = Party("place:7", 7, "A", "A", "DK", partners=frozenset({1, 2, 3, 4}))
    profile = Party("profile:8", 8, "B", "B", "DK", partners=frozenset({1, 2, 3, 4}),
                    is_profile=True)  # fmt: skip
    first, second = _rank(seeker, [place, profile])
    assert (first.candidate.key, second.candidate.key) == ("profile:8", "place:7")
    assert first.explanation("sv") == ["Båda har vänorter i Asti, Gentofte, Moshi och 1 till."]
    assert first.explanation("en") == ["Both are twinned with Asti, Gentofte, Moshi and 1 more."]


# --- the domain's rules ---------------------------------------------------------------


def test_a_profile_has_one_seeker_a_foreign_place_and_real_country_codes(demo):
    asti = Place.objects.get(name="Asti")
    both = PartnerProfile(
        organisation=demo, place=asti, contact_name="x", contact_email="x@example.org",
        valid_until=TODAY,
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        both.full_clean()
    assert "organisation" in error.value.message_dict
    swedish = PartnerProfile(place=demo.place, contact_name="x", contact_email="x@example.org",
                             valid_until=TODAY)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        swedish.full_clean()
    assert "place" in error.value.message_dict
    codes = PartnerProfile(organisation=demo, countries="it; xx, DE", contact_name="x",
                           contact_email="x@example.org", valid_until=TODAY)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        codes.full_clean()
    assert "XX" in str(error.value.message_dict["countries"])
    codes.countries = "it; de, IT"
    codes.full_clean()
    assert codes.countries == "IT, DE"


# --- from the outside: the admin, the pages -------------------------------------------


def _form(demo, **values):
    data = {
        "organisation": demo.pk,
        "themes": [t.pk for t in themes("kultur", "utbildning")],
        "countries": "dk, ee",
        "regions": "Östersjöregionen",
        "population": "105000",
        "offers": "Skolutbyten och kulturfestivaler.",
        "contact_name": "Anna Andersson",
        "contact_email": "anna@halmstad.example",
        "valid_until": "2026-07-10",
        "is_published": "on",
    }
    return data | values


def test_an_editor_publishes_a_profile_for_their_own_organisation_only(
    client, demo, alice, bob, other_municipality, seekers
):
    client.force_login(alice)
    form = client.get("/admin/national/partnerprofile/add/")
    assert form.status_code == 200
    assert 'name="place"' not in form.content.decode()  # foreign places are the staff's
    other = client.post(
        "/admin/national/partnerprofile/add/", _form(demo, organisation=other_municipality.pk)
    )
    assert other.status_code == 200 and "organisation" in other.context["adminform"].form.errors
    bad = client.post("/admin/national/partnerprofile/add/", _form(demo, countries="DK, ZZ"))
    assert "ZZ" in str(bad.context["adminform"].form.errors["countries"])
    assert not PartnerProfile.objects.filter(organisation__isnull=False).exists()
    saved = client.post("/admin/national/partnerprofile/add/", _form(demo))
    assert saved.status_code == 302
    profile = PartnerProfile.objects.get(organisation=demo)
    assert profile.countries == "DK, EE" and not profile.entered_by_staff
    # Another organisation's editor neither sees nor changes it.
    client.force_login(bob)
    assert client.get(f"/admin/national/partnerprofile/{profile.pk}/change/").status_code == 302
    assert profile.pk not in [
        p.pk for p in client.get("/admin/national/partnerprofile/").context["cl"].result_list
    ]

    listed = client.get("/sv/register/soker/")
    assert listed.status_code == 200
    page = text(listed)
    assert "3 kommuner söker en partner" in page
    assert "Halmstads kommun" in page and "Roskilde" in page and "Dorpat" in page
    assert "Östersjöregionen" in page
    english = text(client.get("/en/register/seeking/"))
    assert "3 municipalities seeking a partner" in english and "Tartu" in english


def test_staff_enter_a_foreign_municipality(client, demo, admin_user, alice):
    tartu = Place.objects.create(name="Tartu", country="EE")
    client.force_login(alice)
    assert (
        client.post(
            "/admin/national/partnerprofile/add/", _form(demo, organisation="", place=tartu.pk)
        ).status_code
        == 200
    )  # an editor cannot: the organisation is required, place ignored
    assert not PartnerProfile.objects.exists()
    client.force_login(admin_user)
    saved = client.post(
        "/admin/national/partnerprofile/add/", _form(demo, organisation="", place=tartu.pk)
    )
    assert saved.status_code == 302
    profile = PartnerProfile.objects.get()
    assert profile.place == tartu and profile.entered_by_staff
    page = text(client.get(f"/sv/register/soker/{profile.pk}/"))
    assert "Tartu söker en partner" in page and "registrets personal" in page


def test_the_list_filters_by_theme_and_country(client, demo, seekers):
    halmstad_profile(demo)
    by_theme = text(client.get("/sv/register/soker/?theme=demokrati"))
    assert "1 kommun söker en partner" in by_theme and "Dorpat" in by_theme
    assert "Roskilde" not in by_theme
    by_country = text(client.get("/sv/register/soker/?country=DK"))  # Roskilde's, Halmstad's wish
    assert "2 kommuner söker en partner" in by_country
    assert "Roskilde" in by_country and "Halmstads kommun" in by_country
    assert "Dorpat" not in by_country
    wrong = client.get("/sv/register/soker/?theme=nope&country=QQ")
    assert wrong.status_code == 200
    assert "Tema, Land" in text(wrong) and "3 kommuner söker en partner" in text(wrong)


def test_matching_ranks_the_expected_partner_first_and_explains_it(client, demo, seekers):
    profile = halmstad_profile(demo)
    response = client.get(f"/sv/register/soker/{profile.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Halmstads kommun söker en partner" in page
    names = [m["name"] for m in response.context["matches"]]
    assert names == ["Roskilde", "Dorpat", "Køge"]
    first = response.context["matches"][0]
    assert first["reasons"] == [
        "Båda vill samarbeta om kultur och utbildning.",
        "Roskilde ligger i Danmark, ett av de länder som söks.",
        "Roskilde söker en partner i Sverige.",
        "Liknande storlek: 55\u00a0000 och 105\u00a0000 invånare.",
        "Båda har vänorter i Gentofte.",
    ]
    assert first["url"] == f"/sv/register/soker/{seekers['roskilde'].pk}/"
    koge = response.context["matches"][2]
    assert koge["url"] == f"/sv/register/ort/{seekers['koge'].pk}/"
    assert koge["reasons"][-1] == "Båda har vänorter i Gentofte."
    english = client.get(f"/en/register/seeking/{profile.pk}/")
    assert english.context["matches"][0]["reasons"][-1] == "Both are twinned with Gentofte."
    assert "Both want to work on culture and education." in text(english)
    # Gentofte, Halmstad's partner, is never proposed; nor are Swedish places.
    assert "Gentofte</a>" not in english.content.decode().split("matches-heading")[1]
    # The other way round: Roskilde's page proposes Halmstad, because of Gentofte.
    back = client.get(f"/en/register/seeking/{seekers['roskilde'].pk}/")
    assert back.context["matches"][0]["name"] == "Halmstad Municipality"
    assert "Both are twinned with Gentofte." in back.context["matches"][0]["reasons"]


def test_the_matching_page_makes_a_fixed_number_of_queries(client, demo, seekers):
    profile = halmstad_profile(demo)
    client.get(f"/sv/register/soker/{profile.pk}/")  # warm the caches of the process
    with CaptureQueriesContext(connection) as few:
        client.get(f"/sv/register/soker/{profile.pk}/")
    gentofte = seekers["gentofte"]
    for n in range(30):
        town = Place.objects.create(name=f"Town {n}", country="DK")
        pair(town, gentofte)
        other = foreign(f"Seeker{n}", "FI", theme_codes=["kultur"], population=1000 * n + 1)
        pair(other.place, town)
    Relation.objects.create(organisation=demo, partner=Place.objects.get(name="Town 0"),
                            is_published=True)  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/sv/register/soker/{profile.pk}/")
    assert len(response.context["matches"]) == matching.LIMIT
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with CaptureQueriesContext(connection) as listing:
        client.get("/sv/register/soker/")
    assert len(listing) <= 8


def test_an_expired_or_unpublished_profile_disappears(client, demo, seekers):
    profile = halmstad_profile(demo)
    hidden = halmstad_profile(demo, is_published=False)
    assert client.get(f"/sv/register/soker/{hidden.pk}/").status_code == 404
    assert "Halmstads kommun" in text(client.get("/sv/register/soker/"))
    with time_machine.travel("2026-07-10 23:00 +02:00", tick=False):  # its last day
        assert client.get(f"/sv/register/soker/{profile.pk}/").status_code == 200
    with time_machine.travel("2026-07-11 08:00 +02:00", tick=False):
        assert client.get(f"/sv/register/soker/{profile.pk}/").status_code == 404
        page = text(client.get("/sv/register/soker/"))
        assert "Halmstads kommun" not in page and "2 kommuner söker en partner" in page
        # and it is no longer proposed to the others
        roskilde = client.get(f"/sv/register/soker/{seekers['roskilde'].pk}/")
        [halmstad] = roskilde.context["matches"]  # now as a place, through Gentofte
        assert halmstad["name"] == "Halmstads kommun" and not halmstad["is_profile"]
        assert halmstad["url"] == f"/sv/register/ort/{demo.place.pk}/"


def test_a_reminder_goes_out_once_before_the_profile_expires(demo, alice, seekers, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    profile = halmstad_profile(demo)  # valid until 2026-07-10: in 22 days
    PartnerProfile.objects.filter(pk=seekers["tartu"].pk).update(valid_until=date(2026, 9, 1))
    mail.outbox.clear()
    call_command("send_reminders", "--profile-days", "10", stdout=io.StringIO())
    assert not [m for m in mail.outbox if "profil" in m.subject]  # 22 days: not yet
    call_command("send_reminders", stdout=io.StringIO())  # 30 days by default
    sent = [m for m in mail.outbox if "partnerprofil" in m.subject]
    assert len(sent) == 1
    assert sorted(sent[0].to) == ["alice@example.org", "anna@halmstad.example"]
    assert "2026-07-10" in sent[0].subject and "om 22 dagar" in sent[0].body
    assert f"/sv/register/soker/{profile.pk}/" in sent[0].body
    profile.refresh_from_db()
    assert profile.reminder_sent_for == date(2026, 7, 10)
    mail.outbox.clear()
    call_command("send_reminders", stdout=io.StringIO())
    assert not [m for m in mail.outbox if "profil" in m.subject]  # sent once
    # Extended, then close to the new date: reminded again.
    PartnerProfile.objects.filter(pk=profile.pk).update(valid_until=date(2026, 7, 15))
    call_command("send_reminders", stdout=io.StringIO())
    assert len([m for m in mail.outbox if "partnerprofil" in m.subject]) == 1
    # A foreign profile's contact hears in English.
    PartnerProfile.objects.filter(pk=seekers["roskilde"].pk).update(valid_until=date(2026, 7, 1))
    mail.outbox.clear()
    call_command("send_reminders", stdout=io.StringIO())
    [english] = mail.outbox
    assert english.to == ["roskilde@example.org"] and "partner profile expires" in english.subject


def test_the_command_line_sends_the_profile_reminder(tmp_path, settings):
    """`vanort send-reminders` as a process, against a database file of its own."""
    database = tmp_path / "vanort.sqlite3"
    env = {
        "PATH": "/usr/bin:/bin",
        "VANORT_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{database}",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "VANORT_NATIONAL": "true",
    }
    vanort = [sys.executable, "-m", "django"]
    env["DJANGO_SETTINGS_MODULE"] = "vanort.settings"
    run = lambda *args: subprocess.run(  # noqa: E731
        [*vanort, *args], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )
    assert run("migrate", "--no-input").returncode == 0
    script = (
        "from datetime import date, timedelta;"
        "from register.models import Place;"
        "from national.models import PartnerProfile;"
        "p = Place.objects.create(name='Tartu', country='EE');"
        "PartnerProfile.objects.create(place=p, contact_name='T', contact_email='t@example.org',"
        " valid_until=date.today() + timedelta(5), is_published=True)"
    )
    assert run("shell", "-c", script).returncode == 0
    first = run("send_reminders", "--dry-run")
    assert "would remind 1 address" in first.stdout
    sent = run("send_reminders")
    assert sent.returncode == 0, sent.stderr
    assert "1 partner profile reminder(s) sent." in sent.stdout
    again = run("send_reminders")
    assert "0 partner profile reminder(s) sent." in again.stdout
    assert len(list((tmp_path / "mail").iterdir())) == 1
    assert run("send_reminders", "--profile-days", "-1").returncode != 0
