"""Partner profiles in the admin: an editor publishes a profile for their own
organisation only (accounts/roles.py, as for the register's records); the foreign
municipalities' profiles are the installation's staff's (a superuser, or a user with
the permission national.enter_foreign_profile)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Q

from accounts.roles import organisation_ids, roles_of
from editing.base import FilterLookupsOnly, KeysOr404, ScopedChoicesMixin
from national.models import HOME, PartnerProfile
from register.models import Place


def enters_foreign(user) -> bool:
    return bool(user.is_superuser or user.has_perm("national.enter_foreign_profile"))


class PartnerProfileForm(forms.ModelForm):
    class Meta:
        model = PartnerProfile
        fields = [
            "organisation",
            "place",
            "themes",
            "countries",
            "regions",
            "population",
            "offers",
            "contact_name",
            "contact_email",
            "valid_until",
            "is_published",
        ]


@admin.register(PartnerProfile)
class PartnerProfileAdmin(KeysOr404, FilterLookupsOnly, ScopedChoicesMixin, admin.ModelAdmin):
    form = PartnerProfileForm
    list_display = ["__str__", "valid_until", "is_published", "entered_by_staff"]
    list_filter = ["is_published", "entered_by_staff"]
    filter_horizontal = ["themes"]
    autocomplete_fields = ["place"]
    readonly_fields = ["reminder_sent_for"]

    def get_fields(self, request, obj=None):
        fields = list(self.form.Meta.fields)
        if not enters_foreign(request.user):
            fields.remove("place")
        return [*fields, "reminder_sent_for"]

    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("organisation", "place")
        if request.user.is_superuser:
            return rows
        mine = Q(organisation__in=organisation_ids(request.user))
        if enters_foreign(request.user):
            mine |= Q(organisation__isnull=True)
        return rows.filter(mine)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "place" and field is not None:
            field.queryset = Place.objects.exclude(country=HOME)
        if db_field.name == "organisation" and field is not None:
            field.required = not enters_foreign(request.user)
        return field

    def _may(self, request, obj) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        if obj is None:
            return bool(roles_of(user)) or enters_foreign(user)
        if obj.organisation_id is None:
            return enters_foreign(user)
        return obj.organisation_id in organisation_ids(user)

    def has_module_permission(self, request):
        return self._may(request, None)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request):
        return self._may(request, None)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)
