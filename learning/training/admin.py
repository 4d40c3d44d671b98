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


@admin.register(Session)
class SessionAdmin(RecordAdmin):
    list_display = ["course", "held_on", "trainer", "places", "delivered_on"]
    list_select_related = ["course"]
    search_fields = ["course__title", "trainer", "venue"]
    autocomplete_fields = ["course"]
    readonly_fields = ["delivered_on"]
    date_hierarchy = "held_on"


@admin.register(Attendee)
class AttendeeAdmin(RecordAdmin):
    list_display = ["name", "agency", "session", "status"]
    list_filter = ["status", "agency"]
    list_select_related = ["agency", "session__course"]
    search_fields = ["name", "email", "manager_email"]
    autocomplete_fields = ["session", "agency"]


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
    raw_id_fields = ["attendee"]
    readonly_fields = ["answered_at"]
    inlines = [RatingInline]

    def has_add_permission(self, request):
        return False
