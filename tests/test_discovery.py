"""Public pages advertise the API, the exports of what they show and the OpenAPI
document in their <head>, and carry the organisation as JSON-LD, so that a client needs
no documentation to find them; the JSON-LD data block works under the site's CSP."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from pyld import jsonld

CHROMIUM = "/usr/bin/chromium"


class HeadReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.scripts, self._script = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        if tag == "script":
            self._script = attrs.get("type", "")
            self.scripts.append([self._script, ""])

    def handle_data(self, data):
        if self._script is not None:
            self.scripts[-1][1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def read_head(client, url: str) -> HeadReader:
    response = client.get(url)
    assert response.status_code == 200
    reader = HeadReader()
    reader.feed(response.content.decode())
    return reader


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_it_advertises_the_api_and_every_export_of_the_page(client, demo, lang):
    head = read_head(client, f"/{lang}/halmstad/")
    alternates = {
        link["type"]: link["href"]
        for link in head.links
        if link.get("rel") == "alternate" and "type" in link
    }
    assert {"application/json", "text/csv", "application/geo+json", "text/calendar"} <= set(
        alternates
    )
    (service_desc,) = [link for link in head.links if link.get("rel") == "service-desc"]
    # Each advertised address answers with what it says it is.
    document = client.get(service_desc["href"])
    assert document.json()["openapi"].startswith("3.1")
    for media_type, href in alternates.items():
        response = client.get(href)
        assert response.status_code == 200, href
        assert response["Content-Type"].startswith(media_type), href
    assert client.get(alternates["application/json"]).json()["count"] == 5


def test_every_public_page_advertises_its_data(client, demo):
    from tests.test_public_site import ALL_PAGES

    wanted = {"application/json", "text/csv", "application/geo+json", "text/calendar"}
    for url in ALL_PAGES:
        head = read_head(client, url)
        types = {link.get("type") for link in head.links if link.get("rel") == "alternate"}
        assert wanted <= types, url
        assert any(link.get("rel") == "service-desc" for link in head.links), url
        assert [kind for kind, _ in head.scripts].count("application/ld+json") == 1, url
        if "/asti/" in url:  # a partner's page leads to its relation first
            first = next(link for link in head.links if link.get("type") == "application/json")
            assert client.get(first["href"]).json()["partner"]["name"] == "Asti"


def test_it_embeds_the_organisation_as_json_ld(client, demo):
    head = read_head(client, "/sv/halmstad/")
    (block,) = [text for kind, text in head.scripts if kind == "application/ld+json"]
    data = json.loads(block)
    expanded = jsonld.expand(data, {"documentLoader": lambda url, options=None: None})
    assert expanded[0]["@type"] == ["https://schema.org/GovernmentOrganization"]
    assert expanded[0]["https://schema.org/name"][0]["@value"] == "Halmstads kommun"


def test_it_adds_no_query_per_partner_to_the_public_page(client, demo):
    """The links and the JSON-LD are built from what the page fetched anyway."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.test_api import _more_relations

    with CaptureQueriesContext(connection) as before:
        client.get("/sv/halmstad/")
    _more_relations(demo, 10)
    with CaptureQueriesContext(connection) as after:
        client.get("/sv/halmstad/")
    assert len(after) == len(before)


def test_it_escapes_the_json_ld_so_no_text_can_close_the_script(client, demo):
    demo.name_sv = "Halmstad </script><script>alert(1)</script>"
    demo.save()
    head = read_head(client, "/sv/halmstad/")
    (block,) = [text for kind, text in head.scripts if kind == "application/ld+json"]
    organisation = json.loads(block)["@graph"][0]
    assert organisation["name"] == demo.name_sv
