from django.urls import path

from . import manage_views, outcome_views, views

app_name = "assessments"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/timeline/", views.assessment_timeline, name="timeline"),
    path("<int:pk>/start/", views.assessment_start, name="start"),
    path("<int:pk>/end/", views.assessment_end, name="end"),
    path("<int:pk>/portfolio/add/", views.portfolio_add, name="portfolio_add"),
    path("<int:pk>/portfolio/<int:item_pk>/withdraw/", views.portfolio_withdraw, name="portfolio_withdraw"),
    path("<int:pk>/portfolio/<int:item_pk>/download/", views.portfolio_download, name="portfolio_download"),
    path("<int:pk>/score-sheet/", views.score_sheet, name="score_sheet"),
    path(
        "<int:pk>/observations/<int:observation_pk>/download/", views.observation_download, name="observation_download"
    ),
    path("<int:pk>/reconciliation/", views.reconciliation, name="reconciliation"),
    path("<int:pk>/reconciliation/<int:competency_pk>/revise/", views.judgement_revise, name="revise"),
    path("<int:pk>/assessors/", manage_views.assessors_edit, name="assessors_edit"),
    path("<int:pk>/schedule/", manage_views.assessment_schedule, name="schedule"),
    path("<int:pk>/reassess/", outcome_views.reassess, name="reassess"),
    path("<int:pk>/objection/", outcome_views.objection_lodge, name="objection"),
    path("<int:pk>/objection/decide/", outcome_views.objection_decide, name="objection_decide"),
    path("new/", manage_views.assessment_create, name="create"),
    path("day/", manage_views.day_view, name="day"),
    path("export.<str:file_format>", manage_views.dashboard_export, name="export"),
    path("import/", manage_views.assessments_import, name="import"),
]
