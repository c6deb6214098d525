from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from monitoring import views as monitoring_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", monitoring_views.health, name="health"),
    path("metrics", monitoring_views.metrics, name="metrics"),
    path("favicon.ico", views.favicon),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("qualifications/", include("qualifications.urls")),
    path("assessments/reports/", include("reports.urls")),
    path("assessments/", include("assessments.urls")),
    path("notifications/", include("notifications.urls")),
    path("jobs/", include("jobs.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("", include("certificates.urls")),
    path("", include("integrations.urls")),
    path("admin/", admin.site.urls),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
