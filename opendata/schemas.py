"""The shapes of the API's answers, as they appear in the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field, create_model


class Error(Schema):
    """RFC 9457 problem details, served as application/problem+json."""

    type: str = Field("about:blank", description="The problem's kind: about:blank, the status.")
    title: str = Field(description="The HTTP status phrase, e.g. Not Found.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong, in words.")


class ValidationProblem(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrors(Error):
    """RFC 9457 problem details with `errors`: what was wrong with each parameter."""

    errors: list[ValidationProblem]


# --- filters shared by a JSON list and its bulk download --------------------------------

Country = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2, e.g. IT")


class PlaceSelection(Schema):
    """The filters of /api/places, also those of the bulk download /api/places.csv."""

    q: str | None = Field(
        None, min_length=1, max_length=100, description="Text in a name, in any language."
    )
    country: str | None = Country


class PairSelection(Schema):
    """The filters of /api/pairs, also those of the bulk downloads of the pairs."""

    place: int | None = Field(None, ge=1, le=2**53, description="A place's id.")
    country: str | None = Country


# --- answers ------------------------------------------------------------------------------


class ImpreciseDateOut(Schema):
    edtf: str = Field(description="EDTF (ISO 8601-2) text, e.g. 194X, 2009~, [..2009].")
    earliest: date | None = Field(description="The earliest day the date can mean.")
    latest: date | None = Field(description="The latest day the date can mean.")
    precision: str = Field(description="day, month, year, decade, century, range or open.")
    text_sv: str
    text_en: str


class CountOut(Schema):
    value: int
    approximate: bool
    text_sv: str
    text_en: str


class Label(Schema):
    code: str
    label_sv: str
    label_en: str


class PlaceOut(Schema):
    id: int
    name: str
    names: dict[str, str] = Field(description="Names in other languages, by language code.")
    country: str = Field(description="ISO 3166-1 alpha-2 (XK for Kosovo).")
    region: str
    latitude: float | None = Field(description="WGS 84 degrees, a number.")
    longitude: float | None = Field(description="WGS 84 degrees, a number.")
    wikidata_id: str | None = Field(description="e.g. Q25404; null where not known.")
    updated_at: datetime


class SourceOut(Schema):
    id: int
    title: str
    url: str
    document: str
    publisher: str
    accessed_on: date | None
    organisation: str | None = Field(description="Slug of the organisation keeping it.")


class FundingOut(Schema):
    funder: str
    share_percent: float | None


class DecisionOut(Schema):
    id: int
    body: str = Field(description="kf (municipal council), ks (executive board), namnd.")
    date: ImpreciseDateOut | None
    reference: str
    summary_sv: str
    summary_en: str
    url: str
    unanimous: bool = Field(description="Taken unanimously.")
    votes_for: int | None
    votes_against: int | None
    votes_abstaining: int | None


class AgreementOut(Schema):
    id: int
    kind: Label
    start: ImpreciseDateOut | None
    end: ImpreciseDateOut | None = Field(description="As written, or start plus the term.")
    term_months: int | None
    status: str = Field(description="upcoming, active or ended, derived for `status_on`.")
    status_on: date
    focus_areas: list[Label]
    responsible_unit: str
    decision_id: int | None
    decision_not_on_record: bool = Field(
        description="Marked explicitly: the deciding decision is not in the register."
    )
    decision_not_on_record_reason: str
    decision_record_sv: str = Field(description="“Beslut ej registrerat” when so marked.")
    decision_record_en: str = Field(description="“Decision not on record” when so marked.")
    renews_id: int | None
    purpose_sv: str
    purpose_en: str
    funding: list[FundingOut]
    source_ids: list[int]


class OrganisationRef(Schema):
    slug: str
    name_sv: str
    name_en: str
    place_id: int


class RelationOut(Schema):
    id: int
    organisation: OrganisationRef
    place: PlaceOut = Field(description="The organisation's own place.")
    partner: PlaceOut
    since: ImpreciseDateOut | None
    description_sv: str
    description_en: str
    agreements: list[AgreementOut]
    decisions: list[DecisionOut]
    source_ids: list[int]
    updated_at: datetime


class OrganisationOut(Schema):
    slug: str
    name_sv: str
    name_en: str
    place: PlaceOut
    phone: str
    email: str
    visiting_address: str
    postal_address: str
    website: str
    visitor_hours: str = Field(description="OpenStreetMap opening_hours syntax.")
    phone_hours: str = Field(description="OpenStreetMap opening_hours syntax.")
    updated_at: datetime


class ActivityOut(Schema):
    id: int
    organisation: str
    kind: Label
    title_sv: str
    title_en: str
    date: ImpreciseDateOut | None
    relation_ids: list[int]
    partner_ids: list[int]
    themes: list[Label]
    participants: CountOut | None
    young_participants: CountOut | None
    outcome_sv: str
    outcome_en: str
    source_ids: list[int]


class ChainOut(Schema):
    size: int
    places: list[PlaceOut]


class ReportedPairOut(Schema):
    id: int
    place_a: PlaceOut
    place_b: PlaceOut
    source_id: int
    start: ImpreciseDateOut | None
    end: ImpreciseDateOut | None
    reference_url: str


class ReciprocityOut(Schema):
    organisation: str
    reported_not_in_register: list[PlaceOut] = Field(
        description="Partners an imported outside source lists that the register lacks."
    )
    in_register_not_reported: list[PlaceOut] = Field(
        description="Partners in the register that no imported outside source lists."
    )


def page_of(item):
    """A page of `item`: the items, their total count and the neighbouring pages."""
    return create_model(
        f"{item.__name__.removesuffix('Out')}Page",
        __base__=Schema,
        count=(int, Field(description="Items matching the filters, on all pages.")),
        page=(int, ...),
        page_size=(int, ...),
        next=(str | None, Field(description="URL of the next page, if any.")),
        previous=(str | None, Field(description="URL of the previous page, if any.")),
        items=(list[item], ...),
    )
