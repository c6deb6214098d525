from django.contrib import admin

from .models import Competency, DescriptorElement, Indicator, Qualification, SupplementText


class CompetencyInline(admin.TabularInline):
    model = Competency
    fields = ["order", "category", "code", "text_fr", "text_nl", "text_en"]
    extra = 0


class DescriptorElementInline(admin.TabularInline):
    model = DescriptorElement
    fields = ["kind", "order", "text_fr", "text_nl", "text_en"]
    extra = 0


class SupplementTextInline(admin.StackedInline):
    model = SupplementText
    extra = 0


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["code", "title_nl", "flemish_level", "eqf_level", "year"]
    search_fields = ["code", "title_fr", "title_nl", "title_en"]
    inlines = [CompetencyInline, DescriptorElementInline, SupplementTextInline]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["order", "text_fr", "text_nl", "text_en"]
    extra = 0


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "category", "text_nl", "qualification"]
    list_filter = ["qualification", "category"]
    search_fields = ["code", "text_fr", "text_nl", "text_en"]
    inlines = [IndicatorInline]
