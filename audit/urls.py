from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.trail, name="trail"),
    path("export.<str:file_format>", views.trail_export, name="export"),
]
