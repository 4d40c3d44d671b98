from django.contrib import admin

from sscb.admin_inlines import TabularInline
from sscb.admin_records import RecordAdmin

from .models import Attendee, Course, Questionnaire, Rating, Session


@admin.register(Course)
class CourseAdmin(RecordAdmin):
    list_display = ["title", "kind", "subgroup"]
    list_filter = ["kind", "subgroup"]
    list_select_related = ["subgroup"]
    search_fields = ["title", "summary"]
    autocomplete_fields = ["outcomes"]
    deletable = True  # a course with sessions is PROTECTed


@admin.register(Session)
class SessionAdmin(RecordAdmin):
    list_display = ["course", "held_on", "trainer", "places", "delivered_on"]
    list_select_related = ["course"]
    search_fields = ["course__title", "trainer", "venue"]
    readonly_fields = ["delivered_on"]
    date_hierarchy = "held_on"
    # A session is a planned delivery of each of its course's outcomes; delivered, its date
    # and reach are the delivery's (session_save, session_deliver).
    governed_fields = ("course", "held_on")
    changed_on = "the session's page: Edit, Record as delivered"
    made_on = "the course's page, which plans its delivery for each of the course's outcomes"


@admin.register(Attendee)
class AttendeeAdmin(RecordAdmin):
    list_display = ["name", "agency", "session", "status"]
    list_filter = ["status", "agency"]
    list_select_related = ["agency", "session__course"]
    search_fields = ["name", "email", "manager_email"]
    autocomplete_fields = ["agency"]
    # Attendance is marked, and a booking taken off, on the session's page, which keeps those
    # sent a questionnaire on the register.
    governed_fields = ("session", "status")
    changed_on = "the session's page: its register"
    made_on = "the session's page (its register, or a CSV / XLSX of it)"


class RatingInline(TabularInline):
    model = Rating
    fields = ["point", "score"]
    readonly_fields = ["point", "score"]
    extra = 0
    can_delete = False


@admin.register(Questionnaire)
class QuestionnaireAdmin(RecordAdmin):
    """Answers are given through their one-use links only: the admin reads them."""

    list_display = ["attendee", "stage", "answered_at", "practice_changed"]
    list_filter = ["stage", "practice_changed"]
    list_select_related = ["attendee__agency"]
    search_fields = ["attendee__name", "attendee__email"]
    inlines = [RatingInline]
    read_only = True
    changed_on = "answered through its one-use link"
