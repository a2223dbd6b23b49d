"""The register's history (django-simple-history): writing one row per edit, and what it
tells about the published page.

A record's many-to-many fields (an agreement's focus areas, an activity's partners and
themes, every record's sources) are part of its history. Left alone, simple-history
writes a row when the record is saved, before a form saves the many-to-many, and one
more row for each many-to-many change; an edit in the admin would then show as two or
three rows, the first with the old focus areas. The admin therefore defers the row
until the many-to-many are saved and writes one row with everything (`defer`, `write`).
Saves outside the admin (imports, the shell) keep simple-history's behaviour: every
change is still recorded, in more rows. Code that creates or edits a record together
with its many-to-many (the demo loader, importers) wraps both in `one_row(record)`, so
the version it makes is one row with its links: reverting to it gives exactly it (a
record created first and linked after had a first version without its sources, and a
revert to it dropped them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext

from register.imprecise import format_date, validate_edtf
from register.language import current_lang
from register.models import (
    TIMESTAMPED_HISTORY,
    Activity,
    Agreement,
    Decision,
    Funding,
    GovernanceRule,
    Organisation,
    Place,
    PlaceName,
    Relation,
)


def tracks_many_to_many(model) -> bool:
    return bool(getattr(model, "_history_m2m_fields", None))


def defer(record) -> None:
    """Hold back the history row of the coming save until `write(record)`."""
    if tracks_many_to_many(type(record)):
        record.skip_history_when_saving = True  # honoured by simple-history's signals
        record._history_pending = "+" if record._state.adding else "~"


def write(record) -> None:
    """Write the row held back by `defer`, with the many-to-many as saved now."""
    pending = getattr(record, "_history_pending", None)
    if pending is None:
        return
    del record.skip_history_when_saving
    del record._history_pending
    TIMESTAMPED_HISTORY.create_historical_record(record, pending)


def _forget(record) -> None:
    if getattr(record, "_history_pending", None) is not None:
        del record.skip_history_when_saving
        del record._history_pending


def current_many_to_many(record) -> dict[str, list]:
    """{field name: [target ids]} of the record as stored now."""
    if record.pk is None:
        return {}
    return {
        field.name: sorted(getattr(record, field.name).values_list("pk", flat=True))
        for field in type(record)._meta.many_to_many
        if field.name in type(record)._history_m2m_fields
    }


@contextmanager
def one_row(record) -> Iterator:
    """Saves and many-to-many changes of `record` inside the block make one history row
    (none if nothing changed), as the admin's forms do."""
    if not tracks_many_to_many(type(record)):
        yield record
        return
    before = (record.pk, record.version, current_many_to_many(record))
    defer(record)
    try:
        yield record
    except BaseException:
        _forget(record)
        raise
    if (record.pk, record.version, current_many_to_many(record)) == before:
        _forget(record)
    else:
        write(record)


def record_change(record) -> None:
    """A row for a change the record's own save did not see (a through row saved alone)."""
    TIMESTAMPED_HISTORY.create_historical_record(record, "~")


def many_to_many_as_of(history_row) -> dict[str, list]:
    """{field name: [target ids]} of the record as it was at `history_row`."""
    values = {}
    for field in history_row._history_m2m_fields:
        target = field.m2m_reverse_field_name()
        rows = getattr(history_row, field.name).values_list(f"{target}_id", flat=True)
        values[field.name] = sorted(rows)
    return values


def set_many_to_many(record, values: dict[str, list], skip=()) -> None:
    """Give `record` the links {field name: [target ids]}, leaving out fields in `skip`;
    links to records deleted since are left out."""
    for name, ids in values.items():
        if name in skip:
            continue
        field = type(record)._meta.get_field(name)
        getattr(record, name).set(field.related_model._base_manager.filter(pk__in=ids))


# --- what a revert or a restore will change, in the reader's language -----------------

# Kept by the register itself, not by the editor: a revert continues them.
_BOOKKEEPING = {"id", "version", "updated_at"}


@dataclass(frozen=True)
class FieldChange:
    field: str  # the field's label in the active language
    old: str  # as the page shows it; "–" for nothing
    new: str


def shown(field, value) -> str:
    """A stored value as the page would show it: EDTF dates in words, choices by label,
    links by their names, yes or no."""
    lang = current_lang()
    if field.many_to_many:
        targets = field.related_model._base_manager.filter(pk__in=value or [])
        return ", ".join(sorted(str(target) for target in targets)) or "–"
    if value is None or value == "":
        return "–"
    if validate_edtf in getattr(field, "validators", []):
        return format_date(value, lang, since=field.name == "since") or str(value)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and field.many_to_one:
        target = field.related_model._base_manager.filter(pk=value).first()
        return str(target) if target is not None else str(value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime):
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def _values(model, source, many_to_many: dict[str, list]) -> dict[str, object]:
    values = {
        field.name: getattr(source, field.attname)
        for field in model._meta.concrete_fields
        if field.name not in _BOOKKEEPING
    }
    return values | many_to_many


def changes_to(record, row) -> list[FieldChange]:
    """What making `record` (None: deleted) as it was at history `row` changes, field by
    field and link by link. For a deleted record, the row before its deletion holds the
    links it comes back with; links to records deleted since do not come back."""
    model = row.instance_type
    links_row = row.prev_record if row.history_type == "-" else row
    links = many_to_many_as_of(links_row) if links_row and tracks_many_to_many(model) else {}
    for name, ids in links.items():
        target = model._meta.get_field(name).related_model
        links[name] = sorted(target._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
    new = _values(model, row, links)
    old = {} if record is None else _values(model, record, current_many_to_many(record))
    changes = []
    for name, value in new.items():
        before = old.get(name)
        if record is not None and before == value:
            continue
        field = model._meta.get_field(name)
        if record is None and value in (None, "", []):
            continue
        # An automatic verbose name ("sources") is plain text: translate it too.
        label = gettext(str(field.verbose_name))
        changes.append(
            FieldChange(
                label[:1].upper() + label[1:],
                "–" if record is None else shown(field, before),
                shown(field, value),
            )
        )
    return changes


def restore(deleted_row, reason: str | None = None):
    """Bring a deleted record back as it was, many-to-many included; returns it.

    The deletion's own row has no many-to-many (Django removes those links first), so
    they come from the row before it; links to records deleted since are left out.
    """
    record = deleted_row.instance
    record._state.adding = True
    if reason:
        record._change_reason = reason
    before = deleted_row.prev_record
    defer(record)
    record.save()
    if before is not None and tracks_many_to_many(type(record)):
        set_many_to_many(record, many_to_many_as_of(before))
    write(record)
    return record


def _shown(history):
    """Rows after which the record was published, and rows that unpublished or deleted
    a published record: a draft's edits do not change the page."""
    previous = (
        history.model.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        .order_by("-history_date")
        .values("is_published")[:1]
    )
    return history.annotate(was_published=Subquery(previous)).filter(
        Q(is_published=True) | Q(was_published=True)
    )


def _newest(history) -> Subquery:
    return Subquery(history.order_by("-history_date").values("history_date")[:1])


def last_published_change(organisation: Organisation) -> datetime | None:
    """When anything on the organisation's public page last changed, in one query.

    Deleting or unpublishing a record changes the page too; only the history knows it.
    """
    sql, params = _published_change_sql(organisation.pk, organisation.place_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    found: list[Any] = [_as_datetime(stamp) for stamp in (row or ()) if stamp]
    return max(found) if found else None


def _as_datetime(value) -> datetime:
    """A stamp from the plain cursor: SQLite gives text, PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)  # stored in UTC
    return value


@lru_cache(maxsize=512)
def _published_change_sql(organisation_id: int, place_id: int | None) -> tuple[str, tuple]:
    """The query's SQL, compiled once per organisation and process: compiling its ten
    subqueries took 10 ms, running it 0.05 ms. The SQL depends on nothing but these two
    ids (the rest is in the schema)."""
    return _published_change_query(organisation_id, place_id).query.sql_with_params()


def _published_change_query(organisation_id: int, place_id: int | None):
    relations = Relation.objects.filter(organisation_id=organisation_id, is_published=True)
    partners = relations.values("partner_id")
    return (
        Organisation.objects.filter(pk=organisation_id)
        .annotate(
            changed_organisation=_newest(Organisation.history.filter(id=organisation_id)),
            changed_rules=_newest(GovernanceRule.history.filter(organisation_id=organisation_id)),
            changed_relations=_newest(
                _shown(Relation.history.filter(organisation_id=organisation_id))
            ),
            changed_places=_newest(Place.history.filter(Q(id__in=partners) | Q(id=place_id))),
            changed_names=_newest(PlaceName.history.filter(place_id__in=partners)),
            changed_agreements=_newest(
                _shown(Agreement.history.filter(relation_id__in=relations.values("pk")))
            ),
            changed_decisions=_newest(
                Decision.history.filter(relation_id__in=relations.values("pk"))
            ),
            changed_funding=_newest(
                Funding.history.filter(
                    agreement_id__in=Agreement.objects.filter(relation__in=relations).values("pk")
                )
            ),
            changed_activities=_newest(
                _shown(Activity.history.filter(organisation_id=organisation_id))
            ),
        )
        .values(
            "changed_organisation",
            "changed_rules",
            "changed_relations",
            "changed_places",
            "changed_names",
            "changed_agreements",
            "changed_decisions",
            "changed_funding",
            "changed_activities",
        )
    )
