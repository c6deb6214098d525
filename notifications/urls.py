from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notifications, name="list"),
    path("<int:pk>/resend/", views.notification_resend, name="resend"),
]
