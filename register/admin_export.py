"""The admin's export: the selected records (or all N of the filtered list) as a CSV file
for a spreadsheet, drafts included. The action runs on the changelist's queryset, which
RegisterAdmin scopes to the user's organisations, so it never writes another
organisation's records; what the columns are is decided in opendata/editor_csv.py."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from accounts.roles import organisation_ids
from opendata.editor_csv import spreadsheet
from register.models import Organisation


@admin.action(description=_("Export selected as CSV"), permissions=["view"])
def export_selected_as_csv(modeladmin, request, queryset):
    sheet = spreadsheet(queryset, fallback_owner=_own_organisation(request.user))
    response = HttpResponse(sheet.text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, sheet.filename)
    return response


def _own_organisation(user) -> str:
    """The slug of the user's only organisation, for the file name of shared records."""
    orgs = organisation_ids(user)
    if len(orgs) != 1:
        return "vanort"
    return Organisation.objects.filter(pk__in=orgs).values_list("slug", flat=True).first()
