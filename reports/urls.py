from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("reports/<slug:slug>/<int:year>/", views.annual_report, name="annual"),
    path("reports/<slug:slug>/<int:year>.pdf", views.annual_report_pdf, name="annual_pdf"),
    path("reports/<slug:slug>/<int:year>.csv", views.annual_report_csv, name="annual_csv"),
    path("calendar/<str:token>.ics", views.deadline_calendar, name="calendar"),
]
