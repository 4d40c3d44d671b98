from django.contrib import admin

from sscb.admin_inlines import StackedInline
from sscb.admin_records import RecordAdmin

from .models import Briefing, BriefingVersion, Cascade
from .services import briefing_reach_sync


class BriefingVersionInline(StackedInline):
    model = BriefingVersion
    fields = ["number", "title", "written_by", "written_at", "replaced_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Briefing)
class BriefingAdmin(RecordAdmin):
    list_display = ["title", "subgroup", "status", "version", "published_on"]
    list_filter = ["status", "subgroup"]
    list_select_related = ["subgroup"]
    search_fields = ["title"]
    raw_id_fields = [
        "theme",
        "review",
        "outcome",
        "written_by",
        "edited_by",
        "approved_by",
        "published_by",
    ]
    readonly_fields = [
        "version",
        "submitted_at",
        "approved_at",
        "approved_for_chair",
        "published_on",
        "activity",
    ]
    inlines = [BriefingVersionInline]


@admin.register(BriefingVersion)
class BriefingVersionAdmin(RecordAdmin):
    list_display = ["briefing", "number", "written_by", "written_at"]
    list_select_related = ["briefing", "written_by"]
    search_fields = ["title", "briefing__title"]
    raw_id_fields = ["briefing", "written_by", "replaced_by"]


@admin.register(Cascade)
class CascadeAdmin(RecordAdmin):
    list_display = ["briefing", "agency", "confirm_by", "cascaded_on", "method", "staff_reached"]
    list_filter = ["method", "agency"]
    list_select_related = ["briefing", "agency"]
    search_fields = ["briefing__title", "agency__name"]
    raw_id_fields = ["briefing", "agency", "confirmed_by"]
    readonly_fields = ["confirmed_at"]

    # A confirmation corrected or removed here changes the briefing's reach, as one made by an
    # agency lead does (briefing_reach_sync): the dashboard counts the delivery activity's.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moved_from = form.initial.get("briefing") if "briefing" in form.changed_data else None
        for briefing_id in {obj.briefing_id, moved_from} - {None}:
            briefing_reach_sync(briefing_id=briefing_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        briefing_reach_sync(briefing_id=obj.briefing_id)

    def delete_queryset(self, request, queryset):
        briefing_ids = set(queryset.values_list("briefing_id", flat=True))
        super().delete_queryset(request, queryset)
        for briefing_id in briefing_ids:
            briefing_reach_sync(briefing_id=briefing_id)
