from django.contrib import admin
from django.db import models

from sscb.admin_inlines import TabularInline
from sscb.admin_records import RecordAdmin

from .models import AgendaItem, Attendance, Meeting, Paper


class AgendaItemInline(TabularInline):
    model = AgendaItem
    fk_name = "meeting"
    fields = ["position", "subject", "title", "presenter", "decided_on"]
    extra = 0
    show_change_link = True


class AttendanceInline(TabularInline):
    model = Attendance
    fields = ["person", "agency", "status", "deputy"]
    autocomplete_fields = ["person", "agency"]
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    list_display = ["held_on", "body", "status", "place", "papers_due_on"]
    list_filter = ["status", "body"]
    list_select_related = ["body"]
    search_fields = ["body__name", "place"]
    autocomplete_fields = ["body"]
    # A meeting moves forward one status at a time, each with what it needs (move_refusal):
    # its minutes are approved at the next meeting of the body.
    governed_fields = ("status", "minutes_circulated_on", "minutes_approved_at")
    changed_on = "the meeting's page: its status moves, and minutes approved at the next meeting"
    date_hierarchy = "held_on"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [AgendaItemInline, AttendanceInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(RecordAdmin):
    list_display = ["title", "meeting", "position", "subject", "decided_on"]
    list_filter = ["subject"]
    list_select_related = ["meeting__body"]
    search_fields = ["title", "notes", "decision"]
    autocomplete_fields = [
        "meeting",
        "review",
        "audit",
        "self_assessment",
        "outcome",
        "theme",
        "action",
        "evidence",
    ]
    # The minutes of an item, its decision and what it decides (a referral, an outcome, a
    # theme, a return's moderation, minutes approved) are recorded by the meeting's services.
    # Its presenter too: they must be someone who may open the item (learning.meetings.services
    # refuses anyone else, and their reminders name the item).
    governed_fields = (
        "presenter",
        "notes",
        "decision",
        "decided_on",
        "minutes_of",
        "actions_arising",
    )
    changed_on = (
        "the meeting's page: Edit the item (its presenter), Minute, Decide, Approve the minutes, "
        "Actions arising"
    )


@admin.register(Paper)
class PaperAdmin(RecordAdmin):
    """Papers are added on the meeting's page, through the safe upload rule, and downloaded
    there into the access log: the admin neither takes nor serves their files."""

    list_display = ["name", "item", "uploaded_by", "created_at"]
    list_select_related = ["item__meeting__body", "uploaded_by"]
    search_fields = ["name", "item__title"]
    fields = ["item", "name", "uploaded_by", "created_at"]
    readonly_fields = ["item", "uploaded_by", "created_at"]
    made_on = "the meeting's page, through the safe upload rule"


@admin.register(Attendance)
class AttendanceAdmin(RecordAdmin):
    list_display = ["person", "meeting", "agency", "status", "deputy"]
    list_filter = ["status", "agency"]
    list_select_related = ["person", "meeting__body", "agency"]
    search_fields = ["person__username", "person__last_name", "deputy"]
    autocomplete_fields = ["meeting", "person", "agency"]
