from django.urls import path

from public import views

app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.organisation, name="organisation"),
    path("<slug:slug>/theme.css", views.theme_css, name="theme"),
]
