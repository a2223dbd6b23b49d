from django.urls import path
from django.utils.translation import gettext_lazy as _

from national import views

app_name = "national"
urlpatterns = [
    path("", views.home, name="home"),  # before public's index: / leads here when national
    path("register/", views.register, name="register"),
    path("register/export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("register/export.geojson", views.export, {"fmt": "geojson"}, name="export_geojson"),
    path(_("register/place/<int:pk>/"), views.place, name="place"),
    path(_("register/country/<str:code>/"), views.country, name="country"),
    path(_("register/statistics/"), views.statistics_page, name="statistics"),
    path(_("register/seeking/"), views.seeking, name="seeking"),
    path(_("register/seeking/<int:pk>/"), views.profile, name="profile"),
]
