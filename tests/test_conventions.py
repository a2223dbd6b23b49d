"""The page's conventions (issue 15): an international phone number on the English page,
a visible open-data section, a privacy page linked from every footer, and "på Island"."""

from __future__ import annotations

import re

import pytest

from register.models import Place, Relation

pytestmark = pytest.mark.django_db  # the demo alone does not make pytest-django set up a DB


def test_it_writes_the_phone_number_internationally_on_the_english_page(client, demo):
    for url in ("/en/halmstad/contact/", "/en/halmstad/accessibility/"):
        en = client.get(url).content.decode()
        body = re.sub(r"<script\b.*?</script>", "", en.split("</head>", 1)[1], flags=re.S)
        assert '<a href="tel:+4635137000">+46 35 13 70 00</a>' in body
        assert "035-13 70 00" not in body  # the JSON-LD keeps the register's own text
    sv = client.get("/sv/halmstad/kontakt/").content.decode()
    assert '<a href="tel:+4635137000">035-13 70 00</a>' in sv


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_it_links_every_open_data_format_and_the_api_in_a_visible_section(client, demo, lang):
    page = client.get(f"/{lang}/halmstad/").content.decode()
    head, body = page.split("</head>", 1)
    heading = "Öppna data" if lang == "sv" else "Open data"
    section = re.search(r'<section class="open-data".*?</section>', body, flags=re.S)
    assert section and f">{heading}</h2>" in section.group(0)
    links = set(re.findall(r'<a href="([^"]+)"', section.group(0)))
    advertised = set(re.findall(r'<link rel="alternate" type="[^"]+" href="([^"]+)"', head))
    assert advertised and advertised <= links  # the <head>'s list, visible
    for url in (
        "/api/organisations/halmstad/relations.csv",
        "/api/organisations/halmstad/relations.geojson",
        "/api/organisations/halmstad/calendar.ics",
        "/api/organisations/halmstad/jsonld",
        "/api/organisations/halmstad/register.json",
    ):
        assert url in links, url
        assert client.get(url).status_code == 200, url
    docs = re.search(r'<link rel="service-doc" type="text/html" href="([^"]+)"', head).group(1)
    assert docs in links


@pytest.mark.parametrize(
    "lang, url, heading",
    [
        ("sv", "/sv/halmstad/personuppgifter/", "Personuppgifter och kakor"),
        ("en", "/en/halmstad/privacy/", "Privacy and cookies"),
    ],
)
def test_it_says_what_it_stores_on_a_privacy_page_linked_from_the_footer(
    client, demo, lang, url, heading
):
    for page in (f"/{lang}/halmstad/", url):
        footer = client.get(page).content.decode().split('<footer class="site-footer">')[1]
        assert f'<a href="{url}">{heading}</a>' in footer
    text = client.get(url).content.decode()
    assert f"<h1>{heading}</h1>" in text
    for word in ("csrftoken", "sessionid"):
        assert f"<dt>{word}</dt>" in text
    if lang == "sv":
        for words in ("ingen spårning", "Misslyckade inloggningsförsök", "e-postadress"):
            assert words in text, words
    else:
        for words in ("no tracking", "Failed sign-in attempts", "e-mail address"):
            assert words in text, words


@pytest.mark.parametrize(
    "code, sv, en",
    [
        # the section's sentence (register/prose.py) names the partner with its country
        ("IS", "med Dalvík på Island.", "with Dalvík in Iceland."),
        ("CY", "med Dalvík på Cypern.", "with Dalvík in Cyprus."),
        ("MT", "med Dalvík på Malta.", "with Dalvík in Malta."),
        ("DK", "med Dalvík i Danmark.", "with Dalvík in Denmark."),
    ],
)
def test_it_writes_pa_before_island_countries_in_swedish(client, demo, code, sv, en):
    place = Place.objects.create(name="Dalvík", country=code, latitude=65.97, longitude=-18.53)
    Relation.objects.create(organisation=demo, partner=place, order=99, is_published=True)
    assert sv in client.get("/sv/halmstad/").content.decode()
    assert en in client.get("/en/halmstad/").content.decode()
