"""The API (``/api/v1/``, namespace ``api``) and the administrators' API keys page (``integrations``)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.middleware import personal_data

from . import key_views, views

api_patterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The viewer's script is a request of its own (no inline script: the CSP allows none).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="integrations/swagger_ui.html"),
        name="docs",
    ),
    path("people/", views.PeopleView.as_view(), name="people"),
    path("people/<int:pk>/", views.PersonView.as_view(), name="person"),
    path("assessments/", views.AssessmentsView.as_view(), name="assessments"),
    path("assessments/<int:pk>/", views.AssessmentView.as_view(), name="assessment"),
    path("assessments/<int:pk>/reschedule/", views.RescheduleView.as_view(), name="reschedule"),
    path("assessments/<int:pk>/cancel/", views.CancelView.as_view(), name="cancel"),
    path("assessments/<int:pk>/assessors/", views.AssessorsView.as_view(), name="assessors"),
    path("assessments/<int:pk>/result/", views.ResultView.as_view(), name="result"),
    path("assessments/<int:pk>/documents/", views.DocumentsView.as_view(), name="documents"),
    path(
        "certificates/<int:pk>/versions/<int:number>/supplement.pdf",
        views.SupplementFileView.as_view(),
        name="supplement",
    ),
    path("certificates/<int:pk>/versions/<int:number>/proof.pdf", views.ProofFileView.as_view(), name="proof"),
    path("certificates/<int:pk>/credential.json", views.CredentialJsonView.as_view(), name="credential_json"),
    path("certificates/<int:pk>/credential.jwt", views.CredentialJwtView.as_view(), name="credential_jwt"),
    path("verify/<str:code>/", personal_data(views.VerificationView.as_view()), name="verify"),
    re_path(r"", views.not_found),
]

key_patterns = [
    path("", key_views.api_keys, name="keys"),
    path("<str:prefix>/revoke/", key_views.api_key_revoke, name="revoke"),
]

urlpatterns = [
    path("api/v1/", include((api_patterns, "api"))),
    path("api-keys/", include((key_patterns, "integrations"))),
]
