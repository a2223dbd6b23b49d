"""Pairs reported by outside sources, for editors to compare with their register.
Read-only: they change only by re-importing their source."""

from django.contrib import admin

from editing.base import FilterLookupsOnly
from interop.models import ReportedPair


@admin.register(ReportedPair)
class ReportedPairAdmin(FilterLookupsOnly, admin.ModelAdmin):
    list_display = ["place_a", "place_b", "source", "start", "end"]
    list_select_related = ["place_a", "place_b", "source"]
    list_filter = ["source"]
    search_fields = ["place_a__name", "place_b__name"]
    show_full_result_count = False  # the national data has tens of thousands of pairs

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
