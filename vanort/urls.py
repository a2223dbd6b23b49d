from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from editing.views import imprecise_date_preview, preview

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
    path("api/", include("opendata.urls")),
]
urlpatterns += i18n_patterns(path("", include("reports.urls")))  # before public: its <slug>/
urlpatterns += i18n_patterns(path("", include("public.urls")))
