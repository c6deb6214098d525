from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:job_pk>/", views.job_detail, name="detail"),
    path("<int:job_pk>/progress/", views.job_progress, name="progress"),
    path("<int:job_pk>/cancel/", views.job_cancel, name="cancel"),
    path("<int:job_pk>/import/", views.job_import, name="import"),
    path("<int:job_pk>/download/", views.job_download, name="download"),
]
