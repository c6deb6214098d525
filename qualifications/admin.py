from django.contrib import admin

from portal.admin import ViewOnlyAdmin, ViewOnlyStackedInline, ViewOnlyTabularInline

from .models import Competency, DescriptorElement, Indicator, PartialQualification, Qualification, SupplementText

# The standard is the fixture's data (rule 1), checked against its French source by the tests.
# The decision compares the score sheets with the qualification's competencies and issued
# documents print its texts, so the admin shows it and changes nothing; a corrected standard is a
# corrected fixture.


class CompetencyInline(ViewOnlyTabularInline):
    model = Competency
    fields = ["order", "category", "code", "text_fr", "text_nl", "text_en"]


class DescriptorElementInline(ViewOnlyTabularInline):
    model = DescriptorElement
    fields = ["kind", "order", "text_fr", "text_nl", "text_en"]


class SupplementTextInline(ViewOnlyStackedInline):
    model = SupplementText


class PartialQualificationInline(ViewOnlyTabularInline):
    model = PartialQualification
    fields = ["order", "code", "title_fr", "title_nl", "title_en", "competencies"]


@admin.register(Qualification)
class QualificationAdmin(ViewOnlyAdmin):
    list_display = ["code", "title_nl", "flemish_level", "eqf_level", "year"]
    search_fields = ["code", "title_fr", "title_nl", "title_en"]
    inlines = [CompetencyInline, PartialQualificationInline, DescriptorElementInline, SupplementTextInline]


@admin.register(PartialQualification)
class PartialQualificationAdmin(ViewOnlyAdmin):
    list_display = ["order", "code", "title_nl", "qualification"]
    list_filter = ["qualification"]
    search_fields = ["code", "title_fr", "title_nl", "title_en"]
    fields = ["qualification", "order", "code", "title_fr", "title_nl", "title_en", "competencies"]


class IndicatorInline(ViewOnlyTabularInline):
    model = Indicator
    fields = ["order", "text_fr", "text_nl", "text_en"]


@admin.register(Competency)
class CompetencyAdmin(ViewOnlyAdmin):
    list_display = ["order", "code", "category", "text_nl", "qualification"]
    list_filter = ["qualification", "category"]
    search_fields = ["code", "text_fr", "text_nl", "text_en"]
    inlines = [IndicatorInline]
