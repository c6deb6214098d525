from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("", views.endpoints, name="list"),
    path("new/", views.endpoint_create, name="create"),
    path("<int:pk>/", views.endpoint_change, name="change"),
    path("<int:pk>/secret/", views.endpoint_secret, name="secret"),
    path("<int:pk>/delete/", views.endpoint_delete, name="delete"),
    path("<int:pk>/deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/resend/", views.delivery_resend, name="resend"),
]
