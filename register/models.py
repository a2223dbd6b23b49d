"""The register: places, organisations, relations, agreements, decisions,
activities and sources, with the rules that govern them.

This module knows nothing of HTTP or templates; every face (page, admin, API,
CLI) calls the rules defined here.
"""

from __future__ import annotations

import operator
from datetime import date
from functools import reduce
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
    RegexValidator,
)
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from register import governance, hours
from register.imprecise import (
    ImpreciseDate,
    format_count,
    format_date,
    format_span,
    validate_edtf,
)
from register.language import babel_locale_object, current_lang
from register.validation import OutsideURLField


def localized(obj, field: str, lang: str | None = None) -> str:
    """The value of `field_<lang>`, falling back to Swedish, then English."""
    return localized_with_language(obj, field, lang)[0]


def localized_with_language(obj, field: str, lang: str | None = None) -> tuple[str, str]:
    """(value, the language it is in): a page marks a fallback ('only in Swedish')."""
    lang = lang or current_lang()
    for candidate in (lang, "sv", "en"):
        value = getattr(obj, f"{field}_{candidate}", "")
        if value:
            return value, candidate
    return "", lang


# Kosovo has no ISO 3166-1 code yet; XK is the user-assigned code the EU and Wikidata use.
USER_ASSIGNED_COUNTRY_CODES = {"XK"}


def validate_country_code(code: str) -> None:
    code = code or ""
    if code.upper() in USER_ASSIGNED_COUNTRY_CODES and len(code) == 2:
        return
    import pycountry  # here: loading its data takes a moment

    if pycountry.countries.get(alpha_2=code.upper()) is None or len(code) != 2:
        raise ValidationError(
            _("“%(code)s” is not an ISO 3166-1 alpha-2 country code (for example SE, IT, TZ)."),
            code="unknown_country",
            params={"code": code},
        )


def country_name(code: str, lang: str | None = None) -> str:
    """The country's name in the reader's language: IT -> Italien / Italy."""
    locale = babel_locale_object(lang or current_lang())
    return locale.territories.get(code.upper(), code)


wikidata_id_validator = RegexValidator(
    r"^Q[1-9][0-9]*$", _("A Wikidata id is Q followed by digits, for example Q25568.")
)


# One history recorder for every versioned model (inherit=True makes a history table
# per concrete subclass); register/history.py writes rows with it when it defers them.
TIMESTAMPED_HISTORY = HistoricalRecords(inherit=True)


# The history's change reasons for a publication and a withdrawal (register/publishing.py).
PUBLISHED, WITHDRAWN = "Publicerad", "Avpublicerad"


class Timestamped(models.Model):
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Bumped on every save; an edit form sends the version it showed, and a save based on
    # an older version is refused (no lost updates, see register/concurrency.py).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Who changed what and when, per concrete model (django-simple-history). A subclass
    # names its many-to-many fields in `_history_m2m_fields` to record them too.
    history = TIMESTAMPED_HISTORY

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        """Django's field checks, and no NUL in any text: PostgreSQL refuses it outright
        (a DataError at save, so a 500), SQLite would keep it. Django's forms check it;
        imports and other callers of full_clean() get the same named error here."""
        errors: dict = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as refused:
            errors = refused.update_error_dict(errors)
        no_nul = ProhibitNullCharactersValidator()
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname, None)
            if (exclude and field.name in exclude) or not isinstance(value, str):
                continue
            try:
                no_nul(value)
            except ValidationError as refused:
                errors.setdefault(field.name, []).extend(refused.error_list)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self._note_publication()
        if not self._state.adding and self.pk is not None:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
        # The record and its history row (written on post_save) commit together, so a
        # snapshot or a crash never sees one without the other.
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)

    def _note_publication(self) -> None:
        """Publishing and withdrawing are named in the history ("Publicerad",
        "Avpublicerad"), whichever face saves the record."""
        if not hasattr(self, "is_published"):
            return
        if getattr(self, "_publication_noted", False):
            self._publication_noted = False
            self._change_reason = None
        if getattr(self, "_change_reason", None):
            return
        was = None
        if not self._state.adding and self.pk is not None:
            # Only subclasses with is_published get here (checked above); the abstract
            # base the type checker sees has no such field.
            was = (
                type(self)
                ._base_manager.filter(pk=self.pk)
                .values_list("is_published", flat=True)  # type: ignore[misc]
                .first()
            )
        if bool(was) != bool(self.is_published) and (was is not None or self.is_published):
            self._change_reason = PUBLISHED if self.is_published else WITHDRAWN
            self._publication_noted = True


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


# --- vocabularies (an administrator can extend them) ---------------------------


class Vocabulary(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    label_sv = models.CharField(_("Swedish label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self, "label")


class AgreementKind(Vocabulary):
    """Vänortsavtal, samarbetsavtal, kommunalt partnerskap, avsiktsförklaring, …"""

    has_duration = models.BooleanField(
        _("has a duration"),
        default=True,
        help_text=_("Off for a document that is signed once, such as a letter of intent."),
    )
    plural_sv = models.CharField(_("Swedish plural"), max_length=100, blank=True)
    plural_en = models.CharField(_("English plural"), max_length=100, blank=True)
    description_sv = models.TextField(_("Swedish description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)

    class Meta(Vocabulary.Meta):
        verbose_name = _("agreement kind")
        verbose_name_plural = _("agreement kinds")

    @property
    def plural(self) -> str:
        return localized(self, "plural") or self.label

    @property
    def description(self) -> str:
        return localized(self, "description")


class FocusArea(Vocabulary):
    """Utbildning, ungdomsfrågor, kultur, … (also used as an activity's themes)."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")


class ActivityKind(Vocabulary):
    """Medborgarmöte, utbyte, besök, …"""

    class Meta(Vocabulary.Meta):
        verbose_name = _("activity kind")
        verbose_name_plural = _("activity kinds")


class DecidingBody(models.TextChoices):
    """The bodies of a Swedish municipality that decide on agreements."""

    COUNCIL = "kf", _("municipal council")
    EXECUTIVE_BOARD = "ks", _("executive board")
    COMMITTEE = "namnd", _("committee")

    @property
    def order(self) -> int:
        return list(DecidingBody).index(self)


# --- places and organisations ---------------------------------------------------


class Place(Timestamped):
    """Any town or municipality, ours or a partner."""

    name = models.CharField(_("name"), max_length=200, help_text=_("The name used locally."))
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[validate_country_code],
        help_text=_("ISO 3166-1 alpha-2 code, e.g. IT."),
    )
    region = models.CharField(_("region"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    wikidata_id = models.CharField(
        _("Wikidata id"), max_length=20, blank=True, validators=[wikidata_id_validator]
    )
    sources: models.ManyToManyField = models.ManyToManyField(
        "Source", blank=True, related_name="places", verbose_name=_("sources")
    )
    _history_m2m_fields = ["sources"]

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="place_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="place_longitude_in_range",
            ),
            # Wikidata ids identify a place; blank means "not known yet".
            models.UniqueConstraint(
                fields=["wikidata_id"], condition=~Q(wikidata_id=""), name="place_unique_wikidata"
            ),
        ]
        indexes = [models.Index(fields=["country", "name"])]
        permissions = [("merge_place", _("Can merge two places into one"))]

    def __str__(self) -> str:
        return self.display_name()

    def clean(self):
        if self.country:
            self.country = self.country.upper()

    def display_name(self, lang: str | None = None) -> str:
        """The name in the reader's language (Hangö in Swedish, Hanko in English)."""
        lang = lang or current_lang()
        for other in self.names.all():  # prefetched on pages: no query per place
            if other.language == lang:
                return other.name
        return self.name

    def country_name(self, lang: str | None = None) -> str:
        return country_name(self.country, lang)


class PlaceName(models.Model):
    place = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="names", verbose_name=_("place")
    )
    language = models.CharField(_("language"), max_length=8, help_text=_("e.g. sv, en, fi"))
    name = models.CharField(_("name"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("name in another language")
        verbose_name_plural = _("names in other languages")
        constraints = [
            models.UniqueConstraint(fields=["place", "language"], name="placename_one_per_language")
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


# The first part of the addresses of the site's own pages under /sv/ and /en/ (the
# national register's /sv/register/): an organisation with such a slug would be hidden.
RESERVED_SLUGS = frozenset({"register"})


class Organisation(Timestamped):
    """A place that keeps its register in Vänort, with its contact details."""

    place = models.OneToOneField(
        Place, on_delete=models.PROTECT, related_name="organisation", verbose_name=_("place")
    )
    slug = models.SlugField(_("slug"), unique=True)
    name_sv = models.CharField(_("Swedish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    visiting_address = models.CharField(_("visiting address"), max_length=200, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=200, blank=True)
    map_url = OutsideURLField(_("map link"), blank=True)
    website = OutsideURLField(_("website"), blank=True)
    visitor_hours = models.CharField(
        _("visitor opening hours"),
        max_length=255,
        blank=True,
        validators=[hours.validate_opening_hours],
        help_text=_("OpenStreetMap opening_hours syntax, e.g. Mo-Th 08:00-17:00; PH off"),
    )
    phone_hours = models.CharField(
        _("phone hours"),
        max_length=255,
        blank=True,
        validators=[hours.validate_opening_hours],
        help_text=_("OpenStreetMap opening_hours syntax, e.g. Mo-Th 07:00-17:00; PH off"),
    )
    background_sv = models.TextField(_("background (Swedish)"), blank=True)
    background_en = models.TextField(_("background (English)"), blank=True)
    colour = models.CharField(
        _("brand colour"),
        max_length=7,
        default="#005a9c",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour is # and six hex digits."))],
    )
    sources: models.ManyToManyField = models.ManyToManyField(
        "Source", blank=True, related_name="organisations", verbose_name=_("sources")
    )
    _history_m2m_fields = ["sources"]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_sv"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.slug and self.slug.lower() in RESERVED_SLUGS:
            raise ValidationError(
                {
                    "slug": _(
                        "“%(slug)s” cannot be an organisation’s slug: the site’s own pages "
                        "use the address /sv/%(slug)s/. Choose another, e.g. the "
                        "municipality’s name."
                    )
                    % {"slug": self.slug}
                }
            )

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def background(self) -> str:
        return localized(self, "background")

    def body_for(self, kind: AgreementKind) -> str | None:
        """The body that this organisation's rules say decides agreements of `kind`."""
        for rule in self.governance_rules.all():
            if rule.kind_id == kind.pk:
                return rule.body
        return None

    def rules_by_body(self) -> list[tuple[DecidingBody, list[AgreementKind]]]:
        """[(council, [twinning agreements]), (board, [cooperation, partnership])]."""
        grouped: dict[str, list[AgreementKind]] = {}
        for rule in sorted(self.governance_rules.all(), key=lambda r: (r.kind.order, r.kind.code)):
            grouped.setdefault(rule.body, []).append(rule.kind)
        return sorted(
            ((DecidingBody(body), kinds) for body, kinds in grouped.items()),
            key=lambda pair: pair[0].order,
        )

    def visitor_hours_now(self, when=None) -> hours.OpenState | None:
        return hours.state(self.visitor_hours, when) if self.visitor_hours else None

    def phone_hours_now(self, when=None) -> hours.OpenState | None:
        return hours.state(self.phone_hours, when) if self.phone_hours else None


class GovernanceRule(models.Model):
    """Which body decides which kind of agreement, for one organisation."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="governance_rules",
        verbose_name=_("organisation"),
    )
    kind = models.ForeignKey(AgreementKind, on_delete=models.PROTECT, verbose_name=_("kind"))
    body = models.CharField(_("deciding body"), max_length=10, choices=DecidingBody.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("governance rule")
        verbose_name_plural = _("governance rules")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="one_rule_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()}: {self.kind}"


# --- sources ----------------------------------------------------------------------


class SourceQuerySet(models.QuerySet):
    def cited_publicly(self):
        """Sources that back something published: a source cited only by drafts (or by
        nothing yet) stays out of open data, as the drafts themselves do."""
        cited = [
            Exists(model.filter(sources=OuterRef("pk")))
            for model in (
                Place.objects.all(),
                Organisation.objects.all(),
                Relation.objects.published(),
                Decision.objects.filter(relation__is_published=True),
                Agreement.objects.published(),
                Activity.objects.published(),
            )
        ]
        return self.filter(reduce(operator.or_, (Q(c) for c in cited)))


class Source(Timestamped):
    """Where a fact comes from. Disagreeing sources are kept side by side."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sources_kept",
        verbose_name=_("organisation"),
        help_text=_("Blank for a source shared by the whole installation."),
    )
    title = models.CharField(_("title"), max_length=300)
    url = OutsideURLField(_("URL"), max_length=500, blank=True)
    document = models.CharField(
        _("document"), max_length=300, blank=True, help_text=_("A document or file reference.")
    )
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    accessed_on = models.DateField(_("date read"), null=True, blank=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if not self.url and not self.document:
            raise ValidationError({"url": _("Give a URL or a document reference.")})


# --- relations, decisions, agreements, activities ---------------------------------


class PageSection(models.TextChoices):
    """The groups the public page may show relations in. A relation without one has a
    section of its own; the field stays text, so that a register imported with other keys
    keeps them (the admin offers them beside these)."""

    NORDIC = "nordic", _("the Nordic twin towns")
    EUROPE = "europe", _("partners elsewhere in Europe")
    PARTNERSHIPS = "partnerships", _("municipal partnerships")

    @classmethod
    def label_of(cls, key: str) -> str:
        return str(cls(key).label) if key in cls.values else key


class Relation(Timestamped):
    """A relation between the organisation's place and a partner place."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="relations",
        verbose_name=_("organisation"),
    )
    partner = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="relations", verbose_name=_("partner")
    )
    since = models.CharField(
        _("since"),
        max_length=50,
        blank=True,
        validators=[validate_edtf],
        help_text=_("When the relation began, as exactly as it is known."),
    )
    section = models.CharField(
        _("page section"),
        max_length=100,
        blank=True,
        help_text=_(
            "Partners in the same section are presented together on the public page, for "
            "example the Nordic twin towns. Without one, the partner has a section of its own."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("New records start as drafts: preview them, then publish."),
    )
    sources = models.ManyToManyField(
        Source, blank=True, related_name="relations", verbose_name=_("sources")
    )
    _history_m2m_fields = ["sources"]

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "partner"], name="one_relation_per_partner"
            )
        ]

    def __str__(self) -> str:
        # One name per place: the reader's (Hangö in Swedish), as the public page writes it.
        return f"{self.organisation.place.display_name()}–{self.partner.display_name()}"

    @property
    def description(self) -> str:
        return localized(self, "description")

    def since_text(self, lang: str | None = None) -> str:
        return format_date(self.since, lang or current_lang(), since=True)

    def status_on(self, day: date) -> str:
        """The relation's status on `day`, from its agreements (those prefetched, if
        any): active while one is active, else upcoming while one is to come, else
        ended; NO_AGREEMENT ("none") when no agreement is recorded."""
        statuses = {agreement.status_on(day) for agreement in self.agreements.all()}
        if not statuses:
            return NO_AGREEMENT
        for status in (AgreementStatus.ACTIVE, AgreementStatus.UPCOMING):
            if status in statuses:
                return status.value
        return AgreementStatus.ENDED.value

    def clean(self):
        if self.organisation_id and self.partner_id == self.organisation.place_id:
            raise ValidationError({"partner": _("A place cannot be its own partner.")})


class Decision(Timestamped):
    """A decision by a municipal body, with its reference ("KF § 54/23")."""

    relation = models.ForeignKey(
        Relation, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("relation")
    )
    body = models.CharField(_("deciding body"), max_length=10, choices=DecidingBody.choices)
    date = models.CharField(_("date"), max_length=50, blank=True, validators=[validate_edtf])
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("e.g. KS 2008/123 or KF § 54/23")
    )
    summary_sv = models.CharField(_("summary (Swedish)"), max_length=300, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    url = OutsideURLField(_("URL"), blank=True)
    # How the decision was taken: unanimously, or by a vote (counts as the minutes give them).
    unanimous = models.BooleanField(_("unanimous"), default=False)
    votes_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("votes against"), null=True, blank=True)
    votes_abstaining = models.PositiveIntegerField(_("abstaining"), null=True, blank=True)
    sources = models.ManyToManyField(
        Source, blank=True, related_name="decisions", verbose_name=_("sources")
    )
    _history_m2m_fields = ["sources"]

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unanimous=False) | Q(votes_against__isnull=True) | Q(votes_against=0),
                name="decision_unanimous_has_no_votes_against",
            ),
        ]

    def __str__(self) -> str:
        parts = [self.get_body_display(), self.reference, format_date(self.date)]
        return ", ".join(part for part in parts if part)

    def how_taken_text(self, lang: str | None = None) -> str:
        """'enhälligt' / 'unanimously', or '31 för, 12 emot, 2 avstod'; '' if not recorded."""
        sv = (lang or current_lang()) == "sv"
        if self.unanimous:
            return "enhälligt" if sv else "unanimously"
        words = (("för", "for"), ("emot", "against"), ("avstod", "abstaining"))
        counts = (self.votes_for, self.votes_against, self.votes_abstaining)
        return ", ".join(
            f"{count} {word[0] if sv else word[1]}"
            for count, word in zip(counts, words, strict=True)
            if count is not None
        )

    def clean(self):
        errors: dict[str, list] = {}
        if self.unanimous and self.votes_against:
            errors["votes_against"] = [
                _(
                    "A unanimous decision has no votes against: untick “unanimous” or "
                    "leave the votes against blank."
                )
            ]
        if self.relation_id:
            for field, messages in governance.decision_errors(self).items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)


class AgreementStatus(models.TextChoices):
    UPCOMING = "upcoming", _("upcoming")
    ACTIVE = "active", _("active")
    ENDED = "ended", _("ended")


NO_AGREEMENT = "none"  # Relation.status_on when no agreement is recorded


class AgreementQuerySet(PublishedQuerySet):
    def published(self):
        """A published agreement of a published relation: a draft relation hides its parts."""
        return self.filter(is_published=True, relation__is_published=True)

    def with_status_on(self, day: date, status: str):
        """Filter by the status derived for `day`, in the database."""
        upcoming = Q(start_earliest__gt=day)
        ended = Q(end_latest__lt=day)
        if status == AgreementStatus.UPCOMING:
            return self.filter(upcoming)
        if status == AgreementStatus.ENDED:
            return self.filter(ended)
        return self.exclude(upcoming).exclude(ended)


class Agreement(Timestamped):
    """An agreement within a relation: its kind, dates or term, areas, funding, decision."""

    relation = models.ForeignKey(
        Relation, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("relation")
    )
    kind = models.ForeignKey(AgreementKind, on_delete=models.PROTECT, verbose_name=_("kind"))
    start = models.CharField(
        _("start"),
        max_length=50,
        blank=True,
        validators=[validate_edtf],
        help_text=_("When the agreement took effect: for example 2008, October 2010, the 1990s."),
    )
    end = models.CharField(
        _("end"),
        max_length=50,
        blank=True,
        validators=[validate_edtf],
        help_text=_("Leave blank when a term is given or the agreement runs until further notice."),
    )
    term_months = models.PositiveSmallIntegerField(
        _("term in months"), null=True, blank=True, help_text=_("e.g. 48 for four years")
    )
    focus_areas = models.ManyToManyField(
        FocusArea, blank=True, related_name="agreements", verbose_name=_("focus areas")
    )
    responsible_unit = models.CharField(_("responsible unit"), max_length=200, blank=True)
    decision = models.ForeignKey(
        Decision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("decision"),
    )
    # "Beslut ej registrerat": a historical agreement whose decision is not in the
    # register, said so explicitly and why (register/governance.py).
    decision_not_on_record = models.BooleanField(
        _("decision not on record"),
        default=False,
        help_text=_(
            "For an agreement decided before the digital records: say so here, with the "
            "reason, instead of linking the decision."
        ),
    )
    decision_not_on_record_reason = models.TextField(
        _("why the decision is not on record"), blank=True
    )
    purpose_sv = models.TextField(_("purpose (Swedish)"), blank=True)
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("New records start as drafts: preview them, then publish."),
    )
    sources = models.ManyToManyField(
        Source, blank=True, related_name="agreements", verbose_name=_("sources")
    )
    _history_m2m_fields = ["focus_areas", "sources"]
    # Lifecycle (register/lifecycle.py): a renewal is the next agreement, linked to the
    # one it renews; an agreement ended before its term records when and by what decision.
    renews = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renews"),
    )
    ended_early_on = models.CharField(
        _("ended early on"),
        max_length=50,
        blank=True,
        validators=[validate_edtf],
        help_text=_("The day the agreement was ended before its end or term."),
    )
    ending_decision = models.ForeignKey(
        Decision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ended_agreements",
        verbose_name=_("ending decision"),
    )

    # Bounds derived from start, end and term on every save, so that status can be
    # filtered in the database. They are a cache of the EDTF text, never typed in.
    start_earliest = models.DateField(null=True, editable=False)
    end_latest = models.DateField(null=True, editable=False, db_index=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["start_earliest", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_earliest__isnull=True)
                | Q(end_latest__isnull=True)
                | Q(end_latest__gte=F("start_earliest")),
                name="agreement_end_not_before_start",
            ),
            # An agreement is renewed at most once: two "Renew" clicks at the same moment
            # cannot both succeed (register/lifecycle.renew also locks the agreement).
            models.UniqueConstraint(
                fields=["renews"],
                name="agreement_renewed_at_most_once",
                violation_error_code="already_renewed",
                violation_error_message=_("This agreement has already been renewed."),
            ),
        ]

    def __str__(self) -> str:
        try:
            period = self.period_text()
        except (ValueError, KeyError, IndexError, TypeError, ValidationError):
            # A refused form shows the row with its invalid dates: named as typed, no 500.
            period = "/".join(filter(None, [self.start, self.end]))
        return f"{self.kind} {period}".strip()

    # -- derived dates and status --

    @property
    def effective_end(self) -> str:
        """The end as written, or start + term ("2008" + four years = "2012")."""
        if self.ended_early_on:
            return self.ended_early_on
        if self.end:
            return self.end
        if self.start and self.term_months:
            try:
                return ImpreciseDate(self.start).plus_months(self.term_months).text
            except (ValueError, ValidationError):
                return ""
        return ""

    def refresh_bounds(self) -> None:
        self.start_earliest = ImpreciseDate(self.start).earliest if self.start else None
        end = self.effective_end
        self.end_latest = ImpreciseDate(end).latest if end else None

    def status_on(self, day: date) -> AgreementStatus:
        """Upcoming, active or ended on `day`, derived from the dates alone: from the
        bounds stored at save (and at clean), without parsing the dates again; an
        agreement not yet saved has its bounds derived first."""
        if self._state.adding:
            self.refresh_bounds()
        if self.start_earliest and day < self.start_earliest:
            return AgreementStatus.UPCOMING
        if self.end_latest and day > self.end_latest:
            return AgreementStatus.ENDED
        return AgreementStatus.ACTIVE

    def period_text(self, lang: str | None = None) -> str:
        """'2008–2012', 'sedan 1940-talet', or just '2009' for a letter of intent."""
        lang = lang or current_lang()
        if not self.kind.has_duration and not self.effective_end:
            return format_date(self.start, lang)
        return format_span(self.start, self.effective_end, lang)

    def term_text(self, lang: str | None = None) -> str:
        return term_words(self.term_months, lang or current_lang())

    @property
    def purpose(self) -> str:
        return localized(self, "purpose")

    # -- validation --

    def clean(self):
        errors: dict[str, list] = {}
        if self.end and self.term_months:
            errors.setdefault("term_months", []).append(
                _("Give either an end or a term, not both.")
            )
        try:
            self.refresh_bounds()
        except ValidationError:
            self.start_earliest = self.end_latest = None  # field validators report it
        if self.start_earliest and self.end_latest and self.end_latest < self.start_earliest:
            errors.setdefault("end", []).append(_("The end cannot be before the start."))
        self.settle_decision_mark()
        for field, messages in self._lifecycle_errors().items():
            errors.setdefault(field, []).extend(messages)
        # The governance rule, one for every face (register/governance.py).
        for field, messages in governance.agreement_errors(self).items():
            errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def _lifecycle_errors(self) -> dict[str, list]:
        """A renewal follows an agreement of the same relation; an early end has its decision."""
        errors: dict[str, list] = {}
        renewed = self.renews if self.renews_id else None
        if renewed is not None and self.relation_id and renewed.relation_id != self.relation_id:
            errors["renews"] = [_("An agreement can only renew an agreement of its own relation.")]
        if self.renews_id and self.renews_id == self.pk:
            errors["renews"] = [_("An agreement cannot renew itself.")]
        if self.ended_early_on and not self.ending_decision_id:
            errors["ending_decision"] = [
                _("An agreement ended early needs the decision that ended it.")
            ]
        return errors

    @property
    def decision_record_text(self) -> str:
        """'Beslut ej registrerat' / 'Decision not on record' when so marked, else ''."""
        return str(_("Decision not on record")) if self.decision_not_on_record else ""

    def settle_decision_mark(self) -> None:
        """A linked decision replaces the mark "decision not on record": it is on record now."""
        if self.decision_id and self.decision_not_on_record:
            self.decision_not_on_record = False
            self.decision_not_on_record_reason = ""

    def save(self, *args, **kwargs):
        self.refresh_bounds()
        self.settle_decision_mark()
        if kwargs.get("update_fields") is not None and self.decision_id:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "decision_not_on_record",
                "decision_not_on_record_reason",
            }
        super().save(*args, **kwargs)


def term_words(months: int | None, lang: str) -> str:
    if not months:
        return ""
    numbers_sv = ["", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio"]
    numbers_en = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    if months % 12 == 0 and months // 12 <= 10:
        years = months // 12
        if lang == "sv":
            return f"{numbers_sv[years]} år"
        return f"{numbers_en[years]} year{'s' if years > 1 else ''}"
    return f"{months} månader" if lang == "sv" else f"{months} months"


class Funding(models.Model):
    """Who pays for an agreement's work, and what share ("Sida, 100 %")."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="funding", verbose_name=_("agreement")
    )
    funder = models.CharField(_("funder"), max_length=200)
    share_percent = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True)
                | Q(share_percent__gte=0, share_percent__lte=100),
                name="funding_share_is_a_percentage",
            )
        ]

    def __str__(self) -> str:
        if self.share_percent is None:
            return self.funder
        return f"{self.funder}, {self.share_percent.normalize():f} %"


class ActivityQuerySet(PublishedQuerySet):
    def published(self):
        """Published, and not only with draft partners (a draft relation stays hidden)."""
        links = Activity.relations.through.objects.filter(activity=OuterRef("pk"))
        return self.filter(is_published=True).filter(
            Q(Exists(links.filter(relation__is_published=True))) | ~Q(Exists(links))
        )


class Activity(Timestamped):
    """Something done with partners: a citizens' meeting, an exchange, a visit."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("organisation"),
    )
    relations = models.ManyToManyField(
        Relation, related_name="activities", verbose_name=_("partners")
    )
    kind = models.ForeignKey(ActivityKind, on_delete=models.PROTECT, verbose_name=_("kind"))
    title_sv = models.CharField(_("title (Swedish)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    date = models.CharField(_("date"), max_length=50, validators=[validate_edtf])
    themes = models.ManyToManyField(
        FocusArea, blank=True, related_name="activities", verbose_name=_("themes")
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    participants_approximate = models.BooleanField(_("participants approximate"), default=False)
    young_participants = models.PositiveIntegerField(_("young participants"), null=True, blank=True)
    young_participants_approximate = models.BooleanField(
        _("young participants approximate"), default=False
    )
    outcome_sv = models.TextField(_("outcome (Swedish)"), blank=True)
    outcome_en = models.TextField(_("outcome (English)"), blank=True)
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("New records start as drafts: preview them, then publish."),
    )
    sources = models.ManyToManyField(
        Source, blank=True, related_name="activities", verbose_name=_("sources")
    )
    _history_m2m_fields = ["relations", "themes", "sources"]
    date_earliest = models.DateField(null=True, editable=False, db_index=True)
    host_country = models.CharField(
        _("host country"),
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text=_(
            "Where the activity took place, if not in the organisation's own country. "
            "Participants from other countries count as invited from abroad."
        ),
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["date_earliest", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(young_participants__isnull=True)
                | Q(participants__isnull=True)
                | Q(young_participants__lte=F("participants")),
                name="activity_young_not_more_than_all",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.kind} {format_date(self.date)}"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def outcome(self) -> str:
        return localized(self, "outcome")

    def participants_text(self, lang: str | None = None) -> str:
        return format_count(
            self.participants, self.participants_approximate, lang or current_lang()
        )

    def young_participants_text(self, lang: str | None = None) -> str:
        return format_count(
            self.young_participants, self.young_participants_approximate, lang or current_lang()
        )

    def clean(self):
        if (
            self.participants is not None
            and self.young_participants is not None
            and self.young_participants > self.participants
        ):
            raise ValidationError(
                {
                    "young_participants": _(
                        "There cannot be more young participants (%(young)s) "
                        "than participants (%(all)s)."
                    )
                    % {"young": self.young_participants, "all": self.participants}
                }
            )

    def save(self, *args, **kwargs):
        try:
            self.date_earliest = ImpreciseDate(self.date).earliest if self.date else None
        except ValidationError:
            self.date_earliest = None
        super().save(*args, **kwargs)


class ActivityParticipants(models.Model):
    """How many of an activity's participants came from one country (funders ask for this)."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="participants_by_country",
        verbose_name=_("activity"),
    )
    country = models.CharField(
        _("country of origin"),
        max_length=2,
        validators=[validate_country_code],
        help_text=_("ISO 3166-1 alpha-2 code, e.g. IT."),
    )
    count = models.PositiveIntegerField(_("participants"))
    approximate = models.BooleanField(_("approximate"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participants from a country")
        verbose_name_plural = _("participants by country of origin")
        ordering = ["country"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "country"], name="activityparticipants_one_per_country"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country}: {format_count(self.count, self.approximate)}"

    def clean(self):
        if self.country:
            self.country = self.country.upper()


class PlaceMerge(models.Model):
    """Two places merged into one (register/merge.py): what moved, so it can be undone."""

    kept = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="merges")
    removed_id = models.PositiveIntegerField(_("removed place's id"))
    removed_name = models.CharField(_("removed place"), max_length=200)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("merged by"),
    )
    merged_at = models.DateTimeField(_("merged"), auto_now_add=True)
    # {"relations": [ids], "names": [ids], "dropped_names": [[language, name]], ...}
    moved = models.JSONField(_("what moved"), default=dict)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        verbose_name = _("merge of places")
        verbose_name_plural = _("merges of places")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.removed_name} → {self.kept.name}"


# --- the data version (issue 14) -----------------------------------------------------


class DataVersion(models.Model):
    """A token that changes, in the same transaction, with anything a published answer
    shows (register/versions.py bumps it): the key of the response cache. One row per
    organisation (its pages), one for what all organisations share (places not tied to
    one, vocabularies, shared sources) and one for the whole installation (the API).

    A token, not a counter: a transaction that is rolled back never leaves a number that
    a later change could reach again with other data."""

    scope = models.CharField(max_length=40, unique=True)  # "all", "shared", "organisation:7"
    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.scope} {self.token}"


# --- the links of the many-to-many fields, named for the admin ---------------------------


def name_links() -> None:
    """Django names the hidden link tables of many-to-many fields "Activity_relations
    object (1)" and "activity-relation relation", in English, on every delete
    confirmation. Each gets a name in the reader's language and a __str__ that names
    both ends ("Medborgarmöte med Asti – Halmstad–Asti"). Runtime only (RegisterConfig.ready):
    Django keeps no options of these tables in migrations."""
    from django.utils.text import format_lazy

    def link_str(self) -> str:
        ends = [f for f in self._meta.fields if f.is_relation]
        return " – ".join(str(getattr(self, f.name)) for f in ends)

    for model in (Place, Organisation, Relation, Decision, Agreement, Activity):
        for field in model._meta.local_many_to_many:
            through: Any = field.remote_field.through
            target: Any = field.remote_field.model
            if not through._meta.auto_created:
                continue
            names = {"source": model._meta.verbose_name, "target": target._meta.verbose_name}
            through._meta.verbose_name = format_lazy(_("link {source}–{target}"), **names)
            through._meta.verbose_name_plural = format_lazy(_("links {source}–{target}"), **names)
            through.__str__ = link_str
            for end in through._meta.fields:
                end_model: Any = end.related_model
                if end_model is not None:
                    end.verbose_name = end_model._meta.verbose_name
