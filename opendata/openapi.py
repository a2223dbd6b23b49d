"""The finishing of the API's OpenAPI 3.1 document, after django-ninja has written it:
what ninja does not say by itself and clients (Redocly, openapi-python-client,
openapi-typescript) need.

- `servers` (relative: the installation the document is read from) and a licence;
- `security: []` on every operation: all of the open data is public;
- errors as application/problem+json (RFC 9457), as they are served;
- ETag, Last-Modified and Cache-Control on the answers that carry them, and 304;
- typed answers for the exports: the register format (its JSON Schema, embedded),
  GeoJSON and JSON-LD.
"""

from __future__ import annotations

import json
from functools import wraps

from ninja import NinjaAPI

from opendata import catalogue
from opendata.problems import PROBLEM_JSON

HEADERS = {
    "ETag": {
        "description": "A strong validator of the body; send it back in If-None-Match.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "When what the answer shows last changed (deletions included).",
        "schema": {"type": "string"},
    },
    "Cache-Control": {"description": "public, max-age=60", "schema": {"type": "string"}},
}

GEOJSON_POSITION = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 3}
GEOJSON = {
    "type": "object",
    "description": "RFC 7946 FeatureCollection. Feature ids are unique: place/<id>, relation/<id>.",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "id", "geometry", "properties"],
                "properties": {
                    "type": {"const": "Feature"},
                    "id": {"type": "string", "pattern": "^(place|relation|pair)/[0-9]+$"},
                    "geometry": {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "properties": {
                            "type": {"enum": ["Point", "LineString", "MultiLineString"]},
                            "coordinates": {"type": "array"},
                        },
                    },
                    "properties": {
                        "type": "object",
                        "required": ["kind"],
                        "properties": {
                            "kind": {"enum": ["place", "relation", "pair"]},
                            "place_id": {"type": "integer"},
                            "relation_id": {"type": "integer"},
                            "partner_id": {"type": "integer"},
                            "wikidata_id": {"type": ["string", "null"]},
                        },
                    },
                },
            },
        },
    },
}
JSONLD = {
    "type": "object",
    "description": "schema.org JSON-LD with an inline @context: the GovernmentOrganization, "
    "its town hall (GovernmentOffice), partner cities and the Dataset of the downloads.",
    "required": ["@context", "@graph"],
    "properties": {
        "@context": {"type": "object"},
        "@graph": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["@id", "@type"],
                "properties": {"@id": {"type": "string"}, "@type": {"type": "string"}},
            },
        },
    },
}


class OpenDataAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return finish(dict(schema))


def register_schema() -> dict:
    from opendata.register_format import SCHEMA_PATH

    body = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    body.pop("$schema", None)
    body.pop("$id", None)  # it is the URL it is served from; in here it is a component
    return body


def finish(schema: dict) -> dict:
    schema["servers"] = [{"url": "/", "description": "This installation"}]
    schema["info"] = dict(schema["info"]) | {
        "license": {"name": catalogue.LICENSE_NAME, "url": catalogue.LICENSE_URI},
        "contact": {"name": "Vänort", "url": "/datasets/dcat"},
    }
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Register"] = register_schema()
    schemas["FeatureCollection"] = GEOJSON
    schemas["JsonLd"] = JSONLD
    components["headers"] = HEADERS
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            operation["security"] = []
            for status, response in operation.get("responses", {}).items():
                _finish_response(int(status), response)
    return schema


TYPED = {
    "application/geo+json": {"$ref": "#/components/schemas/FeatureCollection"},
    "application/ld+json": {"$ref": "#/components/schemas/JsonLd"},
}


def _finish_response(status: int, response: dict) -> None:
    content = response.get("content", {})
    if status >= 400 and "application/json" in content:
        response["content"] = {PROBLEM_JSON: content["application/json"]}
    if status in (200, 304):
        response["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS}
    if status == 304:
        response["description"] = "Not Modified: the client's copy is current."
        response.pop("content", None)
    for media_type, typed in TYPED.items():
        if media_type in content:
            content[media_type] = {"schema": typed}


def conditional_docs(view):
    """ninja's docs_decorator: ETag and Cache-Control on openapi.json and the docs page."""
    from opendata.http import conditional

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return conditional(request, view(request, *args, **kwargs))

    return wrapped
