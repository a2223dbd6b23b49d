"""Reported pairs follow a merge of places (register/merge.py's signals).

A pair is stored in order (lower place id first) and once per source: a pair that names
the removed place is re-pointed at the kept one and re-ordered; if the source already
reports that pair with the kept place, the two are one report and the moved one is
dropped (its start, end and reference fill the kept one's blanks). A pair of the two
merged places themselves says nothing any more and is dropped. What was dropped or
changed is kept for the undo.
"""

from __future__ import annotations

from django.dispatch import receiver

from interop.models import ReportedPair
from register.merge import moving_place, undoing_place_merge
from register.models import Place

KEY = "reported_pairs"
FILLED = ["start", "end", "reference_url"]


def _as_data(pair: ReportedPair) -> dict:
    return {
        "id": pair.pk,
        "place_a": pair.place_a_id,
        "place_b": pair.place_b_id,
        "source": pair.source_id,
        "start": pair.start,
        "end": pair.end,
        "reference_url": pair.reference_url,
        "references": sorted(pair.references.values_list("pk", flat=True)),
    }


@receiver(moving_place, sender=Place)
def move_reported_pairs(sender, keep: Place, remove: Place, **kwargs):
    moved, dropped, filled = [], [], []
    for pair in ReportedPair.objects.involving(remove).order_by("pk"):
        data = _as_data(pair)
        other = pair.place_b_id if pair.place_a_id == remove.pk else pair.place_a_id
        if other == keep.pk:  # the merged places themselves: no pair any more
            dropped.append(data)
            pair.delete()
            continue
        a, b = ReportedPair.ordered(keep.pk, other)
        same = ReportedPair.objects.filter(source=pair.source_id, place_a=a, place_b=b).first()
        if same is not None:
            changed = [f for f in FILLED if not getattr(same, f) and getattr(pair, f)]
            if changed:
                filled.append({"id": same.pk, "fields": changed})
                for name in changed:
                    setattr(same, name, getattr(pair, name))
                same.save(update_fields=changed)
            dropped.append(data)
            pair.delete()
            continue
        pair.place_a_id, pair.place_b_id = a, b
        pair.save(update_fields=["place_a", "place_b"])
        moved.append(data)
    if not (moved or dropped):
        return None
    return KEY, {"moved": moved, "dropped": dropped, "filled": filled}


@receiver(undoing_place_merge, sender=Place)
def move_reported_pairs_back(sender, keep: Place, removed: Place, moved: dict, **kwargs):
    data = moved.get(KEY)
    if not data:
        return
    for fill in data["filled"]:
        ReportedPair.objects.filter(pk=fill["id"]).update(**dict.fromkeys(fill["fields"], ""))
    for row in data["moved"]:
        ReportedPair.objects.filter(pk=row["id"]).update(
            place_a=row["place_a"], place_b=row["place_b"]
        )
    for row in data["dropped"]:
        references = row.pop("references")
        pair_id = row.pop("id")
        pair = ReportedPair.objects.create(
            pk=pair_id,
            place_a_id=row["place_a"],
            place_b_id=row["place_b"],
            source_id=row["source"],
            start=row["start"],
            end=row["end"],
            reference_url=row["reference_url"],
        )
        pair.references.set(references)
