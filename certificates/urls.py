from django.urls import path, re_path

from qualifications.models import Proof

from . import badge_views, credential_views, views

app_name = "certificates"
urlpatterns = [
    path("verify/", credential_views.verify_file, name="verify_file"),
    path("verify/check.json", credential_views.verify_file_json, name="verify_check"),
    path("verify/number/", credential_views.verify_by_number, name="verify_number"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("credentials/issuer/", credential_views.issuer_profile, name="issuer"),
    path("credentials/issuer/keys/<str:public_key_multibase>/", credential_views.multikey, name="multikey"),
    path("credentials/keys.json", credential_views.key_set, name="keys"),
    path("credentials/keys/<str:key_id>.json", credential_views.key, name="key"),
    path("credentials/status/revocation/", credential_views.status_list, name="status_list"),
    path(
        "credentials/achievements/<str:code>/partial-qualifications/<str:orders>/",
        credential_views.achievement,
        {"kind": Proof.PARTIAL},
        name="achievement_partial",
    ),
    path(
        "credentials/achievements/<str:code>/competencies/<str:orders>/",
        credential_views.achievement,
        {"kind": Proof.STATEMENT},
        name="achievement_competencies",
    ),
    path(
        "certificates/<int:pk>/credential.jwt",
        credential_views.credential_download,
        {"extension": "jwt"},
        name="credential_jwt",
    ),
    path(
        "certificates/<int:pk>/credential.json",
        credential_views.credential_download,
        {"extension": "json"},
        name="credential_json",
    ),
    path(
        "certificates/<int:pk>/badge.png", credential_views.credential_download, {"extension": "png"}, name="badge_png"
    ),
    path(
        "certificates/<int:pk>/badge.svg", credential_views.credential_download, {"extension": "svg"}, name="badge_svg"
    ),
    path("achievements/<str:code>/<slug:kind>/", badge_views.achievement, name="achievement"),
    re_path(
        r"^achievements/(?P<code>[^/]+)/(?P<kind>[-a-z]+)/badge-(?P<first>[a-z]{2})-(?P<second>[a-z]{2})\.(?P<extension>png|svg)$",
        badge_views.badge_image,
        name="badge",
    ),
    path("certificates/<int:pk>/panel/", views.certificate_panel_fragment, name="panel"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="revoke"),
    path("certificates/<int:pk>/render/", views.supplement_rerender, name="rerender"),
    path("certificates/<int:pk>/supplements/<int:version>/retry/", views.supplement_retry, name="retry"),
    path("certificates/<int:pk>/supplements/<int:version>/download/", views.supplement_download, name="download"),
    path("certificates/<int:pk>/supplements/<int:version>/proof/", views.proof_download, name="proof_download"),
    path(
        "certificates/<int:pk>/supplements/<int:version>/documents.zip",
        views.documents_download,
        name="documents_download",
    ),
]
