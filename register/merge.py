"""Merging two places that are one town, and undoing it.

`merge_places(keep, remove, by)` moves everything that names `remove` to `keep` in one
transaction: relations, names in other languages (one per language: the kept place's
stay, the other's are reported and dropped), sources, and what other apps hold (the
interop app's reported pairs, through the `moving_place` signal); blanks of the kept
place (region, coordinates, Wikidata id) are filled from the removed one; then `remove`
is deleted. Both places' history records it ("Merged with …"), and a `PlaceMerge` row
keeps what moved, so `undo_merge` can bring the removed place back from its history with
its links.

Refused, changing nothing: a place merged with itself, two different Wikidata ids, the
removed place being an organisation's own place, two relations of one organisation (one
with each place), or a relation that would become the organisation's own place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext

from register import history
from register.models import Organisation, Place, PlaceMerge, PlaceName, Relation

# Sent inside the merge's transaction with keep= and remove= (Places): a receiver moves
# what its app holds and returns (key, JSON-able data) for the undo, or None.
moving_place = Signal()
# Sent inside the undo's transaction with keep=, removed= (the restored Place) and
# moved= (every receiver's data under its key).
undoing_place_merge = Signal()

FILLED_FIELDS = ["region", "latitude", "longitude", "wikidata_id"]


@dataclass
class MergeReport:
    merge: PlaceMerge
    relations: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    dropped_names: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)
    others: dict[str, object] = field(default_factory=dict)


def refusal(keep: Place, remove: Place) -> ValidationError | None:
    """Why `remove` cannot be merged into `keep`, in the user's language; None if it can."""
    if keep.pk == remove.pk:
        return ValidationError(gettext("A place cannot be merged with itself."), code="same")
    if keep.wikidata_id and remove.wikidata_id and keep.wikidata_id != remove.wikidata_id:
        return ValidationError(
            gettext(
                "Wikidata id: %(keep)s has %(one)s and %(remove)s has %(other)s; places "
                "with different Wikidata ids are different places and are not merged."
            )
            % {
                "keep": keep,
                "one": keep.wikidata_id,
                "remove": remove,
                "other": remove.wikidata_id,
            },
            code="wikidata",
        )
    owner = Organisation.objects.filter(place=remove).first()
    if owner is not None:
        return ValidationError(
            gettext(
                "Organisation: %(place)s is the place of %(organisation)s; keep it and "
                "merge the other place into it."
            )
            % {"place": remove, "organisation": owner},
            code="organisation",
        )
    both = Relation.objects.filter(partner=remove, organisation__relations__partner=keep)
    for relation in both.select_related("organisation").distinct():
        return ValidationError(
            gettext(
                "Relations: %(organisation)s has a relation with both places; delete or "
                "change one of them first."
            )
            % {"organisation": relation.organisation},
            code="two_relations",
        )
    own = Relation.objects.filter(partner=remove, organisation__place=keep)
    if own.exists():
        return ValidationError(
            gettext("Relations: a place cannot be its own partner (%(place)s).") % {"place": keep},
            code="own_partner",
        )
    return None


@transaction.atomic
def merge_places(keep: Place, remove: Place, by=None) -> MergeReport:
    """Merge `remove` into `keep` (see the module's text); raises ValidationError."""
    keep = Place.objects.select_for_update().get(pk=keep.pk)
    remove = Place.objects.select_for_update().get(pk=remove.pk)
    refused = refusal(keep, remove)
    if refused is not None:
        raise refused
    removed_name = str(remove)
    reason = gettext("Merged with %(place)s (id %(id)s)")
    merge = PlaceMerge.objects.create(
        kept=keep, removed_id=remove.pk, removed_name=removed_name, merged_by=by
    )
    report = MergeReport(merge)
    moved: dict[str, Any] = {}  # JSON: what moved, for the undo

    relations = list(Relation.objects.filter(partner=remove).select_related("organisation"))
    for relation in relations:
        relation.partner = keep
        relation._change_reason = reason % {"place": keep, "id": keep.pk}
        relation.save()
        report.relations.append(str(relation.organisation))
    moved["relations"] = [relation.pk for relation in relations]

    languages = set(keep.names.values_list("language", flat=True))
    moved["names"], moved["dropped_names"] = [], []
    for name in remove.names.order_by("language"):
        if name.language in languages:
            moved["dropped_names"].append([name.language, name.name])
            report.dropped_names.append(f"{name.name} ({name.language})")
            continue  # deleted with the removed place; its history keeps it
        name.place = keep
        setattr(name, "_change_reason", reason % {"place": keep, "id": keep.pk})  # noqa: B010
        name.save()
        moved["names"].append(name.pk)
        report.names.append(f"{name.name} ({name.language})")

    before = set(keep.sources.values_list("pk", flat=True))
    added = remove.sources.exclude(pk__in=before)
    moved["sources"] = sorted(added.values_list("pk", flat=True))
    report.sources = [str(source) for source in added]

    moved["filled"] = [
        name
        for name in FILLED_FIELDS
        if getattr(keep, name) in (None, "") and getattr(remove, name) not in (None, "")
    ]
    values = {name: getattr(remove, name) for name in moved["filled"]}
    report.filled = [
        str(getattr(Place._meta.get_field(name), "verbose_name", name)) for name in moved["filled"]
    ]

    for response in moving_place.send(sender=Place, keep=keep, remove=remove):
        # (what, data) from the app that moved it; the stubs type a receiver's answer as text.
        answer = cast("tuple[str, Any] | None", response[1])
        if answer is not None:
            key, data = answer
            moved[key] = data
            report.others[key] = data

    remove._change_reason = reason % {"place": keep, "id": keep.pk}
    _refuse_left_behind(remove)
    remove.delete()  # first: a Wikidata id is unique, and the kept place may take it

    with history.one_row(keep):
        for name, value in values.items():
            setattr(keep, name, value)
        keep._change_reason = reason % {"place": removed_name, "id": merge.removed_id}
        keep.save()
        keep.sources.add(*moved["sources"])
    merge.moved = moved
    merge.save(update_fields=["moved"])
    return report


def _refuse_left_behind(remove: Place) -> None:
    """Nothing may still point at the removed place (it would be deleted with it, or
    block the deletion): an app that holds places and did not move them stops the merge."""
    reverse: list[Any] = [f for f in Place._meta.get_fields(include_hidden=True) if f.auto_created]
    for relation in reverse:
        model = relation.related_model
        if not relation.is_relation or relation.many_to_many or model is None:
            continue
        if hasattr(model, "instance_type") or model._meta.auto_created:  # history, links
            continue
        if model in (PlaceName, PlaceMerge):
            continue
        if model._base_manager.filter(**{relation.field.name: remove}).exists():
            raise RuntimeError(f"{model._meta.label}.{relation.field.name} was not moved")


@transaction.atomic
def undo_merge(merge: PlaceMerge, by=None) -> Place:
    """Bring the removed place back from its history and move back what moved."""
    merge = PlaceMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(gettext("This merge has already been undone."), code="undone")
    if Place._base_manager.filter(pk=merge.removed_id).exists():
        raise ValidationError(gettext("The removed place exists again."), code="exists")
    keep = Place.objects.select_for_update().get(pk=merge.kept_id)
    moved = merge.moved
    reason = gettext("Merge with %(place)s undone") % {"place": merge.removed_name}

    with history.one_row(keep):
        for name in moved.get("filled", []):
            setattr(keep, name, None if name in ("latitude", "longitude") else "")
        keep._change_reason = reason
        if moved.get("filled"):
            keep.save()
        keep.sources.remove(*moved.get("sources", []))

    deleted = Place.history.filter(id=merge.removed_id, history_type="-").latest()
    removed = history.restore(deleted, reason)

    for relation in Relation.objects.filter(pk__in=moved.get("relations", []), partner=keep):
        relation.partner = removed
        relation._change_reason = reason
        relation.save()
    for name in PlaceName.objects.filter(pk__in=moved.get("names", []), place=keep):
        name.place = removed
        setattr(name, "_change_reason", reason)  # noqa: B010 - read by simple-history
        name.save()
    for language, text in moved.get("dropped_names", []):
        PlaceName.objects.get_or_create(place=removed, language=language, defaults={"name": text})

    undoing_place_merge.send(sender=Place, keep=keep, removed=removed, moved=moved)
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    return removed
