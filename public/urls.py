from django.urls import path
from django.utils.translation import gettext_lazy as _

from public import views

app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.organisation, name="organisation"),
    path(_("<slug:slug>/partners/<slug:partner>/"), views.partner, name="partner"),
    path(_("<slug:slug>/activities/"), views.activities, name="activities"),
    path(_("<slug:slug>/contact/"), views.contact, name="contact"),
    path(_("<slug:slug>/accessibility/"), views.accessibility, name="accessibility"),
    path(_("<slug:slug>/privacy/"), views.privacy, name="privacy"),
    path(_("<slug:slug>/map.svg"), views.partner_map_svg, name="map"),
    path("<slug:slug>/open-now.json", views.open_now_json, name="open_now"),
    path("<slug:slug>/theme.css", views.theme_css, name="theme"),
]
