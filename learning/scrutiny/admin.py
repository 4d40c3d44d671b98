from django.contrib import admin

from sscb.admin_inlines import StackedInline
from sscb.admin_records import RecordAdmin

from .models import Inspection, Recommendation


class RecommendationInline(StackedInline):
    model = Recommendation
    fields = ["number", "text", "agency"]
    readonly_fields = ["number"]
    autocomplete_fields = ["agency"]
    extra = 0
    show_change_link = True


@admin.register(Inspection)
class InspectionAdmin(RecordAdmin):
    list_display = ["reference", "title", "kind", "started_on", "judgement", "subgroup"]
    list_filter = ["kind", "subgroup"]
    list_select_related = ["subgroup"]
    search_fields = ["reference", "title", "carried_out_by"]
    readonly_fields = ["reference"]
    autocomplete_fields = ["agencies"]
    date_hierarchy = "started_on"
    inlines = [RecommendationInline]
    made_on = "Inspections and peer reviews (Add to the register), which gives it its reference"


@admin.register(Recommendation)
class RecommendationAdmin(RecordAdmin):
    list_display = ["__str__", "agency"]
    list_select_related = ["inspection", "agency"]
    search_fields = ["text", "inspection__reference"]
    readonly_fields = ["number"]
    autocomplete_fields = ["inspection", "agency"]
    # Numbered within its inspection when it is added (recommendation_save), and kept there:
    # findings and actions quote it ("JTAI-2025-1 R2").
    governed_fields = ("inspection",)
    changed_on = "the inspection's page"
    made_on = "the inspection's page (Add a recommendation), which numbers it"
