from django.contrib import admin

from portal.admin import ViewOnlyAdmin

from .models import Assessment, PortfolioItem, ScoreSheet

# The procedure's records change only on the portal's own pages, through the services that check
# the rules, audit the change and notify the people concerned (rescheduling, cancelling, assessors,
# re-assessment); the admin shows them.


@admin.register(Assessment)
class AssessmentAdmin(ViewOnlyAdmin):
    list_display = ["candidate", "qualification", "status", "scheduled_at", "first_assessor", "second_assessor"]
    list_filter = ["status", "qualification"]
    search_fields = ["candidate__email", "candidate__last_name"]
    list_select_related = ["candidate", "qualification", "first_assessor", "second_assessor"]


@admin.register(PortfolioItem)
class PortfolioItemAdmin(ViewOnlyAdmin):
    list_display = ["original_name", "assessment", "content_type", "size", "uploaded_at"]
    list_select_related = ["assessment__candidate", "assessment__qualification"]


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ViewOnlyAdmin):
    list_display = ["assessment", "assessor", "status", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["assessment__candidate", "assessment__qualification", "assessor"]
