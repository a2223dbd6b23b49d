from django.contrib import admin

from editing.base import FilterLookupsOnly
from public.models import AccessibilityFeedback


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(FilterLookupsOnly, admin.ModelAdmin):
    """Reports from the accessibility statement's form: read, not edited."""

    list_display = ["received_at", "organisation", "page", "email", "language", "mailed"]
    list_filter = ["organisation", "mailed", "language"]
    search_fields = ["message", "page", "email", "name"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "organisation",
        "page",
        "message",
        "name",
        "email",
        "language",
        "received_at",
        "mailed",
    ]

    def has_add_permission(self, request) -> bool:
        return False
