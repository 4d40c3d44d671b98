"""The Business Unit holds the performance framework here: scorecards, indicators (with their
targets and tolerances) and, where an agency's return needs putting right, its values."""

from django.contrib import admin

from sscb.admin_inlines import TabularInline
from sscb.admin_records import RecordAdmin

from .models import Indicator, IndicatorSet, IndicatorValue


class IndicatorInline(TabularInline):
    model = Indicator
    fields = ["order", "name", "agency", "unit", "polarity", "target", "tolerance", "frequency"]
    autocomplete_fields = ["agency"]
    extra = 0
    show_change_link = True


@admin.register(IndicatorSet)
class IndicatorSetAdmin(RecordAdmin):
    list_display = ["name", "return_days", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [IndicatorInline]
    deletable = True  # a set with indicators that have values is kept by them (PROTECT)


@admin.register(Indicator)
class IndicatorAdmin(RecordAdmin):
    list_display = [
        "name",
        "indicator_set",
        "agency",
        "unit",
        "polarity",
        "target",
        "tolerance",
        "frequency",
        "is_active",
    ]
    list_filter = ["indicator_set", "frequency", "polarity", "is_active"]
    list_select_related = ["indicator_set", "agency"]
    search_fields = ["name", "definition", "agency__name"]
    autocomplete_fields = ["indicator_set", "agency"]
    deletable = True  # an indicator with values returned is PROTECTed


@admin.register(IndicatorValue)
class IndicatorValueAdmin(RecordAdmin):
    list_display = ["indicator", "year", "quarter", "value", "submitted_by", "updated_at"]
    list_filter = ["year", "quarter", "indicator__indicator_set"]
    list_select_related = ["indicator", "submitted_by"]
    search_fields = ["indicator__name", "commentary"]
    autocomplete_fields = ["indicator"]
    # A value is put right here; which quarter it is of, and who returned it, stay.
    governed_fields = ("indicator", "year", "quarter", "submitted_by")
    changed_on = "the agency's return of its values"
    made_on = "the agency's return of its values (My agency, or a CSV / XLSX)"
