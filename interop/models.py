"""Facts reported by outside sources (Wikipedia's lists, Wikidata), kept apart from the
organisations' own registers: a reported pair is what a source says, not a decision.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from register.imprecise import validate_edtf
from register.models import Place, Source
from register.validation import OutsideURLField


class ReportedPairQuerySet(models.QuerySet):
    def involving(self, place: Place):
        return self.filter(Q(place_a=place) | Q(place_b=place))


class ReportedPair(models.Model):
    """Two places an outside source says are twinned. The order carries no meaning, so it
    is stored normalised (lower id first): one row per pair and source."""

    place_a = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")
    place_b = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="reported_pairs")
    start = models.CharField(
        _("start"), max_length=50, blank=True, validators=[validate_edtf], help_text=_("EDTF")
    )
    end = models.CharField(
        _("end"), max_length=50, blank=True, validators=[validate_edtf], help_text=_("EDTF")
    )
    reference_url = OutsideURLField(_("reference URL"), max_length=500, blank=True)
    # The statement's own references (Wikidata's S854 reference URLs), as sources.
    references = models.ManyToManyField(Source, blank=True, related_name="+")

    objects = ReportedPairQuerySet.as_manager()

    class Meta:
        verbose_name = _("reported pair")
        verbose_name_plural = _("reported pairs")
        ordering = ["place_a_id", "place_b_id", "source_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "place_a", "place_b"], name="reportedpair_once_per_source"
            ),
            # Normalised order: (a, b) and (b, a) are the same pair.
            models.CheckConstraint(
                condition=Q(place_a__lt=F("place_b")), name="reportedpair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["place_b"])]

    def __str__(self) -> str:
        return f"{self.place_a.name}–{self.place_b.name} ({self.source})"

    @staticmethod
    def ordered(one_id: int, other_id: int) -> tuple[int, int]:
        return (one_id, other_id) if one_id < other_id else (other_id, one_id)
