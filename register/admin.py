"""The register's editing face: the Django admin, arranged for the coordinator's task.

Who sees what is decided here, in querysets and permission checks, never in templates:
a staff user sees and changes only the records of the organisations they are a member
of (accounts.Membership), drafts included; administrators of an organisation also
change its rules and memberships; a superuser runs the installation. Places and
vocabularies are shared by the installation: every member sees them (to find a partner
by any of its names), but only changes places no other organisation uses.

Every change is recorded by django-simple-history (per-record history, revert, restore
of deleted records), every save runs in one transaction, and a save based on an older
version than the stored one is refused (register/concurrency.py).
"""

from __future__ import annotations

from functools import reduce
from operator import attrgetter

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Membership
from accounts.roles import may_administer, may_edit, organisation_ids, roles_of
from register import history
from register.admin_export import export_selected_as_csv
from register.concurrency import Conflict, conflict_for, conflict_in_values, stored_values
from register.imprecise import format_date, validate_edtf
from register.lifecycle import planned_end_of, renew
from register.models import (
    Activity,
    ActivityKind,
    ActivityParticipants,
    Agreement,
    AgreementKind,
    Decision,
    FocusArea,
    Funding,
    GovernanceRule,
    Organisation,
    Place,
    PlaceName,
    Relation,
    Source,
    current_lang,
)

admin.site.site_header = _("Vänort – the register")
admin.site.site_title = _("Vänort")
admin.site.index_title = _("Edit the register")


# --- no lost updates ------------------------------------------------------------------


class VersionedForm(forms.ModelForm):
    """Remembers the version it showed and refuses to save over a newer one."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # {many-to-many field: ids} of the historical version a revert form shows.
    reverting_many_to_many: dict[str, list] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            # The stored version, not the instance's: a revert form shows an old version.
            stored = (
                type(self.instance)
                ._base_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            self.fields["seen_version"].initial = stored
            for name, ids in self.reverting_many_to_many.items():
                if name in self.fields:
                    self.initial[name] = ids

    def save(self, commit=True):
        history.defer(self.instance)  # one history row, written once the m2m are saved
        return super().save(commit)

    def _save_m2m(self):
        super()._save_m2m()
        history.write(self.instance)

    # The parent form is saved whatever changed; an inline row only when it changed.
    check_unchanged = True

    def has_changed(self) -> bool:
        return any(name != "seen_version" for name in self.changed_data)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or not (self.check_unchanged or self.has_changed()):
            return cleaned
        seen = cleaned.get("seen_version")
        if seen is None:
            raise forms.ValidationError(
                _("This form is incomplete (it has no record version). Open the record again."),
                code="no_version",
            )
        conflict = conflict_for(self.instance, seen)
        if conflict is not None:
            raise forms.ValidationError(conflict_message(self.instance, conflict), code="stale")
        self.instance.version = seen  # a reverted record continues from the stored version
        return cleaned


class VersionedInlineForm(VersionedForm):
    check_unchanged = False


class UnchangedSinceShownForm(forms.ModelForm):
    """No lost updates for records that have no version (users, memberships): the form
    carries the values it showed, signed, and refuses to save over different ones."""

    seen_values = forms.CharField(widget=forms.HiddenInput, required=False)
    signing_salt = "vanort.admin.seen-values"

    def watched(self) -> list[str]:
        model_fields = {field.name for field in self._meta.model._meta.concrete_fields}
        return [name for name in self.fields if name in model_fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            seen = stored_values(self.instance, self.watched())
            self.fields["seen_values"].initial = signing.dumps(seen, salt=self.signing_salt)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        try:
            seen = signing.loads(cleaned.get("seen_values") or "", salt=self.signing_salt)
        except signing.BadSignature:
            raise forms.ValidationError(
                _("This form is incomplete (it has no record version). Open the record again."),
                code="no_version",
            ) from None
        conflict = conflict_in_values(self.instance, seen, self.watched())
        if conflict is not None:
            raise forms.ValidationError(conflict_message(self.instance, conflict), code="stale")
        return cleaned


def conflict_message(instance, conflict: Conflict) -> str:
    what = instance._meta.verbose_name
    if conflict.deleted:
        return gettext(
            "Not saved: someone deleted this %(what)s while you were editing it. "
            "It can be restored from its history."
        ) % {"what": what}
    when = date_format(conflict.changed_at, "DATETIME_FORMAT") if conflict.changed_at else "?"
    changes = "; ".join(f"{c.field}: “{c.old}” → “{c.new}”" for c in conflict.changes)
    return gettext(
        "Not saved: %(who)s saved this %(what)s at %(when)s, after you opened it. "
        "Changed meanwhile: %(changes)s. Nothing of yours was saved: open the record "
        "again, and make your changes on the current version."
    ) % {
        "who": conflict.changed_by or gettext("someone"),
        "what": what,
        "when": when,
        "changes": changes or gettext("its parts (agreements, decisions, activities …)"),
    }


# --- imprecise dates: a value with its precision, or EDTF text ----------------------------


class Precision:
    AS_WRITTEN, DAY, MONTH, YEAR, DECADE, CENTURY = "edtf", "day", "month", "year", "decade", "c"
    CHOICES = [
        (AS_WRITTEN, _("as written (EDTF)")),
        (DAY, _("day")),
        (MONTH, _("month")),
        (YEAR, _("year")),
        (DECADE, _("decade")),
        (CENTURY, _("century")),
    ]
    QUALIFIERS = [
        ("", _("exact")),
        ("~", _("about")),
        ("?", _("uncertain")),
        ("%", _("about, and uncertain")),
    ]


class ImpreciseDateWidget(forms.MultiWidget):
    """Value, precision and certainty; posting the plain field name (EDTF) works too.

    Below the inputs it says how the public page will write the date ("sedan
    1990-talet"): from the server when the form is drawn, and kept up to date while the
    editor types by a small static script asking imprecise_date_preview."""

    template_name = "register/widgets/imprecise_date.html"

    class Media:
        js = ["register/imprecise-date.js"]

    def __init__(self, attrs=None, since: bool = False):
        self.since = since
        super().__init__(
            [
                forms.TextInput(attrs={"size": 14, "placeholder": "1990, 2010-10, 199X"}),
                forms.Select(choices=Precision.CHOICES, attrs={"aria-label": _("precision")}),
                forms.Select(choices=Precision.QUALIFIERS, attrs={"aria-label": _("certainty")}),
            ],
            attrs,
        )

    def decompress(self, value):
        return [value or "", Precision.AS_WRITTEN, ""]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, list | tuple):  # as posted: value, precision, certainty
            value = to_edtf(*[part or "" for part in (list(value) + ["", "", ""])[:3]])
        context["widget"].update(
            since=self.since,
            preview_url=reverse("imprecise_date_preview"),
            published=published_or_error(value or "", since=self.since),
        )
        return context

    def value_from_datadict(self, data, files, name):
        if f"{name}_0" not in data and name in data:
            return [data.get(name), Precision.AS_WRITTEN, ""]
        return super().value_from_datadict(data, files, name)


def to_edtf(text: str, precision: str, qualifier: str) -> str:
    """'1994' as a decade, about -> '199X~'; text as written is taken as EDTF."""
    text = (text or "").strip()
    if not text or precision in ("", Precision.AS_WRITTEN):
        return text + (qualifier if text and text[-1] not in "~?%" else "")
    year = text[:4]
    edtf = {
        Precision.DAY: text[:10],
        Precision.MONTH: text[:7],
        Precision.YEAR: year,
        Precision.DECADE: f"{year[:3]}X",
        Precision.CENTURY: f"{year[:2]}XX",
    }.get(precision, text)
    return edtf + qualifier


class ImpreciseDateField(forms.MultiValueField):
    widget = ImpreciseDateWidget

    def __init__(self, *, max_length=None, empty_value="", since: bool = False, **kwargs):
        kwargs["widget"] = ImpreciseDateWidget(since=since)
        fields = [
            forms.CharField(required=False),
            forms.ChoiceField(choices=Precision.CHOICES, required=False),
            forms.ChoiceField(choices=Precision.QUALIFIERS, required=False),
        ]
        super().__init__(fields, require_all_fields=False, **kwargs)
        self.help_text = _(
            "A value and its precision (1994 as a decade is published as “1990-talet”), "
            "or EDTF text as written: 199X, 2009~, [..2009], 2008/2012."
        )

    def compress(self, values):
        text, precision, qualifier = (list(values) + ["", "", ""])[:3]
        return to_edtf(text or "", precision or "", qualifier or "")


def is_imprecise_date(db_field) -> bool:
    from register.imprecise import validate_edtf

    return validate_edtf in getattr(db_field, "validators", [])


class ImpreciseDatesMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_imprecise_date(db_field):
            return ImpreciseDateField(
                required=not db_field.blank,
                label=db_field.verbose_name.capitalize(),
                since=db_field.name == "since",  # a relation's start: "sedan 1990-talet"
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def published_or_error(edtf: str, since: bool = False) -> str:
    """How the public page writes `edtf` in the editor's language, or why it cannot."""
    if not edtf:
        return "–"
    try:
        validate_edtf(edtf)
    except ValidationError as refused:
        return " ".join(refused.messages)
    return format_date(edtf, current_lang(), since=since)


@staff_member_required
@require_GET
def imprecise_date_preview(request):
    """{"edtf", "text"}: what the date widget's value, precision and certainty give."""
    edtf = to_edtf(
        request.GET.get("value", ""),
        request.GET.get("precision", ""),
        request.GET.get("qualifier", ""),
    )
    return JsonResponse(
        {"edtf": edtf, "text": published_or_error(edtf, since=request.GET.get("since") == "1")}
    )


# --- who may see and change what ---------------------------------------------------------


def organisation_of(obj, org_path: str) -> int | None:
    """The organisation id a record belongs to, following `org_path` (dots)."""
    try:
        return attrgetter(org_path)(obj)
    except (AttributeError, ObjectDoesNotExist):
        return None


class ScopedMixin:
    """Querysets and permissions from the user's memberships.

    `org_lookup` filters the model's queryset to an organisation ("organisation",
    "relation__organisation"); `org_path` reads it from an instance
    ("organisation_id", "relation.organisation_id"). `administrators_only` reserves
    changes to the organisation's administrators.
    """

    org_lookup = "organisation"
    org_path = "organisation_id"
    administrators_only = False

    def member_orgs(self, request) -> set[int]:
        return organisation_ids(request.user, administrator=self.administrators_only)

    def may_change(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        if obj is None:
            return bool(self.member_orgs(request))
        org = organisation_of(obj, self.org_path)
        check = may_administer if self.administrators_only else may_edit
        return check(request.user, org)

    def scope(self, request, queryset):
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.org_lookup}__in": organisation_ids(request.user)})

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(roles_of(request.user))

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if obj is None:
            return bool(roles_of(request.user))
        return may_edit(request.user, organisation_of(obj, self.org_path))

    def has_add_permission(self, request, obj=None):
        return self.may_change(request, obj) if obj is not None else self.may_change(request, None)

    def has_change_permission(self, request, obj=None):
        return self.may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.may_change(request, obj)


def scoped_choices(request, db_field, queryset):
    """Limit a foreign key's or many-to-many's choices to the user's organisations."""
    user = request.user
    if user.is_superuser:
        return queryset
    orgs = organisation_ids(user)
    model = db_field.related_model
    if model is Organisation:
        return queryset.filter(pk__in=orgs)
    if model in (Relation, Activity):
        return queryset.filter(organisation__in=orgs)
    if model in (Decision, Agreement):
        return queryset.filter(relation__organisation__in=orgs)
    if model is Source:
        return queryset.filter(Q(organisation__in=orgs) | Q(organisation__isnull=True))
    return queryset


class ScopedChoicesMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped_choices(request, db_field, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped_choices(request, db_field, field.queryset)
        return field


class ScopedInline(ImpreciseDatesMixin, ScopedChoicesMixin, admin.TabularInline):
    """An inline whose rows belong to the parent's organisation."""

    extra = 0
    administrators_only = False

    def _allowed(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        if obj is None:  # the add form of the parent
            return bool(organisation_ids(request.user, administrator=self.administrators_only))
        org = getattr(obj, "organisation_id", None) or organisation_of(
            obj, "relation.organisation_id"
        )
        if isinstance(obj, Organisation):
            org = obj.pk
        check = may_administer if self.administrators_only else may_edit
        return check(request.user, org)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj) or (
            self.administrators_only and self._member(request, obj)
        )

    def _member(self, request, obj) -> bool:
        if obj is None:
            return bool(roles_of(request.user))
        org = obj.pk if isinstance(obj, Organisation) else getattr(obj, "organisation_id", None)
        return may_edit(request.user, org)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj)


class VersionedInline(ScopedInline):
    form = VersionedInlineForm

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if "seen_version" in fields else [*fields, "seen_version"]


class RegisterAdmin(ImpreciseDatesMixin, ScopedMixin, ScopedChoicesMixin, SimpleHistoryAdmin):
    """Scoped, versioned, with history; every view's writes in one transaction."""

    form = VersionedForm
    history_list_display = ["version"]
    actions = [export_selected_as_csv]

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        names = {name for _, opts in fieldsets for name in _flat(opts.get("fields", ()))}
        if "seen_version" not in names and "seen_version" in self.form.base_fields:
            title, opts = fieldsets[0]
            fieldsets = [(title, {**opts, "fields": [*opts["fields"], "seen_version"]})]
            fieldsets += list(super().get_fieldsets(request, obj))[1:]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "version", "updated_at"]

    def history_view(self, request, object_id, extra_context=None):
        # Another organisation's record does not exist for this user, deleted or not.
        if not (
            self.get_queryset(request).filter(pk=object_id).exists()
            or self.deleted_records(request).filter(id=object_id).exists()
        ):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not (
            self.get_queryset(request).filter(pk=object_id).exists()
            or self.deleted_records(request).filter(id=object_id).exists()
        ):
            raise Http404
        row = self.model.history.filter(id=object_id, history_id=version_id).first()
        if row is not None and history.tracks_many_to_many(self.model):
            request.reverting_many_to_many = history.many_to_many_as_of(row)
        # A revert saves the record and its m2m in one transaction, as the change view does.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        reverting = getattr(request, "reverting_many_to_many", None)
        if reverting is None:
            return form
        return type(form.__name__, (form,), {"reverting_many_to_many": reverting})

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        # Rows of a many-to-many saved on their own (an activity's partners, edited on
        # the relation) are a change of the record that holds the many-to-many.
        holder = formset.model._meta.auto_created
        if holder and history.tracks_many_to_many(holder):
            link = next(f for f in formset.model._meta.fields if f.related_model is holder)
            rows = [*formset.new_objects, *(o for o, _ in formset.changed_objects)]
            rows += formset.deleted_objects
            for record in {getattr(row, link.name) for row in rows}:
                history.record_change(record)

    # -- deleted records: listed from the history and restored from it --

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        own = [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name="{}_{}_deleted".format(*info),
            ),
            path(
                "deleted/<int:history_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
        ]
        return own + super().get_urls()

    def deleted_records(self, request):
        rows = self.model.history.filter(history_type="-")
        live = self.model._base_manager.values("pk")
        rows = rows.exclude(id__in=live).order_by("-history_date")
        if not request.user.is_superuser:
            lookup = "id" if self.org_lookup == "pk" else self.org_lookup
            rows = rows.filter(**{f"{lookup}__in": organisation_ids(request.user)})
        return rows

    def deleted_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Deleted %(things)s") % {"things": self.model._meta.verbose_name_plural},
            "records": self.deleted_records(request)[:200],
            "restore_url": f"admin:{self.model._meta.app_label}_"
            f"{self.model._meta.model_name}_restore",
        }
        return TemplateResponse(request, "admin/register/deleted.html", context)

    def restore_view(self, request, history_id: int):
        record = get_object_or_404(self.deleted_records(request), history_id=history_id)
        instance = record.instance
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        if not self.may_change(request, instance):
            raise PermissionDenied
        with transaction.atomic(using=router.db_for_write(self.model)):
            instance = history.restore(record)
        self.message_user(
            request,
            gettext("Restored “%(record)s” as it was when deleted.") % {"record": instance},
            messages.SUCCESS,
        )
        info = self.model._meta.app_label, self.model._meta.model_name
        return redirect(reverse("admin:{}_{}_change".format(*info), args=[instance.pk]))

    def changelist_view(self, request, extra_context=None):
        info = self.model._meta.app_label, self.model._meta.model_name
        extra = {"deleted_url": reverse("admin:{}_{}_deleted".format(*info))}
        return super().changelist_view(request, {**extra, **(extra_context or {})})


def _flat(fields) -> list[str]:
    return reduce(
        lambda acc, f: acc + (list(f) if isinstance(f, list | tuple) else [f]), fields, []
    )


# --- inlines ----------------------------------------------------------------------------


class PlaceNameInline(ScopedInline):
    model = PlaceName
    fields = ["language", "name"]

    def _allowed(self, request, obj) -> bool:
        return PlaceAdmin.may_change_place(request, obj)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or bool(roles_of(request.user))


class GovernanceRuleInline(ScopedInline):
    model = GovernanceRule
    fields = ["kind", "body"]
    administrators_only = True


class DecisionInline(VersionedInline):
    model = Decision
    fields = ["body", "date", "reference", "summary_sv", "summary_en", "url"]
    show_change_link = True


class AgreementInline(VersionedInline):
    model = Agreement
    fk_name = "relation"
    fields = ["kind", "start", "end", "term_months", "decision", "is_published", "period"]
    readonly_fields = ["period"]
    show_change_link = True

    @admin.display(description=_("as published"))
    def period(self, agreement):
        return agreement.period_text() if agreement.pk else "–"


class ActivityOfRelationInline(ScopedInline):
    model = Activity.relations.through
    verbose_name = _("activity")
    verbose_name_plural = _("activities")
    autocomplete_fields = ["activity"]

    def _allowed(self, request, obj) -> bool:
        return super()._allowed(request, obj)


class FundingInline(ScopedInline):
    model = Funding
    fields = ["funder", "share_percent"]


class ParticipantsInline(ScopedInline):
    model = ActivityParticipants
    fields = ["country", "count", "approximate"]


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

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser  # `vanort start-municipality` for the rest

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Place)
class PlaceAdmin(RegisterAdmin):
    """The installation's gazetteer: shared, found by any of its names."""

    list_display = ["name", "country", "region", "wikidata_id"]
    list_filter = ["country"]
    search_fields = ["name", "names__name", "wikidata_id", "region"]
    inlines = [PlaceNameInline]
    fields = ["name", "country", "region", "latitude", "longitude", "wikidata_id", "sources"]
    filter_horizontal = ["sources"]

    def get_queryset(self, request):
        return SimpleHistoryAdmin.get_queryset(self, request)  # shared by every organisation

    def get_search_results(self, request, queryset, search_term):
        results, _duplicates = super().get_search_results(request, queryset, search_term)
        return results.distinct(), False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or bool(roles_of(request.user))

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser or bool(roles_of(request.user))

    def has_change_permission(self, request, obj=None):
        return self.may_change_place(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.may_change_place(request, obj)

    @staticmethod
    def may_change_place(request, place) -> bool:
        """Members change a place that no other organisation has or uses as a partner."""
        user = request.user
        if user.is_superuser:
            return True
        orgs = organisation_ids(user)
        if not orgs:
            return False
        if place is None or place.pk is None:
            return True
        users = set(Relation.objects.filter(partner=place).values_list("organisation", flat=True))
        owner = Organisation.objects.filter(place=place).values_list("pk", flat=True).first()
        if owner is not None:
            users.add(owner)
        return users <= orgs

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
        if request.user.is_superuser:
            return queryset
        orgs = organisation_ids(request.user)
        return queryset.filter(Q(organisation__in=orgs) | Q(organisation__isnull=True))

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
class RelationAdmin(RegisterAdmin):
    list_display = ["partner", "organisation", "since_as_published", "section", "is_published"]
    list_filter = ["is_published", "organisation"]
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

    @admin.display(description=_("as published"))
    def since_as_published(self, relation):
        return published_or_error(relation.since, since=True)

    def get_search_results(self, request, queryset, search_term):
        results, _duplicates = super().get_search_results(request, queryset, search_term)
        return results.distinct(), False


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
        "sources",
    ]
    readonly_fields = ["date_as_published"]

    @admin.display(description=_("as published"))
    def date_as_published(self, decision):
        return published_or_error(decision.date)


@admin.register(Agreement)
class AgreementAdmin(RegisterAdmin):
    org_lookup = "relation__organisation"
    org_path = "relation.organisation_id"
    list_display = ["__str__", "relation", "kind", "is_published"]
    list_filter = ["is_published", "kind"]
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
        (_("Decisions"), {"fields": ["decision", "ended_early_on", "ending_decision"]}),
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

    @admin.display(description=_("as published"))
    def period_as_published(self, agreement):
        return agreement.period_text() if agreement.pk else "–"

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


class RenewalForm(forms.Form):
    """The new agreement's dates and decision; the rest is carried over by lifecycle.renew."""

    start = ImpreciseDateField(label=_("Start"))
    term_months = forms.IntegerField(
        label=_("Term in months"),
        required=False,
        min_value=1,
        help_text=_("Blank: the same term as the agreement renewed."),
    )
    end = ImpreciseDateField(label=_("End"), required=False)
    decision = forms.ModelChoiceField(
        label=_("Decision"), queryset=Decision.objects.none(), required=False
    )

    def __init__(self, agreement, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.fields["decision"].queryset = agreement.relation.decisions.all()
        self.fields["start"].initial = planned_end_of(agreement)

    def renew(self):
        """The renewal, or None with the rule's message next to its field."""
        data = self.cleaned_data
        try:
            return renew(
                self.agreement,
                start=data["start"],
                term_months=data["term_months"],
                end=data["end"] or "",
                decision=data["decision"],
            )
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
            return None


@admin.register(Activity)
class ActivityAdmin(RegisterAdmin):
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


# --- memberships: an organisation's administrators manage its users' roles ----------------


@admin.register(Membership)
class MembershipAdmin(ScopedMixin, ScopedChoicesMixin, SimpleHistoryAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email"]
    form = UnchangedSinceShownForm
    fields = ["user", "organisation", "role", "seen_values"]
    administrators_only = True

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(organisation_ids(request.user, administrator=True))

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return may_administer(request.user, obj.organisation_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "organisation" and not request.user.is_superuser:
            field.queryset = field.queryset.filter(
                pk__in=organisation_ids(request.user, administrator=True)
            )
        if db_field.name == "user" and not request.user.is_superuser:
            # Colleagues, and staff users who belong to no organisation yet.
            orgs = organisation_ids(request.user, administrator=True)
            field.queryset = field.queryset.filter(
                Q(memberships__organisation__in=orgs)
                | Q(memberships__isnull=True, is_staff=True, is_superuser=False)
            ).distinct()
        return field
