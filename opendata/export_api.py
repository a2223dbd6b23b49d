"""Download endpoints: an organisation's published register in standard formats.
Each is declared in the OpenAPI document with its media type."""

from __future__ import annotations

import json
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from ninja import Path, Router
from ninja.decorators import decorate_view

from interop.wikidata import quickstatements
from opendata import exports, queries, register_format
from opendata.http import conditional_get
from opendata.schemas import Error, ValidationErrors

router = Router(tags=["exports"])
Slug = Path(..., pattern=r"^[-a-zA-Z0-9_]+$", max_length=50, description="e.g. halmstad")


def document(media_type: str, description: str, schema: dict | None = None) -> dict:
    """openapi_extra declaring a non-JSON 200 answer, with the 304/404/422 answers."""
    return {
        "responses": {
            "200": {
                "description": description,
                "content": {media_type: {"schema": schema or {"type": "string"}}},
            },
        }
    }


def language(request: HttpRequest) -> str:
    """The language the answer is written in (Accept-Language, as LocaleMiddleware read
    it); LocaleMiddleware labels the answer with it (Content-Language)."""
    return "en" if (translation.get_language() or "sv").startswith("en") else "sv"


def newest(slug: str, **_):
    organisation = queries.organisations().filter(slug=slug).first()
    return exports.last_modified_of(organisation) if organisation else None


def register_of(slug: str) -> exports.Register:
    return exports.Register.of(get_object_or_404(queries.organisations(), slug=slug))


def download(body, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=media_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


RESPONSES = {304: None, 404: Error, 422: ValidationErrors}


@router.get(
    "/organisations/{slug}/relations.csv",
    response=RESPONSES,
    summary="Relations as CSV (UTF-8)",
    openapi_extra=document("text/csv", "One row per agreement; UTF-8, comma, decimal point."),
)
@decorate_view(conditional_get(newest))
def relations_csv(request: HttpRequest, slug: str = Slug):
    rows = exports.csv_rows(register_of(slug), date.today(), language(request))
    return download(
        exports.to_csv(rows), "text/csv; charset=utf-8; header=present", f"{slug}-relations.csv"
    )


@router.get(
    "/organisations/{slug}/relations-excel.csv",
    response=RESPONSES,
    summary="Relations as CSV for Swedish Excel",
    openapi_extra=document(
        "text/csv", "As relations.csv, with a byte-order mark, semicolons and decimal commas."
    ),
)
@decorate_view(conditional_get(newest))
def relations_excel_csv(request: HttpRequest, slug: str = Slug):
    rows = exports.csv_rows(register_of(slug), date.today(), language(request))
    return download(
        exports.to_csv(rows, excel_sv=True).encode("utf-8"),
        "text/csv; charset=utf-8; header=present",
        f"{slug}-relations-excel.csv",
    )


@router.get(
    "/organisations/{slug}/relations.geojson",
    response=RESPONSES,
    summary="Partner places and relations as GeoJSON",
    openapi_extra=document(
        "application/geo+json",
        "RFC 7946 FeatureCollection: places as points, relations as lines.",
        {"$ref": "#/components/schemas/FeatureCollection"},
    ),
)
@decorate_view(conditional_get(newest))
def relations_geojson(request: HttpRequest, slug: str = Slug):
    data = exports.geojson(register_of(slug), date.today())
    body = json.dumps(data, ensure_ascii=False)
    return download(body, "application/geo+json", f"{slug}-relations.geojson")


@router.get(
    "/organisations/{slug}/calendar.ics",
    response=RESPONSES,
    summary="Activities and agreement dates as iCalendar (subscribe to this URL)",
    openapi_extra=document("text/calendar", "RFC 5545 calendar with a Europe/Stockholm VTIMEZONE."),
)
@decorate_view(conditional_get(newest))
def calendar_ics(request: HttpRequest, slug: str = Slug):
    body = exports.icalendar(
        register_of(slug),
        request.get_host().split(":")[0],
        language(request),
        lambda relation: request.build_absolute_uri(exports.partner_path(slug, relation.partner)),
    )
    return download(body, "text/calendar; charset=utf-8", f"{slug}.ics")


@router.get(
    "/organisations/{slug}/jsonld",
    response=RESPONSES,
    summary="The organisation as schema.org JSON-LD",
    openapi_extra=document(
        "application/ld+json",
        "schema.org GovernmentOrganization, its town hall, partners and Dataset.",
        {"$ref": "#/components/schemas/JsonLd"},
    ),
)
@decorate_view(conditional_get(newest))
def organisation_jsonld(request: HttpRequest, slug: str = Slug):
    register = register_of(slug)
    return download(
        json.dumps(exports.jsonld(register, request.build_absolute_uri("/")), ensure_ascii=False),
        "application/ld+json",
        f"{slug}.jsonld",
    )


@router.get(
    "/organisations/{slug}/register.json",
    response=RESPONSES,
    summary="The published register in Vänort's own format (version 1)",
    openapi_extra=document(
        "application/json",
        "Described by /api/schemas/register-1.json; `vanort import-register` reads it.",
        {"$ref": "#/components/schemas/Register"},
    ),
)
@decorate_view(conditional_get(newest))
def register_json(request: HttpRequest, slug: str = Slug):
    organisation = get_object_or_404(queries.organisations(), slug=slug)
    text = register_format.dumps(register_format.export_register(organisation))
    return download(text, "application/json", f"{slug}-register.json")


@router.get(
    "/schemas/register-1.json",
    response={304: None},
    summary="JSON Schema of Vänort's own format, version 1",
    openapi_extra=document(
        "application/schema+json",
        "A JSON Schema (2020-12) whose $id is the URL it is served from.",
        {"type": "object", "required": ["$schema", "$id"]},
    ),
)
@decorate_view(conditional_get())
def register_schema(request: HttpRequest):
    schema = json.loads(register_format.SCHEMA_PATH.read_text(encoding="utf-8"))
    schema["$id"] = request.build_absolute_uri(reverse("api:register_schema"))
    body = json.dumps(schema, ensure_ascii=False, indent=2)
    return download(body, "application/schema+json", "register-1.schema.json")


@router.get(
    "/organisations/{slug}/wikidata.qs",
    response=RESPONSES,
    summary="QuickStatements for Wikidata (P190 with P580/P582 and S854)",
    openapi_extra=document(
        "text/plain",
        "QuickStatements version 1 (tab-separated), both directions of each relation "
        "between places with Wikidata ids. Comment lines (#) at the top say what was left "
        "out and why.",
    ),
)
@decorate_view(conditional_get(newest))
def wikidata_quickstatements(request: HttpRequest, slug: str = Slug):
    organisation = get_object_or_404(queries.organisations(), slug=slug)
    result = quickstatements(organisation)
    return download(
        exports.quickstatements_text(organisation, result),
        "text/plain; charset=utf-8",
        f"{slug}-wikidata.qs.txt",
    )
