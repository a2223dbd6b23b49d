"""The editor's spreadsheet: the records an editor may see, drafts included, as a CSV file
that Excel in a Swedish locale opens directly, offered as the admin action "Export selected
as CSV" on every list of the register (the selected records, or all N of the filtered list).

The open-data exports (opendata/exports.py) publish only published records, in fixed
columns for machines. This one is for the people who keep the register: every field an
editor keeps, with headers in the editor's language; EDTF dates both as stored and as the
public page writes them; approximate counts with their flag and as published; vocabulary
labels; many-to-many fields as "; "-joined labels; and a published column.

Which records are written is the caller's queryset: the action runs on the changelist's,
which RegisterAdmin scopes to the user's organisations, so a user never exports another
organisation's records. Each sheet reads its records in a fixed number of queries,
whatever their number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import organisation_ids
from opendata.cells import defuse_formula
from opendata.exports import _cell
from opendata.register_format import ORGANISATION_FIELDS
from register.imprecise import format_count, format_date, validate_edtf
from register.language import current_lang
from register.models import (
    Activity,
    ActivityParticipants,
    Agreement,
    AgreementStatus,
    Decision,
    Funding,
    GovernanceRule,
    Organisation,
    Place,
    PlaceName,
    Relation,
    Source,
)


@dataclass(frozen=True)
class Column:
    header: str | Promise
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """A model field, written as its type asks (see `field_columns`)."""

    name: str
    header: str | Promise | None = None
    # How the public page writes an imprecise date, if not plain format_date.
    published: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Sheet:
    model: type[models.Model]
    items: tuple  # Field names, Fields and Columns, in the order of the columns
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple = ()
    # The organisation a record belongs to (for the file name); None for shared records.
    owner: Callable[[Any], Organisation | None] = lambda record: None

    def columns(self) -> list[Column]:
        """In the active language: headers are read when the columns are built."""
        columns = []
        for item in self.items:
            if isinstance(item, Column):
                columns.append(Column(capfirst(str(item.header)), item.value))
            else:
                columns += field_columns(self.model, Field(item) if isinstance(item, str) else item)
        return columns

    def records(self, queryset) -> list:
        return list(
            queryset.select_related(*self.select_related)
            .prefetch_related(None)  # the sheet's own, not the list's (PlaceAdmin's names)
            .prefetch_related(*self.prefetch_related)
        )


# --- one field, one or two columns ----------------------------------------------------------


def field_columns(model, spec: Field) -> list[Column]:
    field = model._meta.get_field(spec.name)
    header = capfirst(str(spec.header or _field_header(field)))
    name = spec.name
    if field.many_to_many:
        return [Column(header, lambda record: joined(getattr(record, name).all()))]
    if field.is_relation:
        return [Column(header, lambda record: label(getattr(record, name)))]
    if field.choices:
        return [Column(header, lambda record: getattr(record, f"get_{name}_display")())]
    if isinstance(field, models.BooleanField):
        return [Column(header, lambda record: yes_no(getattr(record, name)))]
    if isinstance(field, models.DateTimeField):
        return [Column(header, lambda record: local_time(getattr(record, name)))]
    if validate_edtf in field.validators:
        published = spec.published or (lambda record: format_date(getattr(record, name)))
        return [
            Column(f"{header} (EDTF)", attrgetter(name)),
            Column(as_published(header), published),
        ]
    return [Column(header, attrgetter(name))]


def _field_header(field) -> str | Promise:
    """The field's verbose name; a relation named after nothing in particular is headed
    by what it points at ("organisation", "sources"), which is translated."""
    if isinstance(field.verbose_name, Promise) or not field.is_relation:
        return field.verbose_name
    opts = field.related_model._meta
    return opts.verbose_name_plural if field.many_to_many else opts.verbose_name


def as_published(header: str) -> str:
    return gettext("%(field)s, as published") % {"field": header}


def label(record) -> str:
    return "" if record is None else str(record)


def joined(records: Iterable) -> str:
    return "; ".join(label(record) for record in records)


def yes_no(value: bool) -> str:
    return gettext("yes") if value else gettext("no")


def local_time(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def other_names(place: Place) -> str:
    return "; ".join(f"{other.language}: {other.name}" for other in place.names.all())


def count_text(count: str, approximate: str) -> Callable[[Any], str]:
    return lambda record: format_count(
        getattr(record, count), getattr(record, approximate), current_lang()
    )


# --- the sheets -----------------------------------------------------------------------------

ID = Field("id", header="ID")
UPDATED = ("updated_at", "version")
NAMES_IN_ORDER = PlaceName.objects.order_by("language")


def _partners(activity: Activity) -> str:
    return "; ".join(relation.partner.display_name() for relation in activity.relations.all())


def _participants_by_country(activity: Activity) -> str:
    return "; ".join(
        f"{row.country}: {format_count(row.count, row.approximate, current_lang())}"
        for row in activity.participants_by_country.all()
    )


def _agreements(relation: Relation) -> str:
    return "; ".join(
        f"{agreement.kind.label} {agreement.period_text()}".strip()
        for agreement in relation.agreements.all()
    )


def _status_today(agreement: Agreement) -> str:
    return AgreementStatus(agreement.status_on(timezone.localdate())).label


RELATION_LABEL = ("relation__organisation__place", "relation__partner")
# A relation is named by its places' names in the reader's language (Relation.__str__).
RELATION_NAMES = (
    Prefetch("relation__organisation__place__names", queryset=NAMES_IN_ORDER),
    Prefetch("relation__partner__names", queryset=NAMES_IN_ORDER),
)

SHEETS: dict[type[models.Model], Sheet] = {
    sheet.model: sheet
    for sheet in (
        Sheet(
            Relation,
            (
                ID,
                "organisation",
                Field("partner", header=_("partner")),
                Column(_("partner's country"), lambda r: r.partner.country_name()),
                Column(_("names in other languages"), lambda r: other_names(r.partner)),
                Field("since", published=lambda relation: relation.since_text()),
                Column(Agreement._meta.verbose_name_plural, _agreements),
                "section",
                "order",
                "description_sv",
                "description_en",
                "is_published",
                "sources",
                *UPDATED,
            ),
            select_related=("organisation", "partner"),
            prefetch_related=(
                Prefetch("partner__names", queryset=NAMES_IN_ORDER),
                Prefetch("agreements", queryset=Agreement.objects.select_related("kind")),
                "sources",
            ),
            owner=attrgetter("organisation"),
        ),
        Sheet(
            Agreement,
            (
                ID,
                "relation",
                "kind",
                "start",
                "end",
                "term_months",
                Column(_("period, as published"), lambda agreement: agreement.period_text()),
                Column(_("status today"), _status_today),
                "focus_areas",
                "responsible_unit",
                "decision",
                Column(Funding._meta.verbose_name_plural, lambda a: joined(a.funding.all())),
                "purpose_sv",
                "purpose_en",
                "renews",
                "ended_early_on",
                "ending_decision",
                "is_published",
                "sources",
                *UPDATED,
            ),
            select_related=(
                *RELATION_LABEL,
                "kind",
                "decision",
                "ending_decision",
                "renews__kind",
            ),
            prefetch_related=("focus_areas", "funding", "sources", *RELATION_NAMES),
            owner=attrgetter("relation.organisation"),
        ),
        Sheet(
            Decision,
            (
                ID,
                "relation",
                "body",
                "date",
                "reference",
                "summary_sv",
                "summary_en",
                "url",
                "sources",
                *UPDATED,
            ),
            select_related=RELATION_LABEL,
            prefetch_related=("sources", *RELATION_NAMES),
            owner=attrgetter("relation.organisation"),
        ),
        Sheet(
            Activity,
            (
                ID,
                "organisation",
                Column(Activity._meta.get_field("relations").verbose_name, _partners),
                "kind",
                "title_sv",
                "title_en",
                "date",
                "themes",
                "participants",
                "participants_approximate",
                Column(
                    _("participants, as published"),
                    count_text("participants", "participants_approximate"),
                ),
                "young_participants",
                "young_participants_approximate",
                Column(
                    _("young participants, as published"),
                    count_text("young_participants", "young_participants_approximate"),
                ),
                "host_country",
                Column(
                    ActivityParticipants._meta.verbose_name_plural,
                    _participants_by_country,
                ),
                "outcome_sv",
                "outcome_en",
                "is_published",
                "sources",
                *UPDATED,
            ),
            select_related=("organisation", "kind"),
            prefetch_related=(
                Prefetch(
                    "relations",
                    queryset=Relation.objects.select_related("partner")
                    .prefetch_related(Prefetch("partner__names", queryset=NAMES_IN_ORDER))
                    .order_by("order", "id"),
                ),
                "themes",
                "participants_by_country",
                "sources",
            ),
            owner=attrgetter("organisation"),
        ),
        Sheet(
            Source,
            (
                ID,
                Column(
                    Organisation._meta.verbose_name,
                    lambda s: label(s.organisation) or gettext("(shared by the installation)"),
                ),
                "title",
                "url",
                "document",
                "publisher",
                "accessed_on",
                *UPDATED,
            ),
            select_related=("organisation",),
            owner=attrgetter("organisation"),
        ),
        Sheet(
            Place,
            (
                ID,
                "name",
                Column(_("names in other languages"), other_names),
                "country",
                Column(_("country name"), lambda place: place.country_name()),
                "region",
                "latitude",
                "longitude",
                "wikidata_id",
                "sources",
                *UPDATED,
            ),
            prefetch_related=(Prefetch("names", queryset=NAMES_IN_ORDER), "sources"),
        ),
        Sheet(
            Organisation,
            (
                ID,
                *ORGANISATION_FIELDS,  # as the register file keeps them
                "place",
                Column(
                    GovernanceRule._meta.verbose_name_plural,
                    lambda org: joined(org.governance_rules.all()),
                ),
                "sources",
                *UPDATED,
            ),
            select_related=("place",),
            prefetch_related=(
                Prefetch("place__names", queryset=NAMES_IN_ORDER),
                Prefetch(
                    "governance_rules",
                    queryset=GovernanceRule.objects.select_related("kind").order_by(
                        "kind__order", "kind__code"
                    ),
                ),
                "sources",
            ),
            owner=lambda organisation: organisation,
        ),
    )
}


# --- the file -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spreadsheet:
    text: str
    filename: str
    rows: int


def spreadsheet(queryset, *, fallback_owner: str = "vanort") -> Spreadsheet:
    """The records of `queryset` as CSV text, with a file name such as
    halmstad-relations-2026-11-28.csv (the records' organisation, or `fallback_owner`
    when they belong to none or to several)."""
    sheet = SHEETS[queryset.model]
    records = sheet.records(queryset)
    columns = sheet.columns()
    text = to_excel_csv(
        [column.header for column in columns],
        ([cell_value(column, record) for column in columns] for record in records),
    )
    owners = {owner.slug for owner in map(sheet.owner, records) if owner is not None}
    owner = owners.pop() if len(owners) == 1 else fallback_owner
    with translation.override("en"):  # file names stay the same in every language
        what = slugify(str(sheet.model._meta.verbose_name_plural))
    filename = f"{owner}-{what}-{timezone.localdate().isoformat()}.csv"
    return Spreadsheet(text, filename, len(records))


def cell_value(column: Column, record):
    """A stored date the pages cannot read (written before a rule, or around it) is
    named in its cell, rather than failing the whole file."""
    try:
        return column.value(record)
    except (ValidationError, ValueError):
        return gettext("(not a valid date)")


def to_excel_csv(header: list[str], rows: Iterable[list]) -> str:
    """What Excel in a Swedish locale opens without an import dialog (a byte-order mark,
    semicolons, decimal commas, CRLF), with formulas defused."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(text) for text in header])
    writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
    return "\ufeff" + out.getvalue()


def spreadsheet_cell(value) -> str:
    """A cell as text; numbers with a decimal comma, text that a spreadsheet would run as
    a formula with a leading apostrophe (a negative number stays a number), by the one
    function every spreadsheet CSV of Vänort defuses with (opendata/cells.py)."""
    return _cell(defuse_formula(value), excel_sv=True)


# --- the admin action ------------------------------------------------------------------


@admin.action(description=_("Export selected as CSV"), permissions=["view"])
def export_selected_as_csv(modeladmin, request, queryset):
    sheet = spreadsheet(queryset, fallback_owner=_own_organisation(request.user))
    response = HttpResponse(sheet.text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, sheet.filename)
    return response


def _own_organisation(user) -> str:
    """The slug of the user's only organisation, for the file name of shared records."""
    orgs = organisation_ids(user)
    if len(orgs) != 1:
        return "vanort"
    return Organisation.objects.filter(pk__in=orgs).values_list("slug", flat=True).first()
