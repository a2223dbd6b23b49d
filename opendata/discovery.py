"""What a public page advertises in its <head>: the API and the exports of what it shows
(<link rel="alternate">), the OpenAPI document (<link rel="service-desc">, RFC 8631) and
the organisation as schema.org JSON-LD. Built from what the page already fetched."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from opendata.exports import Register, jsonld_text


@dataclass(frozen=True)
class Alternate:
    media_type: str
    href: str
    title: str


def alternates(slug: str | None) -> list[Alternate]:
    """The exports of an organisation's data (of the installation's, without a slug)."""
    return list(_alternates(slug, get_script_prefix()))


@lru_cache(maxsize=256)
def _alternates(slug: str | None, script_prefix: str) -> tuple[Alternate, ...]:
    # Kept per address (the titles are lazy, translated when shown): every page's <head>
    # and its "Open data" section ask, and reversing the six addresses took 0.2 ms.
    if slug is None:
        return (
            Alternate(
                "application/json", reverse("api:list_organisations"), _("Organisations (JSON)")
            ),
        )
    relations = reverse("api:list_relations") + "?" + urlencode({"organisation": slug})

    def export(name: str) -> str:
        return reverse(f"api:{name}", kwargs={"slug": slug})

    return (
        Alternate("application/json", relations, _("Relations (JSON)")),
        Alternate("text/csv", export("relations_csv"), _("Relations (CSV)")),
        Alternate(
            "text/csv", export("relations_excel_csv"), _("Relations (CSV for Swedish Excel)")
        ),
        Alternate("application/geo+json", export("relations_geojson"), _("Map data (GeoJSON)")),
        Alternate("text/calendar", export("calendar_ics"), _("Calendar (iCalendar)")),
    )


def head_context(context) -> dict:
    """For opendata/head_links.html, from a page's context: its `page` (the public
    organisation page's data) if there is one."""
    request = context.get("request")
    page = context.get("page")
    organisation = getattr(page, "organisation", None)
    data = {
        "service_desc": reverse("api:openapi-json"),
        "api_docs": reverse("api:openapi-view"),
        "dcat": reverse("dcat"),
        "alternates": alternates(organisation.slug if organisation else None),
        "jsonld": "",
    }
    relation = context.get("relation")
    if relation is not None and getattr(relation, "pk", None):
        # A partner's page: its relation first, then the organisation's exports.
        href = reverse("api:get_relation", kwargs={"relation_id": relation.pk})
        data["alternates"].insert(0, Alternate("application/json", href, _("Relation (JSON)")))
    if context.get("activities") is not None and organisation is not None:
        href = reverse("api:list_activities") + "?" + urlencode({"organisation": organisation.slug})
        data["alternates"].insert(0, Alternate("application/json", href, _("Activities (JSON)")))
    if organisation is not None and request is not None:
        relations = getattr(page, "relations", None) or [
            rel for section in page.sections for rel in section.relations
        ]
        register = Register(organisation, relations, [])
        data["jsonld"] = jsonld_text(register, request.build_absolute_uri("/"))
    return data
