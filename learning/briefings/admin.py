from django.contrib import admin

from sscb.admin_inlines import StackedInline
from sscb.admin_records import RecordAdmin

from .models import Briefing, BriefingVersion, Cascade


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
    raw_id_fields = ["theme", "review"]
    readonly_fields = [
        "version",
        "submitted_at",
        "approved_at",
        "approved_for_chair",
        "published_on",
        "activity",
    ]
    inlines = [BriefingVersionInline]
    # Its words change as numbered versions; it is submitted, approved by someone who did not
    # write it, and published (recording the outcome's delivery): each through its service.
    governed_fields = (
        "title",
        "what_happened",
        "why_it_matters",
        "what_to_do",
        "questions",
        "further_reading",
        "outcome",
        "status",
        "written_by",
        "edited_by",
        "returned_note",
        "approved_by",
        "published_by",
    )
    changed_on = "the briefing's page: Edit, Submit, Approve, Send back, Publish"
    made_on = "a theme's, review's or outcome's page (Write a briefing)"


@admin.register(BriefingVersion)
class BriefingVersionAdmin(RecordAdmin):
    list_display = ["briefing", "number", "written_by", "written_at"]
    list_select_related = ["briefing", "written_by"]
    search_fields = ["title", "briefing__title"]
    read_only = True
    changed_on = "kept by the briefing's page as each edit replaces the words"


@admin.register(Cascade)
class CascadeAdmin(RecordAdmin):
    list_display = ["briefing", "agency", "confirm_by", "cascaded_on", "method", "staff_reached"]
    list_filter = ["method", "agency"]
    list_select_related = ["briefing", "agency"]
    search_fields = ["briefing__title", "agency__name"]
    # Sent at publication, confirmed by the agency's own lead; the briefing's reach is their
    # sum (cascade_confirm, briefing_reach_sync).
    read_only = True
    changed_on = "My agency, Briefings to cascade, by the agency's lead"
