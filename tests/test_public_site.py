"""The public site beyond the overview: both languages, partner pages, activities, contact,
the accessibility statement and its feedback form, the map, "open now", share tags."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from public.models import AccessibilityFeedback
from register.models import Agreement, AgreementKind, Place, Relation

PAGES = {
    "sv": [
        "/sv/halmstad/",
        "/sv/halmstad/vanorter/asti/",
        "/sv/halmstad/vanorter/moshi/",
        "/sv/halmstad/vanorter/hanko/",
        "/sv/halmstad/aktiviteter/",
        "/sv/halmstad/kontakt/",
        "/sv/halmstad/tillganglighet/",
        "/sv/halmstad/personuppgifter/",
    ],
    "en": [
        "/en/halmstad/",
        "/en/halmstad/partners/asti/",
        "/en/halmstad/partners/moshi/",
        "/en/halmstad/partners/hanko/",
        "/en/halmstad/activities/",
        "/en/halmstad/contact/",
        "/en/halmstad/privacy/",
        "/en/halmstad/accessibility/",
    ],
}
ALL_PAGES = PAGES["sv"] + PAGES["en"]


def text_of(html: str) -> str:
    """The text a reader meets: tags dropped, white space folded."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return text.replace(" .", ".").replace(" ,", ",")


@pytest.mark.parametrize("url", ALL_PAGES)
def test_every_public_page_is_served_in_its_language(client, demo, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    lang = url[1:3]
    assert f'<html lang="{lang}">' in html
    assert "Halmstads kommun" in html if lang == "sv" else "Halmstad Municipality" in html
    # hreflang for both languages and x-default, and a switcher link to the other one
    assert html.count('<link rel="alternate" hreflang=') == 3
    other = "en" if lang == "sv" else "sv"
    switch = re.search(rf'<a href="(/{other}/[^"]*)" hreflang="{other}" lang="{other}">', html)
    assert switch and client.get(switch.group(1)).status_code == 200
    # footer links to the accessibility statement on every page
    assert ("Tillgänglighetsredogörelse" if lang == "sv" else "Accessibility statement") in html


@pytest.mark.parametrize("url", ALL_PAGES)
def test_no_inline_script_or_style_and_no_third_party_resource(client, demo, url):
    html = client.get(url).content.decode()
    for script in re.findall(r"<script([^>]*)>", html):
        assert 'src="/static/' in script or re.search(r'type="application/(ld\+)?json"', script), (
            script
        )
    assert " style=" not in html and "<style" not in html
    for resource in re.findall(r'<(?:link|script|img)[^>]+(?:href|src)="([^"]+)"', html):
        if 'rel="alternate"' in resource or "canonical" in resource:
            continue
        assert not resource.startswith("//")
    for tag in re.findall(r"<(?:script|img|iframe)[^>]*>", html):
        assert "http" not in tag, tag


def test_the_english_page_shows_the_english_content(client, demo):
    html = client.get("/en/halmstad/").content.decode()
    for fact in (
        "Twin towns and cooperation cities",
        "Halmstad Municipality has twin-town-like relations and cooperation agreements",
        "Halmstad Municipality has cooperated with Asti in the Piemonte region of Italy since "
        "at least 2009.",
        "Halmstad Municipality has had cooperation agreements with Gentofte in Denmark and "
        "Hanko in Finland since the 1940s and a twin-town-like relation with Stord in Norway "
        "since the 1990s.",
        "Municipal partnership, 2008–2012",
        "The municipal partnership was in force for four years, from 2008 to 2012.",
        "Purpose To increase the cooperation.",
        "In October 2010, a citizens' meeting with Asti was held on culture, urban planning, "
        "democracy and sustainable development. About 100 people took part, of whom about 80 "
        "were young people.",
        "Sources",
        "Contact Halmstad Municipality",
        "Monday–Thursday 08:00–17:00",
    ):
        assert fact in html or fact in unescape(text_of(html)), fact
    assert "only in Swedish" not in html


def test_missing_english_content_falls_back_to_swedish_visibly(client, demo):
    Relation.objects.filter(partner__name="Asti").update(description_en="")
    html = client.get("/en/halmstad/partners/asti/").content.decode()
    assert '<p lang="sv">Halmstads kommun samarbetar sedan ett par år tillbaka' in html
    assert "This text is only available in Swedish." in html


def test_a_missing_english_purpose_falls_back_inline_with_its_note(client, demo):
    """The inline form (a <span>, public.templatetags.vanort.localized_text), escaped."""
    agreement = Agreement.objects.exclude(purpose_sv="").filter(is_published=True).first()
    Agreement.objects.filter(pk=agreement.pk).update(purpose_sv='Utbyte & "kultur"', purpose_en="")
    html = client.get("/en/halmstad/").content.decode()
    assert (
        '<span lang="sv">Utbyte &amp; &quot;kultur&quot;</span> '
        '<span class="fallback-note">(only in Swedish)</span>'
    ) in html
    assert (
        "<span>Utbyte &amp; &quot;kultur&quot;</span>"
        in client.get("/sv/halmstad/").content.decode()
    )


def test_a_partner_page_shows_history_agreements_activities_and_sources(client, demo):
    html = text_of(client.get("/sv/halmstad/vanorter/asti/").content.decode())
    for fact in (
        "Asti",
        "Halmstads kommun samarbetar sedan åtminstone 2009 med Asti i regionen Piemonte i Italien.",
        "Avsiktsförklaring, 2009",
        "Avsiktsförklaringen undertecknades år 2009.",
        "Historik",
        "Medborgarmöte med Asti",
        "oktober 2010",
        "Källor",
        "Vänorter och samarbetsstäder – Halmstads kommun",
    ):
        assert fact in html, fact
    moshi = client.get("/sv/halmstad/vanorter/moshi/").content.decode()
    assert "Kommunalt partnerskap, 2008–2012" in text_of(moshi)
    assert 'class="status status-ended"' in moshi


def test_a_partner_pages_history_shows_renewal_and_end(client, demo):
    """The relation's timeline (register/lifecycle.py): the renewed agreement's end is the
    renewal, so the page shows agreement, renewal and the renewal's end."""
    from register.lifecycle import renew
    from register.models import DecidingBody, Decision

    moshi = Relation.objects.get(partner__name="Moshi")
    decision = Decision.objects.create(
        relation=moshi, body=DecidingBody.EXECUTIVE_BOARD, date="2012-02-14", reference="KS 2012/31"
    )
    renew(moshi.agreements.get(), start="2012", decision=decision)
    html = client.get("/sv/halmstad/vanorter/moshi/").content.decode()
    history = text_of(html[html.index('id="history-heading"') :].split("</section>")[0])
    assert re.findall(r"(\d{4}) (\w+):", history) == [
        ("2008", "Avtal"),
        ("2012", "Förnyelse"),
        ("2016", "Slut"),
    ]
    assert "KS 2012/31" in history


def test_an_unknown_partner_is_not_found(client, demo):
    assert client.get("/sv/halmstad/vanorter/atlantis/").status_code == 404


def test_the_activities_list_links_each_activity_to_its_partners(client, demo):
    html = client.get("/sv/halmstad/aktiviteter/").content.decode()
    assert "Medborgarmöte med Asti" in html
    assert 'href="/sv/halmstad/vanorter/asti/"' in html


def test_the_map_is_an_svg_image_with_title_description_and_a_text_list(client, demo):
    """The page shows the map as an image file of its own (issue 15), with a meaningful
    alt, beside the text list of the same places; the file has its title and description."""
    html = client.get("/sv/halmstad/").content.decode()
    assert "<svg" not in html  # no longer inlined
    img = re.search(r'<img src="(/sv/halmstad/karta\.svg)" alt="([^"]+)"', html)
    assert img, "the map is an <img>"
    for name in ("Asti", "Moshi", "Gentofte", "Hangö", "Stord"):
        assert name in img.group(2)
        assert f">{name}</a>" in html  # the text list beside the map
    response = client.get(img.group(1))
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = response.content.decode()
    assert 'role="img"' in svg and 'aria-labelledby="map-title map-desc"' in svg
    assert '<title id="map-title">Karta över Halmstad och dess vänorter</title>' in svg
    desc = re.search(r'<desc id="map-desc">(.*?)</desc>', svg, re.S).group(1)
    for name in ("Asti", "Moshi", "Gentofte", "Hangö", "Stord"):
        assert name in desc and f">{name}</text>" in svg
    assert svg.count("<path") > 20  # country shapes from Natural Earth
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")


@time_machine.travel("2026-06-18 16:59 +0200", tick=False)
def test_open_now_is_right_when_the_page_is_served(client, demo):
    html = text_of(client.get("/sv/halmstad/kontakt/").content.decode())
    assert "Öppet nu. Stänger kl. 17.00" in html


@time_machine.travel("2026-06-19 10:00 +0200", tick=False)
def test_on_midsummer_eve_the_page_says_closed_and_when_it_opens(client, demo):
    html = text_of(client.get("/sv/halmstad/kontakt/").content.decode())
    assert "Stängt nu (midsommarafton). Öppnar måndag kl. 08.00" in html
    english = text_of(client.get("/en/halmstad/contact/").content.decode())
    assert "Closed now (Midsummer Eve). Opens Monday at 08:00" in english


@time_machine.travel("2026-06-15 07:30 +0200", tick=False)
def test_the_phone_line_is_open_while_the_desk_is_closed(client, demo):
    html = client.get("/sv/halmstad/kontakt/").content.decode()
    phone = re.search(r'data-open-line="phone".*?</p>', html, re.S).group(0)
    desk = re.search(r'data-open-line="visitors".*?</p>', html, re.S).group(0)
    assert "Öppet nu" in text_of(phone) and "Stänger kl. 17.00" in text_of(phone)
    assert "Stängt nu" in text_of(desk) and "Öppnar kl. 08.00" in text_of(desk)
    data = json.loads(re.search(r'id="open-now-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["url"] == "/sv/halmstad/open-now.json"
    assert data["lines"]["visitors"][1]["start"] == "2026-06-15T08:00:00+02:00"


def test_open_now_json_answers_for_a_given_moment(client, demo):
    response = client.get("/en/halmstad/open-now.json", {"at": "2026-12-24T10:00:00+01:00"})
    first = response.json()["lines"]["visitors"][0]
    assert first == {
        "start": "2026-12-24T10:00:00+01:00",
        "open": False,
        "words": "Opens Monday at 08:00",
        "closed_day": "Christmas Eve",
    }


@pytest.mark.parametrize("at", ["yesterday", "2026-06-18T16:59"])
def test_open_now_json_refuses_a_bad_moment_and_names_the_field(client, demo, at):
    response = client.get("/sv/halmstad/open-now.json", {"at": at})
    assert response.status_code == 400 and response.json()["error"].startswith("at:")


def test_share_tags_and_links(client, demo):
    html = client.get("/en/halmstad/partners/asti/").content.decode()
    assert '<meta property="og:title" content="Asti – Halmstad Municipality">' in html
    assert '<meta property="og:url" content="http://testserver/en/halmstad/partners/asti/">' in html
    assert '<meta property="og:locale" content="en_GB">' in html
    assert '<meta property="og:locale:alternate" content="sv_SE">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert "https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Ftestserver%2Fen" in html
    assert 'class="web-share"' in html and 'role="status"' in html


def test_the_theme_colour_comes_from_the_record(client, demo):
    demo.colour = "#8a1538"
    demo.save()
    css = client.get("/sv/halmstad/theme.css").content.decode()
    assert "--brand: #8a1538" in css


def test_feedback_is_stored_and_e_mailed(client, demo):
    response = client.post(
        "/sv/halmstad/tillganglighet/",
        {"page": "Kartan", "message": "Kartan går inte att förstora.", "email": "a@example.se"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?sent=1#feedback")
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.organisation == demo and feedback.language == "sv" and feedback.mailed
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["direkt@halmstad.se"]
    assert "Kartan går inte att förstora." in mail.outbox[0].body
    thanks = client.get(response["Location"]).content.decode()
    assert "Tack! Vi har tagit emot din rapport" in thanks


def test_bad_feedback_names_the_field_and_saves_nothing(client, demo):
    response = client.post("/en/halmstad/accessibility/", {"message": "", "email": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_message">Describe the problem, so that we can fix it.' in html
    assert 'href="#id_email">Enter an e-mail address like name@example.se.' in html
    assert not AccessibilityFeedback.objects.exists() and not mail.outbox


def test_the_statement_has_what_digg_requires(client, demo):
    html = text_of(client.get("/sv/halmstad/tillganglighet/").content.decode())
    for part in (
        "Halmstads kommun står bakom tjänsten",
        "delvis förenlig",
        "Innehåll som inte är tillgängligt",
        "självskattning",
        "Senaste bedömningen gjordes den",
        "Redogörelsen uppdaterades senast den",
        "Rapportera brister i tillgängligheten",
    ):
        assert part in html, part
    assert (
        'href="https://www.digg.se/tdosanmalan"'
        in client.get("/sv/halmstad/tillganglighet/").content.decode()
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url", ["/sv/halmstad/vanorter/asti/", "/sv/halmstad/aktiviteter/", "/sv/halmstad/kontakt/"]
)
def test_queries_do_not_grow_with_the_partners(client, demo, url):
    before = _queries(client, url)
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    for number in range(30):
        place = Place.objects.create(
            name=f"Partner {number}", country="DE", latitude=50 + number / 10, longitude=10
        )
        relation = Relation.objects.create(organisation=demo, partner=place, since="2001")
        Agreement.objects.create(relation=relation, kind=kind, start="2001")
    assert _queries(client, url) == before


def test_a_partner_page_does_not_query_per_agreement_or_decision(client, demo):
    from register.models import DecidingBody, Decision

    url = "/sv/halmstad/vanorter/asti/"
    asti = Relation.objects.get(partner__name="Asti")
    kind = AgreementKind.objects.get(code="samarbetsavtal")

    def add_agreements(years):
        for year in years:
            decision = Decision.objects.create(
                relation=asti, body=DecidingBody.EXECUTIVE_BOARD, date=str(year)
            )
            first = Agreement.objects.create(
                relation=asti, kind=kind, start=str(year), term_months=12, decision=decision
            )
            Agreement.objects.create(relation=asti, kind=kind, start=str(year + 1), renews=first)

    add_agreements([2011])
    before = _queries(client, url)
    add_agreements(range(2013, 2040, 2))
    assert _queries(client, url) == before


@pytest.mark.parametrize(
    ("colour", "on_brand"), [("#005a9c", "#ffffff"), ("#ffd200", "#1b1b1b"), ("#8a1538", "#ffffff")]
)
def test_a_light_brand_colour_still_gives_readable_header_and_links(client, demo, colour, on_brand):
    from public.theme import contrast

    demo.colour = colour
    demo.save()
    css = client.get("/sv/halmstad/theme.css").content.decode()
    assert f"--brand: {colour};" in css and f"--on-brand: {on_brand};" in css
    link = re.search(r"--brand-text: (#[0-9a-f]{6});", css).group(1)
    assert contrast(link, "#ffffff") >= 4.5 and contrast(on_brand, colour) >= 4.5
