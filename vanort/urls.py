from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("opendata.urls")),
]
urlpatterns += i18n_patterns(path("", include("reports.urls")))  # before public: its <slug>/
urlpatterns += i18n_patterns(path("", include("public.urls")))
