"""What the open data is published under, and its DCAT-AP-SE catalogue (RDF/XML at
/datasets/dcat) for dataportal.se to harvest."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from opendata.http import conditional

# The registers are the organisations' own public records: CC0, as DIGG recommends for
# Swedish public-sector open data. The pairs reported by Wikipedia contributors keep
# their licence, CC BY-SA 4.0.
LICENSE_NAME = "CC0 1.0 Universal (reported pairs: CC BY-SA 4.0)"
LICENSE_URI = "http://creativecommons.org/publicdomain/zero/1.0/"
PAIRS_LICENSE_URI = "https://creativecommons.org/licenses/by-sa/4.0/"

IANA = "https://www.iana.org/assignments/media-types/"

# (path under the organisation, media type, EU file type, title)
ORGANISATION_DISTRIBUTIONS = [
    ("relations", "application/json", "JSON", "Relations (JSON)"),
    ("relations.csv", "text/csv", "CSV", "Relations (CSV)"),
    ("relations.geojson", "application/geo+json", "GEOJSON", "Map data (GeoJSON)"),
    ("calendar.ics", "text/calendar", "ICS", "Calendar (iCalendar)"),
    ("jsonld", "application/ld+json", "JSON_LD", "schema.org (JSON-LD)"),
    ("register.json", "application/json", "JSON", "Register (Vänort format, version 1)"),
]
NATIONAL_DISTRIBUTIONS = [
    ("/api/pairs", "application/json", "JSON", "Reported pairs (JSON, paged)"),
    ("/api/pairs.csv", "text/csv", "CSV", "Reported pairs (CSV, bulk)"),
    ("/api/pairs.geojson", "application/geo+json", "GEOJSON", "Reported pairs (GeoJSON, bulk)"),
    ("/api/places.csv", "text/csv", "CSV", "Places (CSV, bulk)"),
]


@require_safe
def dcat(request: HttpRequest) -> HttpResponse:
    """The catalogue as RDF/XML, as dataportal.se harvests it."""
    from opendata.dcat import catalogue  # rdflib (17 MB a worker) only for this view

    body = catalogue(request.build_absolute_uri("/")).serialize(format="xml")
    response = HttpResponse(body, content_type="application/rdf+xml; charset=utf-8")
    return conditional(request, response)
