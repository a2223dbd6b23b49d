"""Finding a partner: profiles of municipalities seeking one ("vi söker en partner").

A profile is a Swedish municipality's (one of the register's organisations, published by
its editors) or a foreign place's, entered by the installation's staff, as ICLD and
CLAIR list them. A profile is shown until its last day of validity, then disappears by
itself; `send-reminders` writes to its contact before that (national/reminders.py).
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from register.models import FocusArea, Organisation, Place, validate_country_code

HOME = "SE"


def country_codes(text: str) -> list[str]:
    """'it, DE;fr' -> ['IT', 'DE', 'FR']: codes split by commas, semicolons or spaces."""
    return [code.upper() for code in re.split(r"[\s,;]+", text or "") if code]


def validate_country_list(text: str) -> None:
    bad = []
    for code in country_codes(text):
        try:
            validate_country_code(code)
        except ValidationError:
            bad.append(code)
    if bad:
        raise ValidationError(
            _("Not ISO 3166-1 alpha-2 country codes: %(codes)s (write for example IT, DE)."),
            code="unknown_country",
            params={"codes": ", ".join(bad)},
        )


class PartnerProfileQuerySet(models.QuerySet):
    def valid_on(self, today: date):
        """Published and not expired: shown on the public pages."""
        return self.filter(is_published=True, valid_until__gte=today)


class PartnerProfile(models.Model):
    """A municipality looking for a partner: what it wants, what it offers, until when."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="partner_profiles",
        verbose_name=_("municipality"),
        help_text=_("A municipality keeping its register here; its editors publish it."),
    )
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_profiles",
        verbose_name=_("foreign place"),
        help_text=_("A foreign municipality seeking a Swedish partner, entered by staff."),
    )
    entered_by_staff = models.BooleanField(_("entered by staff"), default=False, editable=False)
    themes = models.ManyToManyField(
        FocusArea, blank=True, related_name="partner_profiles", verbose_name=_("themes")
    )
    countries = models.CharField(
        _("countries wanted"),
        max_length=200,
        blank=True,
        validators=[validate_country_list],
        help_text=_("ISO 3166-1 alpha-2 codes, separated by commas, e.g. IT, DE."),
    )
    regions = models.CharField(
        _("regions wanted"),
        max_length=200,
        blank=True,
        help_text=_("In words, e.g. “the Baltic Sea region”."),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    offers = models.TextField(_("what we offer"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    valid_until = models.DateField(_("valid until"))
    is_published = models.BooleanField(_("published"), default=False)
    # The valid_until a reminder was sent for: once per expiry date, again if extended.
    reminder_sent_for = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnerProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner profile")
        verbose_name_plural = _("partner profiles")
        ordering = ["valid_until", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(place__isnull=True))
                | (Q(organisation__isnull=True) & Q(place__isnull=False)),
                name="partnerprofile_one_seeker",
            )
        ]
        indexes = [models.Index(fields=["is_published", "valid_until"])]
        permissions = [("enter_foreign_profile", _("Can enter profiles of foreign municipalities"))]

    def __str__(self) -> str:
        return str(_("%(seeker)s seeks a partner")) % {"seeker": self.seeker_name()}

    def clean(self):
        self.countries = ", ".join(dict.fromkeys(country_codes(self.countries)))
        if bool(self.organisation_id) == bool(self.place_id):
            raise ValidationError(
                {
                    "organisation": _(
                        "Choose either a municipality of the register or a foreign place."
                    )
                }
            )
        if self.place_id and self.place.country == HOME:
            raise ValidationError(
                {
                    "place": _(
                        "A Swedish municipality publishes its own profile: choose it as "
                        "the municipality."
                    )
                }
            )

    def save(self, *args, **kwargs):
        self.entered_by_staff = self.organisation_id is None
        super().save(*args, **kwargs)

    @property
    def seeker(self) -> Place:
        return self.organisation.place if self.organisation_id else self.place

    def seeker_name(self, lang: str | None = None) -> str:
        if self.organisation_id:
            return self.organisation.name
        return self.place.display_name(lang) if self.place_id else "?"

    @property
    def wanted_countries(self) -> list[str]:
        return country_codes(self.countries)

    @property
    def is_foreign(self) -> bool:
        return self.organisation_id is None
