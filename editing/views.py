"""The editing face's own views, beside the admin's: the date widget's live preview."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from editing.widgets import published_or_error, to_edtf


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
