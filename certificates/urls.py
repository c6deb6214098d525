from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("verify/<str:code>/", views.verify, name="verify"),
    path("certificates/<int:pk>/panel/", views.certificate_panel_fragment, name="panel"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="revoke"),
    path("certificates/<int:pk>/render/", views.supplement_rerender, name="rerender"),
    path("certificates/<int:pk>/supplements/<int:version>/retry/", views.supplement_retry, name="retry"),
    path("certificates/<int:pk>/supplements/<int:version>/download/", views.supplement_download,
         name="download"),
]
