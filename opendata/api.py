"""The read-only public JSON API (django-ninja), under /api/, described by OpenAPI 3.1
at /api/openapi.json with its documentation UI at /api/docs (served from our own
static files). Every list is a bounded page in a stable order; drafts never appear."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Literal

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from ninja import NinjaAPI, Path, Query, Schema, Swagger
from ninja.decorators import decorate_view
from ninja.errors import HttpError, ValidationError
from pydantic import Field, field_validator

from interop.analysis import chains, places_by_id, reciprocity
from opendata import queries, serialize
from opendata.http import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    conditional_get,
    newest,
    page_url,
    paginate,
)
from opendata.openapi import OpenDataAPI, conditional_docs
from opendata.problems import problem_response
from opendata.schemas import (
    ActivityOut,
    ChainOut,
    Error,
    OrganisationOut,
    PairSelection,
    PlaceOut,
    PlaceSelection,
    ReciprocityOut,
    RelationOut,
    ReportedPairOut,
    SourceOut,
    ValidationErrors,
    page_of,
)
from register.models import Activity, Agreement, Organisation, Place, Relation, Source


class LocalSwagger(Swagger):
    """The Swagger UI from our own static files, always. django-ninja chooses a CDN unless
    its package is in INSTALLED_APPS; we install only its files (opendata.ninja_assets),
    so that a command line need not import ninja to start."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api}
        return render(request, self.template, context)


api = OpenDataAPI(
    title="Vänort open data",
    version="1",
    description=(
        "The registers of twin towns and international partnerships kept in Vänort: "
        "places, organisations, relations with their agreements and decisions, activities "
        "and sources, and pairs reported by outside sources (Wikipedia contributors, "
        "CC BY-SA 4.0). Read-only; drafts are never shown. Dates are EDTF with their "
        "bounds; counts say whether they are approximate.\n\n"
        "**Bulk downloads** of the national data, streamed, with the filters of the lists: "
        "[/api/pairs.csv](/api/pairs.csv), [/api/places.csv](/api/places.csv) and "
        "[/api/pairs.geojson](/api/pairs.geojson). The datasets and their distributions "
        "are described for harvesting (DCAT-AP-SE) at [/datasets/dcat](/datasets/dcat).\n\n"
        "Any origin may call the API (CORS); every answer supports HEAD and conditional "
        "GET (ETag, Last-Modified); errors are RFC 9457 problem details "
        "(application/problem+json). Versioning: this is version 1; changes within it only "
        "add (new paths, new optional parameters, new fields); a breaking change gets a new "
        "path prefix (/api/v2/) served beside this one, see docs/api-versioning.md."
    ),
    docs=LocalSwagger(),
    docs_decorator=conditional_docs,
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)


# --- errors: RFC 9457 problem details -------------------------------------------------


@api.exception_handler(ValidationError)
def validation_problem(request: HttpRequest, exc: ValidationError):
    errors = [
        {"type": e.get("type", ""), "loc": list(e.get("loc", [])), "msg": e.get("msg", "")}
        for e in exc.errors
    ]
    where = ", ".join(str(e["loc"][-1]) for e in errors if e["loc"])
    return problem_response(422, f"Invalid parameters: {where}" if where else "", errors=errors)


@api.exception_handler(Http404)
def not_found_problem(request: HttpRequest, exc: Http404):
    return problem_response(404, "No such record.")


@api.exception_handler(HttpError)
def http_problem(request: HttpRequest, exc: HttpError):
    return problem_response(exc.status_code, str(exc))


Slug = Path(..., pattern=r"^[-a-zA-Z0-9_]+$", max_length=50, description="e.g. halmstad")
Country = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2, e.g. IT")
CodeFilter = Field(None, pattern=r"^[-a-zA-Z0-9_]+$", max_length=50)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ERRORS = {404: Error, 422: ValidationErrors}
LIST_ERRORS = {422: ValidationErrors}
NOT_MODIFIED = {304: None}


class Paging(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")


class Search(Paging):
    q: str | None = Field(
        None, min_length=1, max_length=100, description="Text in a name, in any language."
    )


class RelationFilters(Search):
    organisation: str | None = CodeFilter
    country: str | None = Country
    kind: str | None = Field(
        None,
        pattern=r"^[-a-zA-Z0-9_]+$",
        max_length=50,
        description="Agreement kind code, e.g. vanortsavtal.",
    )
    focus_area: str | None = Field(
        None,
        pattern=r"^[-a-zA-Z0-9_]+$",
        max_length=50,
        description="Focus area code, e.g. utbildning.",
    )
    status: Literal["upcoming", "active", "ended"] | None = Field(
        None, description="Relations with an agreement of this status on `on`."
    )
    on: date | None = Field(None, description="The day status is derived for (default: today).")

    @field_validator("on", mode="before")
    @classmethod
    def iso_date_only(cls, value):
        """Only YYYY-MM-DD: pydantic would otherwise read a number as a Unix time."""
        if value is not None and not (isinstance(value, str) and ISO_DATE.match(value)):
            raise ValueError("give a date as YYYY-MM-DD")
        return value


class PlaceFilters(PlaceSelection, Paging):
    pass


class ActivityFilters(Search):
    organisation: str | None = CodeFilter
    kind: str | None = CodeFilter
    theme: str | None = CodeFilter


class SourceFilters(Paging):
    organisation: str | None = CodeFilter


class PairFilters(PairSelection, Paging):
    pass


class ChainFilters(Paging):
    place: int | None = Field(None, ge=1, le=2**53, description="Only chains with this place.")
    min_size: int = Field(3, ge=3, le=50, description="The fewest places in a chain.")


# --- when things last changed (Last-Modified) -------------------------------------


def newest_relation(**_):
    return newest(
        Relation.objects.published(),
        Organisation.objects.all(),
        history=(Relation.history.all(), Agreement.history.all(), Organisation.history.all()),
    )


def newest_place(**_):
    return newest(Place.objects.all(), history=(Place.history.all(),))


def newest_activity(**_):
    return newest(Activity.objects.published(), history=(Activity.history.all(),))


def newest_source(**_):
    return newest(Source.objects.all(), history=(Source.history.all(),))


# --- places -------------------------------------------------------------------------


@api.get(
    "/places",
    response={200: page_of(PlaceOut), **NOT_MODIFIED, **LIST_ERRORS},
    tags=["places"],
    summary="Places",
)
@decorate_view(conditional_get(newest_place))
def list_places(request: HttpRequest, filters: Query[PlaceFilters]):
    """Towns and municipalities, ordered by name, country and id."""
    places = queries.filter_places(queries.places(), country=filters.country, q=filters.q)
    return paginate(request, places, filters.page, filters.page_size, serialize.place)


@api.get(
    "/places/{place_id}",
    response={200: PlaceOut, **NOT_MODIFIED, **ERRORS},
    tags=["places"],
    summary="A place",
)
@decorate_view(conditional_get(newest_place))
def get_place(request: HttpRequest, place_id: int = Path(..., ge=1, le=2**53)):
    return serialize.place(get_object_or_404(queries.places(), pk=place_id))


# --- organisations ----------------------------------------------------------------


@api.get(
    "/organisations",
    response={200: page_of(OrganisationOut), **NOT_MODIFIED, **LIST_ERRORS},
    tags=["organisations"],
    summary="Organisations",
)
@decorate_view(conditional_get(newest_relation))
def list_organisations(request: HttpRequest, paging: Query[Paging]):
    """Organisations that keep their register here, ordered by slug."""
    return paginate(
        request, queries.organisations(), paging.page, paging.page_size, serialize.organisation
    )


@api.get(
    "/organisations/{slug}",
    response={200: OrganisationOut, **NOT_MODIFIED, **ERRORS},
    tags=["organisations"],
    summary="An organisation",
)
@decorate_view(conditional_get(newest_relation))
def get_organisation(request: HttpRequest, slug: str = Slug):
    return serialize.organisation(get_object_or_404(queries.organisations(), slug=slug))


@api.get(
    "/organisations/{slug}/reciprocity",
    response={200: ReciprocityOut, **NOT_MODIFIED, **ERRORS},
    tags=["organisations", "outside data"],
    summary="Reciprocity with outside sources",
)
@decorate_view(conditional_get())
def get_reciprocity(request: HttpRequest, slug: str = Slug):
    """Partners that an imported outside source lists but the organisation's register
    lacks, and register partners that no outside source lists."""
    organisation = get_object_or_404(queries.organisations(), slug=slug)
    result = reciprocity(organisation)
    return {
        "organisation": organisation.slug,
        "reported_not_in_register": [
            serialize.place_without_names(p) for p in result.reported_not_in_register
        ],
        "in_register_not_reported": [
            serialize.place_without_names(p) for p in result.in_register_not_reported
        ],
    }


# --- relations ------------------------------------------------------------------------


@api.get(
    "/relations",
    response={200: page_of(RelationOut), **NOT_MODIFIED, **LIST_ERRORS},
    tags=["relations"],
    summary="Relations",
)
@decorate_view(conditional_get(newest_relation))
def list_relations(request: HttpRequest, filters: Query[RelationFilters]):
    """Published relations with their published agreements and their decisions, ordered
    by organisation, the register's own order and id."""
    on = filters.on or date.today()
    relations = queries.filter_relations(
        queries.relations(),
        organisation=filters.organisation,
        country=filters.country,
        kind=filters.kind,
        focus_area=filters.focus_area,
        status=filters.status,
        on=on,
        q=filters.q,
    )
    return paginate(
        request,
        relations,
        filters.page,
        filters.page_size,
        lambda relation: serialize.relation(relation, on),
    )


@api.get(
    "/relations/{relation_id}",
    response={200: RelationOut, **NOT_MODIFIED, **ERRORS},
    tags=["relations"],
    summary="A relation",
)
@decorate_view(conditional_get(newest_relation))
def get_relation(request: HttpRequest, relation_id: int = Path(..., ge=1, le=2**53)):
    relation = get_object_or_404(queries.relations(), pk=relation_id)
    return serialize.relation(relation, date.today())


# --- activities and sources -------------------------------------------------------


@api.get(
    "/activities",
    response={200: page_of(ActivityOut), **NOT_MODIFIED, **LIST_ERRORS},
    tags=["activities"],
    summary="Activities",
)
@decorate_view(conditional_get(newest_activity))
def list_activities(request: HttpRequest, filters: Query[ActivityFilters]):
    """Published activities, ordered by their earliest possible date and id."""
    activities = queries.activities()
    if filters.organisation:
        activities = activities.filter(organisation__slug=filters.organisation)
    if filters.kind:
        activities = activities.filter(kind__code=filters.kind)
    if filters.theme:
        activities = activities.filter(themes__code=filters.theme)
    if filters.q:
        activities = activities.filter(
            Q(title_sv__icontains=filters.q) | Q(title_en__icontains=filters.q)
        )
    return paginate(
        request, activities.distinct(), filters.page, filters.page_size, serialize.activity
    )


@api.get(
    "/sources",
    response={200: page_of(SourceOut), **NOT_MODIFIED, **LIST_ERRORS},
    tags=["sources"],
    summary="Sources",
)
@decorate_view(conditional_get(newest_source))
def list_sources(request: HttpRequest, filters: Query[SourceFilters]):
    """Where the facts come from, ordered by title and id."""
    sources = queries.sources()
    if filters.organisation:
        sources = sources.filter(organisation__slug=filters.organisation)
    return paginate(request, sources, filters.page, filters.page_size, serialize.source)


# --- outside data: reported pairs and twin-town chains ------------------------------


@api.get(
    "/pairs",
    response={200: page_of(ReportedPairOut), **NOT_MODIFIED, **LIST_ERRORS},
    tags=["outside data"],
    summary="Pairs reported by outside sources",
)
@decorate_view(conditional_get())
def list_pairs(request: HttpRequest, filters: Query[PairFilters]):
    """Twin-town pairs as outside sources report them (e.g. Wikipedia's lists), not the
    organisations' own registers. Ordered by the two places' ids and the source."""
    pairs = queries.reported_pairs(place=filters.place, country=filters.country)

    def one(pair):
        return {
            "id": pair.pk,
            "place_a": serialize.place_without_names(pair.place_a),
            "place_b": serialize.place_without_names(pair.place_b),
            "source_id": pair.source_id,
            "start": serialize.imprecise(pair.start),
            "end": serialize.imprecise(pair.end),
            "reference_url": pair.reference_url,
        }

    return paginate(request, pairs, filters.page, filters.page_size, one)


@api.get(
    "/chains",
    response={200: page_of(ChainOut), **NOT_MODIFIED, **LIST_ERRORS},
    tags=["outside data"],
    summary="Twin-town chains",
)
@decorate_view(conditional_get())
def list_chains(request: HttpRequest, filters: Query[ChainFilters]):
    """Groups of three or more places that are all twinned with each other (maximal
    cliques over reported pairs and published relations), largest first."""
    place = Place.objects.filter(pk=filters.place).first() if filters.place else None
    groups = [] if filters.place and place is None else chains(filters.min_size, place)
    start = (filters.page - 1) * filters.page_size
    shown = groups[start : start + filters.page_size]
    places = places_by_id({pk for group in shown for pk in group})
    page = {
        "count": len(groups),
        "page": filters.page,
        "page_size": filters.page_size,
        "next": None,
        "previous": None,
        "items": [
            {
                "size": len(group),
                "places": [serialize.place_without_names(places[pk]) for pk in group],
            }
            for group in shown
        ],
    }
    if start + filters.page_size < len(groups):
        page["next"] = page_url(request, filters.page + 1)
    if filters.page > 1:
        page["previous"] = page_url(request, filters.page - 1)
    return page


from opendata.bulk import router as bulk_router  # noqa: E402
from opendata.export_api import router as export_router  # noqa: E402 (after the API exists)

api.add_router("", export_router)
api.add_router("", bulk_router)
