from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("oidc/authenticate/", views.OidcSignInView.as_view(), name="oidc_sign_in"),
    path("oidc/callback/", views.OidcCallbackView.as_view(), name="oidc_callback"),
    path("invitation/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("profile/", views.profile, name="profile"),
    path("people/", views.people, name="people"),
    path("people/search/", views.account_search, name="account_search"),
    path("people/export.<str:file_format>", views.people_export, name="people_export"),
    path("people/<int:user_pk>/", views.person, name="person"),
    path("people/<int:user_pk>/active/", views.person_set_active, name="person_set_active"),
    path("people/import/", views.candidates_import, name="candidates_import"),
    path("people/new/<str:role>/", views.account_create, name="account_create"),
    path("people/<int:user_pk>/invite/", views.invitation_resend, name="invitation_resend"),
]
