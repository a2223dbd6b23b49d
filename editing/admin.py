"""The register's editing face: the Django admin, arranged for the coordinator's task.

The ModelAdmins of the register's records, each scoped to the user's organisations,
versioned and with history (editing/base.py); who may see and change what is
accounts/roles.py's. Places and vocabularies are shared by the installation: every
member sees them (to find a partner by any of its names), but only changes places no
other organisation uses, and only organisation administrators extend vocabularies.
Memberships are accounts' and have their admin there (accounts/admin.py).
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import may_change_place, organisation_ids, roles_of, visible_sources
from editing.base import RegisterAdmin, ScopedInline, ScopedMixin, VersionedInline
from editing.csv_export import NAMES_IN_ORDER
from editing.forms import (
    AgreementInlineForm,
    AgreementWithDecisionForm,
    LinkedInlineFormSet,
    RenewalForm,
)
from editing.merge_admin import PlaceMergeMixin
from editing.publishing import PublishingMixin
from editing.widgets import published_or_error
from register.imprecise import format_date
from register.language import current_lang
from register.models import (
    NO_AGREEMENT,
    Activity,
    ActivityKind,
    ActivityParticipants,
    Agreement,
    AgreementKind,
    AgreementStatus,
    Decision,
    FocusArea,
    Funding,
    GovernanceRule,
    Organisation,
    PageSection,
    Place,
    PlaceName,
    Relation,
    Source,
)
from register.wording import background_warnings


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """The autocomplete's text from the target admin's `autocomplete_label`, if any
    (PlaceAdmin's names the country and region), else str() as Django does."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.model_admin.model is Place:
            queryset = queryset.prefetch_related("names")  # the label's name, no query each
        return queryset

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


def autocomplete_view(request):
    return LabelledAutocompleteJsonView.as_view(admin_site=admin.site)(request)


admin.site.autocomplete_view = autocomplete_view
admin.site.site_header = _("Vänort – the register")
admin.site.site_title = _("Vänort")
admin.site.index_title = _("Edit the register")


# --- inlines ----------------------------------------------------------------------------


class PlaceNameInline(ScopedInline):
    model = PlaceName
    fields = ["language", "name"]

    def _allowed(self, request, obj) -> bool:
        return may_change_place(request.user, obj)  # a place's names are the place's

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or bool(roles_of(request.user))


class GovernanceRuleInline(ScopedInline):
    model = GovernanceRule
    fields = ["kind", "body"]
    administrators_only = True


# Agreements and decisions have too many fields for a table row at 1280 px (the page
# scrolled sideways to 2168 px): each is a stacked block instead.
STACKED = "admin/edit_inline/stacked.html"


class DecisionInline(VersionedInline):
    model = Decision
    template = STACKED
    fields = ["body", "date", "reference", "summary_sv", "summary_en", "url", "unanimous"]
    show_change_link = True


class AgreementInline(VersionedInline):
    model = Agreement
    template = STACKED
    fk_name = "relation"
    form = AgreementInlineForm
    formset = LinkedInlineFormSet
    fields = [
        "kind",
        "start",
        "end",
        "term_months",
        "decision",
        "decision_not_on_record",
        "decision_not_on_record_reason",
        "is_published",
        "period",
    ]
    readonly_fields = ["period"]
    show_change_link = True

    @admin.display(description=_("as published"))
    def period(self, agreement):
        return period_or_error(agreement)


class ActivityOfRelationInline(ScopedInline):
    model = Activity.relations.through
    verbose_name = _("activity")
    verbose_name_plural = _("activities")
    autocomplete_fields = ["activity"]


class FundingInline(ScopedInline):
    model = Funding
    fields = ["funder", "share_percent"]


class ParticipantsInline(ScopedInline):
    model = ActivityParticipants
    fields = ["country", "count", "approximate"]


# --- derived status and end date: columns and filters of the lists ----------------------


def _today():
    return timezone.localdate()


STATUS_LABELS = {
    AgreementStatus.ACTIVE.value: _("in force"),
    AgreementStatus.UPCOMING.value: _("not yet in force"),
    AgreementStatus.ENDED.value: _("ended"),
    NO_AGREEMENT: _("no agreement recorded"),
}


class AgreementStatusFilter(admin.SimpleListFilter):
    """In force, not yet or ended today: derived from the dates, never typed in."""

    title = _("status today")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(key, STATUS_LABELS[key]) for key in AgreementStatus.values]

    def queryset(self, request, queryset):
        if self.value() in AgreementStatus.values:
            return queryset.with_status_on(_today(), self.value())
        return queryset


class RelationStatusFilter(admin.SimpleListFilter):
    """A relation is in force while one of its agreements is, not yet while one is to
    come, ended when all have ended (Relation.status_on)."""

    title = _("status today")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(key, STATUS_LABELS[key]) for key in (*AgreementStatus.values, NO_AGREEMENT)]

    def queryset(self, request, queryset):
        value, day = self.value(), _today()
        if value not in (*AgreementStatus.values, NO_AGREEMENT):
            return queryset

        def having(status):
            agreements = Agreement.objects.filter(relation=OuterRef("pk"))
            if status is not None:
                agreements = agreements.with_status_on(day, status)
            return Exists(agreements)

        active, upcoming = having(AgreementStatus.ACTIVE), having(AgreementStatus.UPCOMING)
        if value == AgreementStatus.ACTIVE:
            return queryset.filter(active)
        if value == AgreementStatus.UPCOMING:
            return queryset.filter(upcoming).exclude(active)
        if value == AgreementStatus.ENDED:
            return queryset.filter(having(None)).exclude(active).exclude(upcoming)
        return queryset.exclude(having(None))


class EndFilter(admin.SimpleListFilter):
    """When the agreement ends (its last possible day, end or start + term)."""

    title = _("end")
    parameter_name = "ends"
    field = "end_latest"

    def lookups(self, request, model_admin):
        return [
            ("6m", _("within six months")),
            ("year", _("within a year")),
            ("past", _("has ended")),
            ("open", _("no end date")),
        ]

    def queryset(self, request, queryset):
        day, field = _today(), self.field
        if self.value() in ("6m", "year"):
            until = day + timedelta(days=183 if self.value() == "6m" else 366)
            return queryset.filter(**{f"{field}__gte": day, f"{field}__lte": until})
        if self.value() == "past":
            return queryset.filter(**{f"{field}__lt": day})
        if self.value() == "open":
            return queryset.filter(**{f"{field}__isnull": True})
        return queryset


class RelationEndFilter(EndFilter):
    field = "agreements__end_latest"

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.exclude(agreements__end_latest__isnull=False).distinct()
        return super().queryset(request, queryset).distinct()


def period_or_error(agreement) -> str:
    """How the page writes the period; a refused form's row may hold an invalid date
    (shown beside its field's error), so this never fails."""
    if not agreement.pk:
        return "–"
    try:
        return agreement.period_text()
    except (ValueError, KeyError, IndexError, TypeError, ValidationError):
        return "–"


def end_text(agreement) -> str:
    end = agreement.effective_end
    return format_date(end, current_lang()) if end else "–"


# --- the register's models ------------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(RegisterAdmin):
    org_lookup = "pk"
    org_path = "pk"
    list_display = ["name_sv", "slug", "place", "updated_at"]
    search_fields = ["name_sv", "name_en", "slug"]
    inlines = [GovernanceRuleInline]
    fieldsets = [
        (None, {"fields": ["name_sv", "name_en", "slug", "place", "colour"]}),
        (
            _("Contact"),
            {
                "fields": [
                    "phone",
                    "email",
                    "visiting_address",
                    "postal_address",
                    "map_url",
                    "website",
                    "visitor_hours",
                    "phone_hours",
                ]
            },
        ),
        (_("Background"), {"fields": ["background_sv", "background_en", "sources"]}),
    ]
    autocomplete_fields = ["place"]
    filter_horizontal = ["sources"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The free background stays for history; what it claims is checked against the
        # register, and the editor told (register/wording.background_warnings).
        for warning in background_warnings(obj):
            self.message_user(request, str(warning), messages.WARNING)

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser  # `vanort start-municipality` for the rest

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Place)
class PlaceAdmin(PlaceMergeMixin, RegisterAdmin):
    """The installation's gazetteer: shared, found by any of its names."""

    list_display = ["name_in_language", "country_in_language", "region", "wikidata_id"]
    list_filter = ["country"]
    search_fields = ["name", "names__name", "wikidata_id", "region"]
    inlines = [PlaceNameInline]
    fields = ["name", "country", "region", "latitude", "longitude", "wikidata_id", "sources"]
    filter_horizontal = ["sources"]

    def get_queryset(self, request):
        # Shared by every organisation; the names in other languages for the list's names.
        queryset = SimpleHistoryAdmin.get_queryset(self, request)
        return queryset.prefetch_related(Prefetch("names", queryset=NAMES_IN_ORDER))

    @admin.display(description=_("name"), ordering="name")
    def name_in_language(self, place):
        """One name per place: the editor's language's (Hangö in Swedish), as on the page."""
        return place.display_name()

    @admin.display(description=_("country"), ordering="country")
    def country_in_language(self, place):
        return place.country_name()

    def get_search_results(self, request, queryset, search_term):
        results, _duplicates = super().get_search_results(request, queryset, search_term)
        return results.distinct(), False

    def autocomplete_label(self, place: Place) -> str:
        """'Nikopol (Ukraina, Dnipropetrovsk oblast)': two towns of one name told apart."""
        where = [place.country_name()] + ([place.region] if place.region else [])
        return f"{place.display_name()} ({', '.join(where)})"

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or bool(roles_of(request.user))

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser or bool(roles_of(request.user))

    def has_change_permission(self, request, obj=None):
        return may_change_place(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return may_change_place(request.user, obj)

    def deleted_records(self, request):
        rows = self.model.history.filter(history_type="-")
        rows = rows.exclude(id__in=self.model._base_manager.values("pk"))
        if not self.has_view_permission(request):
            return rows.none()
        return rows.order_by("-history_date")


@admin.register(Source)
class SourceAdmin(RegisterAdmin):
    list_display = ["title", "publisher", "accessed_on", "organisation"]
    search_fields = ["title", "publisher", "url", "document"]
    fields = ["organisation", "title", "url", "document", "publisher", "accessed_on"]

    def scope(self, request, queryset):
        return visible_sources(request.user, queryset)

    def has_view_permission(self, request, obj=None):
        if obj is not None and obj.organisation_id is None:  # shared by the installation
            return request.user.is_superuser or bool(roles_of(request.user))
        return super().has_view_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "organisation" in form.base_fields:
            form.base_fields["organisation"].required = True  # only a superuser shares one
        return form


@admin.register(Relation)
class RelationAdmin(PublishingMixin, RegisterAdmin):
    list_display = [
        "partner_name",
        "organisation",
        "since_as_published",
        "status_today",
        "ends",
        "section_label",
        "is_published",
    ]
    list_filter = [RelationStatusFilter, RelationEndFilter, "is_published", "organisation"]
    list_editable = []
    search_fields = ["partner__name", "partner__names__name", "section"]
    autocomplete_fields = ["partner"]
    filter_horizontal = ["sources"]
    inlines = [AgreementInline, DecisionInline, ActivityOfRelationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "organisation",
                    "partner",
                    ("since", "since_as_published"),
                    "is_published",
                ]
            },
        ),
        (
            _("Public page"),
            {"fields": ["section", "order", "description_sv", "description_en", "sources"]},
        ),
    ]
    readonly_fields = ["since_as_published"]
    change_form_template = "admin/register/relation/change_form.html"

    @admin.display(description=_("as published"))
    def since_as_published(self, relation):
        return published_or_error(relation.since, since=True)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("partner", "organisation__place")
            .prefetch_related(
                Prefetch("partner__names", queryset=NAMES_IN_ORDER),
                Prefetch("organisation__place__names", queryset=NAMES_IN_ORDER),
                "agreements",
            )
        )

    @admin.display(description=_("partner"), ordering="partner__name")
    def partner_name(self, relation):
        return relation.partner.display_name()

    @admin.display(description=_("status today"))
    def status_today(self, relation):
        return STATUS_LABELS[relation.status_on(_today())]

    @admin.display(description=_("end"))
    def ends(self, relation):
        """The last end of its agreements; blank while one runs until further notice."""
        agreements = list(relation.agreements.all())
        if not agreements or any(not a.effective_end for a in agreements):
            return "–"
        last = max(agreements, key=lambda a: (a.end_latest is not None, a.end_latest))
        return end_text(last)

    @admin.display(description=_("page section"), ordering="section")
    def section_label(self, relation):
        return PageSection.label_of(relation.section) if relation.section else "–"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "section":
            # A choice, not a key to retype exactly: the defined sections and those in use.
            used = (
                self.get_queryset(request)
                .exclude(section="")
                .values_list("section", flat=True)
                .distinct()
            )
            extra = sorted(set(used) - set(PageSection.values))
            return forms.ChoiceField(
                label=capfirst(db_field.verbose_name),
                help_text=db_field.help_text,
                required=False,
                choices=[
                    ("", _("a section of its own")),
                    *PageSection.choices,
                    *[(key, key) for key in extra],
                ],
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        results, _duplicates = super().get_search_results(request, queryset, search_term)
        return results.distinct(), False

    def _create_formsets(self, request, obj, change):
        # The agreements and decisions of one relation are checked together: a body
        # corrected in this save counts for the agreement that links the decision.
        formsets, inlines = super()._create_formsets(request, obj, change)
        for formset in formsets:
            formset.siblings = formsets
        return formsets, inlines


@admin.register(Decision)
class DecisionAdmin(RegisterAdmin):
    org_lookup = "relation__organisation"
    org_path = "relation.organisation_id"
    list_display = ["__str__", "relation", "body", "reference"]
    list_filter = ["body"]
    search_fields = ["reference", "summary_sv", "summary_en"]
    autocomplete_fields = ["relation"]
    filter_horizontal = ["sources"]
    fields = [
        "relation",
        "body",
        ("date", "date_as_published"),
        "reference",
        "summary_sv",
        "summary_en",
        "url",
        "unanimous",
        ("votes_for", "votes_against", "votes_abstaining"),
        "sources",
    ]
    readonly_fields = ["date_as_published"]

    @admin.display(description=_("as published"))
    def date_as_published(self, decision):
        return published_or_error(decision.date)


@admin.register(Agreement)
class AgreementAdmin(PublishingMixin, RegisterAdmin):
    org_lookup = "relation__organisation"
    org_path = "relation.organisation_id"
    list_display = ["__str__", "relation", "kind", "status_today", "ends", "is_published"]
    list_filter = [AgreementStatusFilter, EndFilter, "is_published", "kind"]
    search_fields = ["relation__partner__name", "purpose_sv", "purpose_en", "responsible_unit"]
    autocomplete_fields = ["relation", "decision", "ending_decision", "renews"]
    filter_horizontal = ["focus_areas", "sources"]
    inlines = [FundingInline]
    fieldsets = [
        (None, {"fields": ["relation", "kind", "is_published"]}),
        (
            _("Period"),
            {"fields": ["start", "end", "term_months", "period_as_published", "renews"]},
        ),
        (
            _("Decisions"),
            {
                "fields": [
                    "decision",
                    "decision_not_on_record",
                    "decision_not_on_record_reason",
                    "ended_early_on",
                    "ending_decision",
                ]
            },
        ),
        (
            _("Content"),
            {
                "fields": [
                    "focus_areas",
                    "responsible_unit",
                    "purpose_sv",
                    "purpose_en",
                    "sources",
                ]
            },
        ),
    ]
    readonly_fields = ["period_as_published"]
    change_form_template = "admin/register/agreement/change_form.html"
    form = AgreementWithDecisionForm
    radio_fields = {"kind": admin.VERTICAL}

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        # A new agreement: its decision recorded on the same form, one save for both.
        new_decision = (
            _("The decision, if it is not recorded yet"),
            {"fields": list(AgreementWithDecisionForm.NEW_DECISION)},
        )
        return [*fieldsets[:3], new_decision, *fieldsets[3:]]

    def save_model(self, request, obj, form, change):
        decision = obj.decision if obj.decision_id is None else None
        if decision is not None and decision.pk is None:
            decision.relation = obj.relation
            decision.save()
            obj.decision = decision
        super().save_model(request, obj, form, change)

    @admin.display(description=_("as published"))
    def period_as_published(self, agreement):
        return period_or_error(agreement)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("kind", "relation__partner", "relation__organisation__place")
            .prefetch_related(
                Prefetch("relation__partner__names", queryset=NAMES_IN_ORDER),
                Prefetch("relation__organisation__place__names", queryset=NAMES_IN_ORDER),
            )
        )

    @admin.display(description=_("status today"))
    def status_today(self, agreement):
        return STATUS_LABELS[agreement.status_on(_today()).value]

    @admin.display(description=_("end"), ordering="end_latest")
    def ends(self, agreement):
        return end_text(agreement)

    # -- renewing: the next agreement, linked to this one (register/lifecycle.renew) --

    def get_urls(self):
        renew = path(
            "<path:object_id>/renew/",
            self.admin_site.admin_view(self.renew_view),
            name="register_agreement_renew",
        )
        return [renew, *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_renew"] = (
            obj is not None
            and self.has_add_permission(request)
            and self.may_change(request, obj)
            and not obj.ended_early_on
            and not obj.renewals.exists()
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def renew_view(self, request, object_id):
        agreement = self.get_object(request, object_id)
        if agreement is None:
            raise Http404
        if not (self.has_add_permission(request) and self.may_change(request, agreement)):
            raise PermissionDenied
        form = RenewalForm(agreement, request.POST or None)
        if request.method == "POST" and form.is_valid():
            renewal = form.renew()
            if renewal is not None:
                self.message_user(
                    request,
                    gettext("“%(old)s” is renewed by “%(new)s”.")
                    % {"old": agreement, "new": renewal},
                    messages.SUCCESS,
                )
                return redirect("admin:register_agreement_change", renewal.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": agreement,
            "title": gettext("Renew %(agreement)s") % {"agreement": agreement},
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/register/agreement/renew.html", context)


@admin.register(Activity)
class ActivityAdmin(PublishingMixin, RegisterAdmin):
    list_display = ["__str__", "kind", "date_as_published", "organisation", "is_published"]
    list_filter = ["is_published", "kind"]
    search_fields = ["title_sv", "title_en", "outcome_sv"]
    autocomplete_fields = ["relations"]
    filter_horizontal = ["themes", "sources"]
    inlines = [ParticipantsInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "organisation",
                    "relations",
                    "kind",
                    "title_sv",
                    "title_en",
                    ("date", "date_as_published"),
                    "is_published",
                ]
            },
        ),
        (
            _("Participants"),
            {
                "fields": [
                    ("participants", "participants_approximate"),
                    ("young_participants", "young_participants_approximate"),
                    "host_country",
                ]
            },
        ),
        (_("Content"), {"fields": ["themes", "outcome_sv", "outcome_en", "sources"]}),
    ]
    readonly_fields = ["date_as_published"]
    radio_fields = {"kind": admin.HORIZONTAL}

    @admin.display(description=_("date as published"))
    def date_as_published(self, activity):
        return published_or_error(activity.date)


# --- vocabularies: shared; organisation administrators extend them ------------------------


class VocabularyAdmin(ScopedMixin, SimpleHistoryAdmin):
    list_display = ["code", "label_sv", "label_en", "order"]
    search_fields = ["code", "label_sv", "label_en"]
    administrators_only = True

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or bool(roles_of(request.user))

    def may_change(self, request, obj) -> bool:
        return request.user.is_superuser or bool(organisation_ids(request.user, administrator=True))

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # records use them (PROTECT)


admin.site.register(AgreementKind, VocabularyAdmin)
admin.site.register(FocusArea, VocabularyAdmin)
admin.site.register(ActivityKind, VocabularyAdmin)


# --- one search across the register: places, relations, agreements, activities -----------

SEARCHED = [Place, Relation, Agreement, Activity]


def register_search(request):
    """Hits in places, relations, agreements and activities for one search term, each
    found by its own admin's search fields, within what the user may see, and linked to
    its change page."""
    term = request.GET.get("q", "").strip()[:200]
    groups = []
    if term:
        for model in SEARCHED:
            model_admin = admin.site._registry[model]
            if not model_admin.has_view_permission(request):
                continue
            queryset = model_admin.get_queryset(request)
            hits, _duplicates = model_admin.get_search_results(request, queryset, term)
            hits = list(hits.distinct()[:50])
            info = model._meta.app_label, model._meta.model_name
            groups.append(
                {
                    "name": model._meta.verbose_name_plural,
                    "hits": [
                        (str(hit), reverse("admin:{}_{}_change".format(*info), args=[hit.pk]))
                        for hit in hits
                    ],
                    "more": reverse("admin:{}_{}_changelist".format(*info))
                    + "?"
                    + urlencode({"q": term}),
                }
            )
    context = {
        **admin.site.each_context(request),
        "title": gettext("Search the register"),
        "term": term,
        "groups": groups,
        "found": sum(len(group["hits"]) for group in groups),
    }
    return TemplateResponse(request, "admin/register/search.html", context)


_site_urls = admin.site.get_urls


def _urls_with_search():
    search = path("search/", admin.site.admin_view(register_search), name="register_search")
    return [search, *_site_urls()]


admin.site.get_urls = _urls_with_search
