"""The building blocks of the register's ModelAdmins: scoped, versioned, with history.

Who sees what is decided in querysets and permission checks, never in templates, and by
the plain functions of accounts/roles.py: these mixins only ask them with the request's
user. Every change is recorded by django-simple-history (per-record history, revert,
restore of deleted records), every save runs in one transaction, and a save based on an
older version than the stored one is refused (editing/forms.py, register/concurrency.py).
"""

from __future__ import annotations

from functools import reduce

from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import (
    choosable,
    may_administer,
    may_edit,
    organisation_ids,
    organisation_of,
    roles_of,
    within_organisations,
)
from editing.csv_export import export_selected_as_csv
from editing.forms import VersionedForm, VersionedInlineForm
from editing.widgets import ImpreciseDateField, is_imprecise_date
from register import history
from register.models import Organisation


class ImpreciseDatesMixin:
    """Every EDTF field of the model gets the value-and-precision widget."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_imprecise_date(db_field):
            return ImpreciseDateField(
                required=not db_field.blank,
                label=db_field.verbose_name.capitalize(),
                since=db_field.name == "since",  # a relation's start: "sedan 1990-talet"
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# The query-string lookups a built-in list filter sends, after its field's path:
# BooleanField/ChoicesField (exact, isnull), RelatedField (id__exact, isnull),
# DateField (gte, lt, isnull), EmptyField (isempty), AllValues (the path itself), and
# the date hierarchy (year, month, day).
FILTER_SUFFIXES = frozenset(
    {"", "exact", "isnull", "id__exact", "pk__exact", "gte", "lt", "isempty"}
)
DATE_HIERARCHY_SUFFIXES = frozenset({"year", "month", "day"})


class FilterLookupsOnly:
    """A change list filters only by what its list filters and date hierarchy offer.

    Django's default lets a query string filter by any lookup on any local field, so
    `?password__startswith=argon2$…` would read a hash one character at a time and
    `?is_superuser__exact=1` would list the superusers. Here an explicit allow-list is
    built from `list_filter`, `date_hierarchy` and `extra_lookups` (links the admin itself
    makes, such as a user's memberships); anything else is a DisallowedModelAdminLookup,
    which Django answers with 400. Searching (`?q=`) is not a lookup and is unaffected.
    """

    extra_lookups: frozenset[str] = frozenset()

    def allowed_lookups(self, request) -> tuple[set[str], set[str]]:
        """(exact parameter names, field paths whose filter suffixes are allowed)."""
        from django.contrib.admin.filters import SimpleListFilter

        names, paths = set(self.extra_lookups), set()
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        for item in list_filter:
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                names.add(item.parameter_name)
            elif isinstance(item, list | tuple):
                paths.add(item[0])
            elif isinstance(item, str):
                paths.add(item)
        if self.date_hierarchy:
            paths.add(self.date_hierarchy)
            names.update(f"{self.date_hierarchy}__{part}" for part in DATE_HIERARCHY_SUFFIXES)
        return names, paths

    def lookup_allowed(self, lookup, value, request=None):
        from django.contrib.admin import widgets

        # Popups of raw-id widgets filter by the foreign key's limit_choices_to.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        names, paths = self.allowed_lookups(request)
        allowed = lookup in names or any(
            lookup == path
            or (lookup.startswith(f"{path}__") and lookup[len(path) + 2 :] in FILTER_SUFFIXES)
            for path in paths
        )
        return allowed and super().lookup_allowed(lookup, value, request)


class KeysOr404:
    """A history URL with an id that is no key ("abc/history/", "history/abc/") is a 404,
    not the 500 of a query that cannot be made."""

    def history_view(self, request, object_id, extra_context=None):
        key_or_404(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        key_or_404(self.model, object_id)
        key_or_404(self.model.history.model, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedMixin(KeysOr404, FilterLookupsOnly):
    """Querysets and permissions from the user's memberships.

    `org_lookup` filters the model's queryset to an organisation ("organisation",
    "relation__organisation"); `org_path` reads it from an instance
    ("organisation_id", "relation.organisation_id"). `administrators_only` reserves
    changes to the organisation's administrators.
    """

    org_lookup = "organisation"
    org_path = "organisation_id"
    administrators_only = False

    def may_change(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        if obj is None:
            return bool(organisation_ids(request.user, administrator=self.administrators_only))
        org = organisation_of(obj, self.org_path)
        check = may_administer if self.administrators_only else may_edit
        return check(request.user, org)

    def scope(self, request, queryset):
        return within_organisations(request.user, queryset, self.org_lookup)

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(roles_of(request.user))

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if obj is None:
            return bool(roles_of(request.user))
        return may_edit(request.user, organisation_of(obj, self.org_path))

    def has_add_permission(self, request, obj=None):
        return self.may_change(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.may_change(request, obj)


def valid_key_or_none(field, value):
    """`value` as `field` (a primary or foreign key) stores it, or None if it cannot be one:
    "abc", "1.5" or a number beyond 64 bits for an integer key."""
    try:
        key = field.to_python(value)
        field.get_prep_value(key)
    except (ValueError, TypeError, ValidationError):
        return None
    if isinstance(key, int) and not -(2**63) <= key < 2**63:
        return None
    return key


def key_or_404(model, value):
    key = valid_key_or_none(model._meta.pk, value)
    if key is None:
        raise Http404
    return key


class _OnlyValidKeys:
    """Django's autocomplete widgets look the posted values up to show them again; a value
    that is no key ("abc") made that query fail (a 500) instead of the form's error."""

    def optgroups(self, name, value, attr=None):
        to_field = self.field.remote_field.model._meta.get_field(
            getattr(self.field.remote_field, "field_name", None)
            or self.field.remote_field.model._meta.pk.name
        )
        value = [v for v in value if v in ("", None) or valid_key_or_none(to_field, v) is not None]
        return super().optgroups(name, value, attr)


class SafeAutocompleteSelect(_OnlyValidKeys, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_OnlyValidKeys, AutocompleteSelectMultiple):
    pass


class ScopedChoicesMixin:
    """A foreign key's or many-to-many's choices: only what the user may link to."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = choosable(request.user, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = choosable(request.user, field.queryset)
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
    object_history_form_template = "admin/register/object_history_form.html"
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

    def get_changeform_initial_data(self, request):
        """A user with exactly one organisation finds it chosen in every add form."""
        initial = super().get_changeform_initial_data(request)
        field_names = {field.name for field in self.model._meta.fields}
        if "organisation" in field_names and "organisation" not in initial:
            mine = organisation_ids(request.user)
            if len(mine) == 1:
                initial["organisation"] = next(iter(mine))
        return initial

    def history_view(self, request, object_id, extra_context=None):
        key_or_404(self.model, object_id)  # before the queries below (KeysOr404)
        # Another organisation's record does not exist for this user, deleted or not.
        if not (
            self.get_queryset(request).filter(pk=object_id).exists()
            or self.deleted_records(request).filter(id=object_id).exists()
        ):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        key_or_404(self.model, object_id)
        key_or_404(self.model.history.model, version_id)
        if not (
            self.get_queryset(request).filter(pk=object_id).exists()
            or self.deleted_records(request).filter(id=object_id).exists()
        ):
            raise Http404
        row = self.model.history.filter(id=object_id, history_id=version_id).first()
        if row is not None and history.tracks_many_to_many(self.model):
            request.reverting_many_to_many = history.many_to_many_as_of(row)
        if row is not None:  # what the revert will change, shown above its form
            current = self.model._base_manager.filter(pk=object_id).first()
            extra_context = {
                "changes_title": gettext("What the revert changes"),
                "changes": history.changes_to(current, row),
                **(extra_context or {}),
            }
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
        if not self.has_add_permission(request) or not self.may_change(request, instance):
            raise PermissionDenied
        if request.method != "POST":  # first, what the restore brings back
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Restore “%(record)s”") % {"record": instance},
                "record": record,
                "changes_title": gettext("What the restore brings back"),
                "changes": history.changes_to(None, record),
            }
            return TemplateResponse(request, "admin/register/restore.html", context)
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
