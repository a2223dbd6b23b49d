"""A Swedish-speaking reader's check, written down (issue 15): the exact sentences the
public page writes from the register (register/prose.py), in Swedish and English, for
each kind of relation, each tense and each precision of a date; the Halmstad page's
grouping sentence from the demo; one heading outline on every public page; and sources
cited once, each linking to the document it names."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from register import prose
from register.prose import Tie
from tests.test_public_site import ALL_PAGES

KINDS = {
    # code: (sv, sv plural, en, en plural), as the demo's vocabulary has them
    "vanortsavtal": ("vänortsavtal", "vänortsavtal", "twinning agreement", "twinning agreements"),
    "vanortsliknande": (
        "vänortsliknande förbindelse",
        "vänortsliknande förbindelser",
        "twin-town-like relation",
        "twin-town-like relations",
    ),
    "samarbetsavtal": (
        "samarbetsavtal",
        "samarbetsavtal",
        "cooperation agreement",
        "cooperation agreements",
    ),
    "kommunalt-partnerskap": (
        "kommunalt partnerskap",
        "kommunala partnerskap",
        "municipal partnership",
        "municipal partnerships",
    ),
}


def tie(kind: str, lang: str, **values) -> Tie:
    sv, sv_plural, en, en_plural = KINDS[kind]
    where = {"sv": "Island", "en": "Iceland"}[lang]
    return Tie(
        "Dalvík",
        "IS",
        where,
        kind=sv if lang == "sv" else en,
        kind_plural=sv_plural if lang == "sv" else en_plural,
        **values,
    )


# --- each kind, in each tense --------------------------------------------------------------

KIND_SENTENCES = [
    (
        "vanortsavtal",
        "Lunds kommun har sedan 1965 ett vänortsavtal med Dalvík på Island.",
        "Lund Municipality has had a twinning agreement with Dalvík in Iceland since 1965.",
        "Lunds kommun hade mellan 2008 och 2012 ett vänortsavtal med Dalvík på Island.",
        "Lund Municipality had a twinning agreement with Dalvík in Iceland from 2008 to 2012.",
        "Lunds kommun kommer från 2027 att ha ett vänortsavtal med Dalvík på Island.",
        "Lund Municipality will have a twinning agreement with Dalvík in Iceland from 2027.",
    ),
    (
        "vanortsliknande",
        "Lunds kommun har sedan 1965 en vänortsliknande förbindelse med Dalvík på Island.",
        "Lund Municipality has had a twin-town-like relation with Dalvík in Iceland since 1965.",
        "Lunds kommun hade mellan 2008 och 2012 en vänortsliknande förbindelse med Dalvík på "
        "Island.",
        "Lund Municipality had a twin-town-like relation with Dalvík in Iceland from 2008 to 2012.",
        "Lunds kommun kommer från 2027 att ha en vänortsliknande förbindelse med Dalvík på Island.",
        "Lund Municipality will have a twin-town-like relation with Dalvík in Iceland from 2027.",
    ),
    (
        "samarbetsavtal",
        "Lunds kommun har sedan 1965 ett samarbetsavtal med Dalvík på Island.",
        "Lund Municipality has had a cooperation agreement with Dalvík in Iceland since 1965.",
        "Lunds kommun hade mellan 2008 och 2012 ett samarbetsavtal med Dalvík på Island.",
        "Lund Municipality had a cooperation agreement with Dalvík in Iceland from 2008 to 2012.",
        "Lunds kommun kommer från 2027 att ha ett samarbetsavtal med Dalvík på Island.",
        "Lund Municipality will have a cooperation agreement with Dalvík in Iceland from 2027.",
    ),
    (
        "kommunalt-partnerskap",
        "Lunds kommun har sedan 1965 ett kommunalt partnerskap med Dalvík på Island.",
        "Lund Municipality has had a municipal partnership with Dalvík in Iceland since 1965.",
        "Lunds kommun hade mellan 2008 och 2012 ett kommunalt partnerskap med Dalvík på Island.",
        "Lund Municipality had a municipal partnership with Dalvík in Iceland from 2008 to 2012.",
        "Lunds kommun kommer från 2027 att ha ett kommunalt partnerskap med Dalvík på Island.",
        "Lund Municipality will have a municipal partnership with Dalvík in Iceland from 2027.",
    ),
]


@pytest.mark.parametrize(
    ("kind", "active_sv", "active_en", "ended_sv", "ended_en", "upcoming_sv", "upcoming_en"),
    KIND_SENTENCES,
)
def test_each_kind_in_each_tense(
    kind, active_sv, active_en, ended_sv, ended_en, upcoming_sv, upcoming_en
):
    def say(lang, **values):
        name = "Lunds kommun" if lang == "sv" else "Lund Municipality"
        return prose.ties_sentence(name, [tie(kind, lang, **values)], lang)

    assert say("sv", since="1965") == active_sv
    assert say("en", since="1965") == active_en
    assert say("sv", since="2008", until="2012", status="ended") == ended_sv
    assert say("en", since="2008", until="2012", status="ended") == ended_en
    assert say("sv", since="2027", status="upcoming") == upcoming_sv
    assert say("en", since="2027", status="upcoming") == upcoming_en


# --- each precision of a date ---------------------------------------------------------------

PRECISIONS = [
    # EDTF, since (sv), since (en), when (sv), when (en)
    ("2019", "sedan 2019", "since 2019", "År 2019", "In 2019"),
    ("199X", "sedan 1990-talet", "since the 1990s", "Under 1990-talet", "In the 1990s"),
    ("2009~", "sedan cirka 2009", "since about 2009", "Omkring 2009", "Around 2009"),
    ("[..2009]", "sedan åtminstone 2009", "since at least 2009", "Senast 2009", "By 2009"),
    (
        "2010-10-05",
        "sedan den 5 oktober 2010",
        "since 5 October 2010",
        "Den 5 oktober 2010",
        "On 5 October 2010",
    ),
    ("2010-10", "sedan oktober 2010", "since October 2010", "I oktober 2010", "In October 2010"),
]


@pytest.mark.parametrize(("edtf", "since_sv", "since_en", "when_sv", "when_en"), PRECISIONS)
def test_each_precision_of_a_start(edtf, since_sv, since_en, when_sv, when_en):
    sv = prose.ties_sentence("Halmstads kommun", [tie("samarbetsavtal", "sv", since=edtf)], "sv")
    en = prose.ties_sentence(
        "Halmstad Municipality", [tie("samarbetsavtal", "en", since=edtf)], "en"
    )
    assert sv == f"Halmstads kommun har {since_sv} ett samarbetsavtal med Dalvík på Island."
    assert en == (
        f"Halmstad Municipality has had a cooperation agreement with Dalvík in Iceland {since_en}."
    )


@pytest.mark.parametrize(("edtf", "since_sv", "since_en", "when_sv", "when_en"), PRECISIONS)
def test_each_precision_of_an_activity(edtf, since_sv, since_en, when_sv, when_en):
    sv = prose.activity_sentence("utbyte", edtf, "sv", partners=["Asti", "Moshi"])
    en = prose.activity_sentence("exchange", edtf, "en", partners=["Asti", "Moshi"])
    assert sv == f"{when_sv} genomfördes ett utbyte med Asti och Moshi."
    assert en == f"{when_en}, an exchange with Asti and Moshi took place."


def test_an_uncertain_date_says_so():
    assert prose.since_phrase("2010?", "sv") == "sedan 2010 (osäkert)"
    assert prose.when_phrase("2010?", "en") == "in 2010 (uncertain)"
    assert prose.when_phrase("2008/2010", "sv") == "mellan 2008 och 2010"
    assert prose.when_phrase("2008/2010", "en") == "between 2008 and 2010"


# --- an agreement's term, in the tense of its status ----------------------------------------

TERMS = [
    # status, start, end, term, Swedish, English
    (
        "active",
        "2019",
        "",
        None,
        "Samarbetsavtalet har gällt sedan 2019.",
        "The cooperation agreement has been in force since 2019.",
    ),
    (
        "active",
        "2019",
        "2023",
        48,
        "Samarbetsavtalet har gällt sedan 2019 och gäller i fyra år, till 2023.",
        "The cooperation agreement has been in force since 2019 and runs for four years, "
        "until 2023.",
    ),
    (
        "ended",
        "2008",
        "2012",
        48,
        "Samarbetsavtalet gällde i fyra år, från 2008 till 2012.",
        "The cooperation agreement was in force for four years, from 2008 to 2012.",
    ),
    (
        "ended",
        "2008",
        "2012",
        None,
        "Samarbetsavtalet gällde från 2008 till 2012.",
        "The cooperation agreement was in force from 2008 to 2012.",
    ),
    (
        "upcoming",
        "2027",
        "",
        None,
        "Samarbetsavtalet gäller från 2027.",
        "The cooperation agreement will be in force from 2027.",
    ),
    (
        "upcoming",
        "2027",
        "2031",
        48,
        "Samarbetsavtalet gäller från 2027 i fyra år, till 2031.",
        "The cooperation agreement will be in force for four years, from 2027 to 2031.",
    ),
]


@pytest.mark.parametrize(("status", "start", "end", "term", "sv", "en"), TERMS)
def test_an_agreements_term_in_the_tense_of_its_status(status, start, end, term, sv, en):
    values = {"status": status, "start": start, "end": end, "term_months": term}
    assert prose.agreement_sentence("samarbetsavtal", "sv", **values) == sv
    assert prose.agreement_sentence("cooperation agreement", "en", **values) == en
    assert "gäller i" not in sv or status != "ended"  # never "Avslutat · gäller i fyra år"


def test_each_kind_is_the_subject_of_its_own_sentence():
    ended = {"status": "ended", "start": "2008", "end": "2012", "term_months": 48}
    assert prose.agreement_sentence("kommunalt partnerskap", "sv", **ended) == (
        "Partnerskapet gällde i fyra år, från 2008 till 2012."
    )
    assert prose.agreement_sentence("municipal partnership", "en", **ended) == (
        "The municipal partnership was in force for four years, from 2008 to 2012."
    )
    assert prose.agreement_sentence("vänortsavtal", "sv", status="active", start="1965") == (
        "Vänortsavtalet har gällt sedan 1965."
    )
    relation = {"status": "active", "start": "199X"}
    assert prose.agreement_sentence("vänortsliknande förbindelse", "sv", **relation) == (
        "Förbindelsen har funnits sedan 1990-talet."
    )
    assert prose.agreement_sentence("twin-town-like relation", "en", **relation) == (
        "The twin-town-like relation has existed since the 1990s."
    )
    signed = {"status": "active", "start": "2009", "has_duration": False}
    assert prose.agreement_sentence("avsiktsförklaring", "sv", **signed) == (
        "Avsiktsförklaringen undertecknades år 2009."
    )
    assert prose.agreement_sentence("letter of intent", "en", **signed) == (
        "The letter of intent was signed in 2009."
    )


# --- activities with their figures ----------------------------------------------------------


def test_an_activity_is_told_with_its_figures():
    meeting = prose.activity_sentence("medborgarmöte", "2023-05", "sv", partners=["Asti"])
    assert f"{meeting} {prose.participants_sentence('sv', 40, True)}" == (
        "I maj 2023 hölls ett medborgarmöte med Asti. Cirka 40 personer deltog."
    )
    meeting = prose.activity_sentence("citizens' meeting", "2023-05", "en", partners=["Asti"])
    assert f"{meeting} {prose.participants_sentence('en', 40, True)}" == (
        "In May 2023, a citizens' meeting with Asti was held. About 40 people took part."
    )
    assert prose.participants_sentence("sv", 100, True, 80, True) == (
        "Ett 100-tal personer deltog, varav cirka 80 ungdomar."
    )
    assert prose.participants_sentence("en", 100, True, 80, True) == (
        "About 100 people took part, of whom about 80 were young people."
    )
    assert prose.participants_sentence("sv", 1) == "1 person deltog."
    assert prose.participants_sentence("en", None, False, 12) == "12 young people took part."
    assert prose.activity_sentence(
        "konferens", "2031-05", "sv", place="på Island", themes=["kultur"], upcoming=True
    ) == ("I maj 2031 hålls en konferens på Island kring kultur.")
    assert prose.activity_sentence("conference", "2031-05", "en", upcoming=True) == (
        "In May 2031, a conference will be held."
    )


# --- grouped: partners by country, several kinds and tenses in one sentence ------------------


def test_partners_in_one_country_share_it_and_tenses_are_joined():
    oulu = Tie("Oulu", "FI", "Finland", kind="samarbetsavtal", kind_plural="samarbetsavtal")
    tampere = Tie(
        "Tammerfors", "FI", "Finland", kind="samarbetsavtal", kind_plural="samarbetsavtal"
    )
    moshi = Tie(
        "Moshi",
        "TZ",
        "Tanzania",
        kind="kommunalt partnerskap",
        kind_plural="kommunala partnerskap",
        since="2008",
        until="2012",
        status="ended",
    )
    assert prose.ties_sentence("Halmstads kommun", [oulu, tampere, moshi], "sv") == (
        "Halmstads kommun har samarbetsavtal med Oulu och Tammerfors i Finland och hade "
        "mellan 2008 och 2012 ett kommunalt partnerskap med Moshi i Tanzania."
    )
    asti = Tie("Asti", "IT", "Italien", region="Piemonte", since="[..2009]")
    assert prose.ties_sentence("Halmstads kommun", [asti], "sv") == (
        "Halmstads kommun samarbetar sedan åtminstone 2009 med Asti i regionen Piemonte i Italien."
    )


# --- the Halmstad page, from the demo -------------------------------------------------------

GROUPING = {
    "sv": "Halmstads kommun har sedan 1940-talet samarbetsavtal med Gentofte i Danmark och "
    "Hangö i Finland och sedan 1990-talet en vänortsliknande förbindelse med Stord i Norge.",
    "en": "Halmstad Municipality has had cooperation agreements with Gentofte in Denmark and "
    "Hanko in Finland since the 1940s and a twin-town-like relation with Stord in Norway "
    "since the 1990s.",
}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_halmstad_grouping_sentence_is_written_from_the_demo(client, demo, lang):
    from django.utils import translation

    from public.pages import build_page

    with translation.override(lang):
        page = build_page("halmstad", lang)
    nordic = next(section for section in page.sections if section.key == "nordic")
    assert nordic.sentence == GROUPING[lang]
    html = client.get(f"/{lang}/halmstad/").content.decode()
    assert f'<p class="section-sentence">{GROUPING[lang]}<sup' in html


def test_a_changed_start_changes_the_sentence(client, demo):
    from register.models import Agreement

    stord = Agreement.objects.get(relation__partner__name="Stord")
    stord.start = "1992~"
    stord.save()
    html = client.get("/sv/halmstad/").content.decode()
    assert "och sedan cirka 1992 en vänortsliknande förbindelse med Stord i Norge." in html


# --- one heading outline, no region announced twice ------------------------------------------


class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.labelled: list[tuple[str, str]] = []  # (tag, aria-labelledby or aria-label)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("section", "article") and ("aria-label" in attrs or "aria-labelledby" in attrs):
            self.labelled.append((tag, attrs.get("aria-label") or attrs["aria-labelledby"]))
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        if "id" in attrs:
            self.ids.add(attrs["id"])


def outline_of(client, url) -> Outline:
    response = client.get(url)
    assert response.status_code == 200, url
    outline = Outline()
    outline.feed(response.content.decode())
    return outline


@pytest.mark.parametrize("url", ALL_PAGES)
def test_every_public_page_has_one_heading_outline(client, demo, url):
    headings = outline_of(client, url).headings
    assert headings[0] == 1 and headings.count(1) == 1, (url, headings)
    for previous, current in zip(headings, headings[1:], strict=False):
        assert current <= previous + 1, f"{url}: h{previous} is followed by h{current}"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_overview_is_h1_then_h2_per_partner_then_h3_per_agreement(client, demo, lang):
    html = client.get(f"/{lang}/halmstad/").content.decode()
    sections = re.findall(r'<section class="partner-section".*?</section>', html, re.S)
    assert len(sections) == 3
    for section in sections:
        assert "<article" not in section  # one region per partner, not a region and an article
        assert len(re.findall(r"<h2", section)) == 1
        assert not re.search(r"<h[4-6]", section)
    asti = sections[0]
    assert re.findall(r"<h3[^>]*>(.*?)</h3>", asti) == [
        {"sv": "Avsiktsförklaring, 2009", "en": "Letter of intent, 2009"}[lang],
        {
            "sv": "<span>Medborgarmöte med Asti</span>",
            "en": "<span>Citizens&#x27; meeting with Asti</span>",
        }[lang],
    ]


# --- sources: numbered once, each linking to the document it names ---------------------------


@pytest.mark.parametrize("url", ALL_PAGES[:5] + ALL_PAGES[8:13])
def test_sources_are_cited_by_number_and_link_to_their_own_url(client, demo, url):
    from register.demo import SEED_URL

    html = client.get(url).content.decode()
    outline = Outline()
    outline.feed(html)
    references = re.search(r'<section class="references".*?</section>', html, re.S)
    assert references, f"{url}: no numbered sources at the foot"
    items = re.findall(r'<li id="(source-\d+)">(.*?)</li>', references.group(0), re.S)
    assert [item_id for item_id, _ in items] == ["source-1"]  # the demo cites one source
    links = re.findall(r'<a href="([^"]+)"', items[0][1])
    assert links == [SEED_URL]  # the page the source names, not the site's home page
    cited = [href for href in outline.hrefs if href.startswith("#source-")]
    assert cited and all(href[1:] in outline.ids for href in cited)
    main = html.split("<main", 1)[1].split("</main>")[0]
    assert main.count("Vänorter och samarbetsstäder – Halmstads kommun") == 1  # listed once


@pytest.mark.parametrize("url", ALL_PAGES)
def test_no_internal_name_on_a_public_page(client, demo, url):
    text = client.get(url).content.decode()
    for internal in ("shared/seeds", "(shared/", 'section-nordic">', "relation-"):
        assert internal not in re.sub(r'(id|aria-labelledby)="[^"]*"', "", text), (url, internal)


def test_activities_in_their_sentences_take_no_query_each(client, demo):
    """The overview names each activity's partners and host country without a query per
    activity (what it reads is prefetched with the relations)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from register.models import Activity, ActivityKind, Relation

    def queries() -> int:
        from django.core.cache import caches

        caches["responses"].clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/sv/halmstad/").status_code == 200
        return len(captured)

    asti = Relation.objects.get(partner__name="Asti")
    kind = ActivityKind.objects.get(code="besok")
    Activity.objects.create(
        organisation=demo, kind=kind, date="2024-05", host_country="IT", is_published=True
    ).relations.set([asti])
    one = queries()
    for month in range(1, 9):
        Activity.objects.create(
            organisation=demo,
            kind=kind,
            date=f"2025-0{month}",
            host_country="IS",
            is_published=True,
        ).relations.set([asti])
    assert queries() == one
    html = client.get("/sv/halmstad/").content.decode()
    assert "I maj 2024 genomfördes ett besök med Asti i Italien." in html
    assert "I mars 2025 genomfördes ett besök med Asti på Island." in html
