from django.contrib import admin
from django.db import models

from sscb.admin_inlines import TabularInline
from sscb.admin_records import RecordAdmin

from .models import AgendaItem, Attendance, Meeting, Paper

# What the meeting's services let change as it moves on (learning.meetings.services): the
# meeting and its agenda until its minutes are approved (meeting_update, item_update), who
# came only once it is held, until then (attendance_record). Here no more than there.


def _agenda_open(meeting) -> bool:
    return meeting is None or meeting.status != Meeting.Status.MINUTES_APPROVED


def _attendance_open(meeting) -> bool:
    return meeting is None or meeting.status in Meeting.MINUTING


class AgendaItemInline(TabularInline):
    model = AgendaItem
    fk_name = "meeting"
    fields = ["position", "subject", "title", "presenter", "decided_on"]
    extra = 0
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return _agenda_open(obj) and super().has_change_permission(request, obj)


class AttendanceInline(TabularInline):
    model = Attendance
    fields = ["person", "agency", "status", "deputy"]
    autocomplete_fields = ["person", "agency"]
    extra = 0

    def has_change_permission(self, request, obj=None):
        return _attendance_open(obj) and super().has_change_permission(request, obj)


@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    list_display = ["held_on", "body", "status", "place", "papers_due_on"]
    list_filter = ["status", "body"]
    list_select_related = ["body"]
    search_fields = ["body__name", "place"]
    autocomplete_fields = ["body"]
    # A meeting moves forward one status at a time, each with what it needs (move_refusal):
    # its minutes are approved at the next meeting of the body. Its body is chosen when it is
    # scheduled; its date moves on its page (meeting_update), which refuses a day to come for
    # a meeting held, and the outcomes on its agenda go to the Executive on the new day.
    governed_fields = ("status", "minutes_circulated_on", "minutes_approved_at")
    added_with = ("body", "held_on", "papers_due_on")
    changed_on = (
        "the meeting's page: Edit (its date and papers' day), its status moves, and minutes "
        "approved at the next meeting"
    )
    date_hierarchy = "held_on"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [AgendaItemInline, AttendanceInline]

    def has_change_permission(self, request, obj=None):
        return _agenda_open(obj) and super().has_change_permission(request, obj)


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
    # Added by item_add, at the end of the agenda, which sends an outcome to the Executive on
    # the meeting's day; moved up and down there too. What it is about stays what it was
    # added for.
    governed_fields = (
        "meeting",
        "position",
        "subject",
        "url",
        *AgendaItem.RECORD_FIELDS,
        "presenter",
        "notes",
        "decision",
        "decided_on",
        "minutes_of",
        "actions_arising",
    )
    changed_on = (
        "the meeting's page: Move up and down, Edit the item (its presenter), Minute, Decide, "
        "Approve the minutes, Actions arising"
    )
    made_on = "the meeting's page (from what is due, or Add an item by hand)"

    def has_change_permission(self, request, obj=None):
        open_ = obj is None or _agenda_open(obj.meeting)
        return open_ and super().has_change_permission(request, obj)


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
    governed_fields = ("meeting", "person")
    changed_on = "the meeting's page (Record attendance), once it is held"
    made_on = "the meeting's page (Record attendance), once it is held"

    def has_change_permission(self, request, obj=None):
        open_ = obj is None or _attendance_open(obj.meeting)
        return open_ and super().has_change_permission(request, obj)
