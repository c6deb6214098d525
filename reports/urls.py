from django.urls import path

from . import views

# Mounted at /assessments/reports/, where the reports have always been.
app_name = "reports"
urlpatterns = [
    path("", views.report, name="report"),
    path("refresh/", views.refresh, name="refresh"),
    path("export.<str:file_format>", views.report_export, name="export"),
    path("outcomes.<str:file_format>", views.report_outcomes_export, name="outcomes_export"),
]
