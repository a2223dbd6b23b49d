"""Admin for the editors' desk: calendar feed addresses (made and revoked here) and the
log of reminders sent."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from editing.base import FilterLookupsOnly
from reports.models import CalendarToken, SentReminder


@admin.register(CalendarToken)
class CalendarTokenAdmin(FilterLookupsOnly, admin.ModelAdmin):
    list_display = ["__str__", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    fields = ["label"]
    actions = ["revoke"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user=request.user)  # an editor sees only their own

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or obj.user_id == request.user.pk or request.user.is_superuser
        )

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["label"])
            return
        token, secret = CalendarToken.issue(request.user, obj.label)
        obj.pk, obj.token_hash, obj.user = token.pk, token.token_hash, token.user
        address = request.build_absolute_uri(reverse("reports:calendar", args=[secret]))
        messages.success(
            request,
            _(
                "Your calendar address (shown only now; keep it secret): %(address)s – "
                "revoke it here when it is no longer needed."
            )
            % {"address": address},
        )

    @admin.action(description=_("Revoke the selected calendar addresses"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, _("%(n)s address(es) revoked.") % {"n": count})


@admin.register(SentReminder)
class SentReminderAdmin(FilterLookupsOnly, admin.ModelAdmin):
    list_display = ["sent_at", "organisation", "key", "due_on"]
    list_filter = ["organisation"]
    list_select_related = ["organisation"]
    readonly_fields = [f.name for f in SentReminder._meta.fields]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organisation__memberships__user=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
