"""No lost updates: a save based on an older version of a record is refused.

Every versioned record (register.models.Timestamped) carries a version that each save
bumps. An edit form remembers the version it showed; before saving, the record is read
again under a row lock (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
transactions lock the database) and compared. If someone saved in between, the save is
refused and the history (django-simple-history) says who changed what meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import models


@dataclass(frozen=True)
class Change:
    field: str  # the field's verbose name
    old: str
    new: str


@dataclass(frozen=True)
class Conflict:
    """The record changed (or was deleted) after the version the editor saw."""

    seen_version: int
    current_version: int | None  # None: deleted meanwhile
    changed_by: str
    changed_at: datetime | None
    changes: list[Change]

    @property
    def deleted(self) -> bool:
        return self.current_version is None


def _history(model: type[models.Model]):
    """The model's django-simple-history manager (added when the class is made, so the
    type stubs cannot know it)."""
    return getattr(model, "history")  # noqa: B009


def _field(model: type[models.Model], name: str) -> models.Field:
    """A concrete field of the model (the versioned records compare only those)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), name
    return field


def locked_version(model: type[models.Model], pk) -> int | None:
    """The stored version, locking the row until the transaction ends."""
    return (
        model._base_manager.select_for_update()
        .filter(pk=pk)
        .values_list("version", flat=True)
        .first()
    )


def conflict_for(instance: models.Model, seen_version: int) -> Conflict | None:
    """None if `instance` may be saved over `seen_version`, else what happened meanwhile.

    Call it inside the transaction that saves, so that the lock holds until the save.
    """
    current = locked_version(type(instance), instance.pk)
    if current == seen_version:
        return None
    history = _history(type(instance)).filter(id=instance.pk)
    newest = history.order_by("-history_date", "-history_id").first()
    seen = history.filter(version=seen_version).order_by("-history_date").first()
    changes: list[Change] = []
    if newest is not None and seen is not None and current is not None:
        delta = newest.diff_against(seen)
        for change in delta.changes:
            field = _field(type(instance), change.field)
            changes.append(
                Change(str(field.verbose_name), _show(field, change.old), _show(field, change.new))
            )
    return Conflict(
        seen_version=seen_version,
        current_version=current,
        changed_by=str(newest.history_user or "") if newest is not None else "",
        changed_at=newest.history_date if newest is not None else None,
        changes=[c for c in changes if c.field not in ("version", "updated")],
    )


def conflict_in_values(instance: models.Model, seen: dict, names: list[str]) -> Conflict | None:
    """For records without a version (users, memberships): None if the stored values of
    `names` are still those `seen` when the form was shown, else what changed.

    Call it inside the transaction that saves: the row stays locked until the save."""
    now = stored_values(instance, names, lock=True)
    if now is None:
        return Conflict(0, None, "", None, [])
    model = type(instance)
    changes = []
    for name, value in now.items():
        if seen.get(name) != value:
            field = _field(model, name)
            changes.append(
                Change(str(field.verbose_name), _show(field, seen.get(name)), _show(field, value))
            )
    if not changes:
        return None
    newest = _history(model).filter(id=instance.pk).order_by("-history_date").first()
    return Conflict(
        seen_version=0,
        current_version=1,
        changed_by=str(newest.history_user or "") if newest is not None else "",
        changed_at=newest.history_date if newest is not None else None,
        changes=changes,
    )


def stored_values(instance: models.Model, names: list[str], *, lock: bool = False) -> dict | None:
    """{field name: stored value as JSON}, to be signed into a form and compared later;
    None if the record is gone. With `lock`, the row stays locked until the transaction ends."""
    fields = [_field(type(instance), name) for name in names]
    rows = type(instance)._base_manager.filter(pk=instance.pk)
    row = (rows.select_for_update() if lock else rows).values(*(f.attname for f in fields)).first()
    if row is None:
        return None
    return {field.name: _as_json(row[field.attname]) for field in fields}


def _as_json(value):
    return value if value is None or isinstance(value, bool | int | str) else str(value)


def _show(field, value) -> str:
    if field.many_to_many:  # the history's rows of the link table: name the targets
        ids = [row[field.m2m_reverse_field_name()] for row in value or []]
        targets = field.related_model._base_manager.filter(pk__in=ids)
        return ", ".join(sorted(str(target) for target in targets)) or "–"
    if value in (None, ""):
        return "–"
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and field.many_to_one:
        target = field.related_model._base_manager.filter(pk=value).first()
        return str(target) if target is not None else str(value)
    return str(value)
