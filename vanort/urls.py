from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from editing.views import imprecise_date_preview, preview
from national.views import statistics_json
from opendata.catalogue import dcat

urlpatterns = [
    # The date widget's live "as published" text (staff only), beside the admin's views.
    path("admin/register/imprecise-date/", imprecise_date_preview, name="imprecise_date_preview"),
    # The organisation's public pages with its drafts (staff of that organisation only).
    path("admin/preview/<slug:slug>/<str:lang>/", preview, name="preview"),
    path(
        "admin/preview/<slug:slug>/<str:lang>/partners/<slug:partner>/",
        preview,
        name="preview_partner",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/national/statistics", statistics_json, name="national_statistics_json"),
    path("api/", include("opendata.urls")),
    # The DCAT-AP-SE catalogue of the open data, for dataportal.se to harvest.
    path("datasets/dcat", dcat, name="dcat"),
]
urlpatterns += i18n_patterns(path("", include("reports.urls")))  # before public: its <slug>/
urlpatterns += i18n_patterns(path("", include("national.urls")))  # before public's <slug>/
urlpatterns += i18n_patterns(path("", include("public.urls")))

# The site's own error pages, in its design and the visitor's language (vanort/errors.py).
handler404 = "vanort.errors.page_not_found"
handler403 = "vanort.errors.permission_denied"
handler500 = "vanort.errors.server_error"
