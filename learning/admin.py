from django.contrib import admin

from sscb.admin_inlines import StackedInline, TabularInline
from sscb.admin_records import RecordAdmin

from .models import (
    Action,
    AssuranceEvidence,
    Attachment,
    DeliveryActivity,
    Finding,
    LearningOutcome,
    PracticeCheck,
    PriorityTheme,
    TrainingEvaluationStage,
)


@admin.register(Finding)
class FindingAdmin(RecordAdmin):
    list_display = ["title", "source", "nature", "theme", "review", "audit", "identified_on"]
    # In a theme or not; a theme is searched for by its title, not chosen from every theme.
    list_filter = ["source", "nature", "subgroup", ("theme", admin.EmptyFieldListFilter)]
    search_fields = ["title", "detail", "review__reference", "audit__reference", "theme__title"]
    list_select_related = ["theme", "review", "audit"]
    autocomplete_fields = ["review", "audit", "recommendation", "theme", "recorded_by", "agencies"]
    date_hierarchy = "identified_on"
    show_full_result_count = False  # no second COUNT(*) of every finding on each page


class FindingInline(TabularInline):
    model = Finding
    fields = ["title", "source", "nature", "identified_on"]
    extra = 0
    show_change_link = True


class OutcomeInline(StackedInline):
    model = LearningOutcome
    fields = ["title", "decision", "executive_on", "evaluate_on"]
    extra = 0
    show_change_link = True


@admin.register(PriorityTheme)
class PriorityThemeAdmin(RecordAdmin):
    list_display = ["title", "status", "subgroup", "agreed_on"]
    list_filter = ["status", "subgroup", "priorities"]
    search_fields = ["title", "description"]
    filter_horizontal = ["priorities"]
    inlines = [FindingInline, OutcomeInline]


class ActivityInline(TabularInline):
    model = DeliveryActivity
    fields = ["way", "title", "planned_on", "delivered_on", "reach"]
    extra = 0


class CheckInline(TabularInline):
    model = PracticeCheck
    fields = ["way", "agency", "checked_on", "result"]
    autocomplete_fields = ["agency"]
    extra = 0
    show_change_link = True


class EvidenceInline(TabularInline):
    model = AssuranceEvidence
    fields = ["way", "agency", "title", "received_on", "judgement"]
    autocomplete_fields = ["agency"]
    extra = 0
    show_change_link = True


@admin.register(LearningOutcome)
class LearningOutcomeAdmin(RecordAdmin):
    list_display = ["title", "theme", "decision", "executive_on", "evaluate_on", "follow_up_on"]
    list_filter = ["decision"]
    search_fields = ["title", "schedule", "impact_measure", "theme__title"]
    list_select_related = ["theme"]
    autocomplete_fields = ["theme", "decided_by"]
    inlines = [ActivityInline, CheckInline, EvidenceInline]


@admin.register(DeliveryActivity)
class DeliveryActivityAdmin(RecordAdmin):
    list_display = ["title", "way", "outcome", "planned_on", "delivered_on", "reach"]
    list_filter = ["way"]
    search_fields = ["title", "audience"]
    list_select_related = ["outcome"]
    autocomplete_fields = ["outcome"]


class StageInline(TabularInline):
    model = TrainingEvaluationStage
    extra = 0


@admin.register(PracticeCheck)
class PracticeCheckAdmin(RecordAdmin):
    list_display = ["__str__", "outcome", "checked_on", "result"]
    list_filter = ["way", "result", "agency"]
    search_fields = ["summary", "outcome__title"]
    list_select_related = ["outcome", "agency"]
    autocomplete_fields = ["outcome", "activity", "agency", "audit", "indicators"]
    inlines = [StageInline]


class AttachmentInline(TabularInline):
    model = Attachment
    fields = ["name", "uploaded_by", "created_at"]
    readonly_fields = ["name", "uploaded_by", "created_at"]
    extra = 0
    can_delete = False


@admin.register(AssuranceEvidence)
class AssuranceEvidenceAdmin(RecordAdmin):
    list_display = ["title", "way", "agency", "requested_on", "received_on", "judgement"]
    list_filter = ["way", "judgement", "agency"]
    search_fields = ["title", "summary"]
    list_select_related = ["agency"]
    autocomplete_fields = ["outcome", "agency", "judged_by", "scorecard"]
    inlines = [AttachmentInline]


@admin.register(Action)
class ActionAdmin(RecordAdmin):
    list_display = ["__str__", "owner_agency", "owner", "due_on", "status", "at_risk"]
    list_filter = ["status", "at_risk", "owner_agency", "subgroup"]
    show_full_result_count = False  # no second COUNT(*) of every action on each page
    search_fields = ["title", "description", "progress", "review__reference", "audit__reference"]
    list_select_related = ["owner_agency", "owner", "review", "audit"]
    readonly_fields = ["plan", "number"]
    autocomplete_fields = [
        "review",
        "audit",
        "finding",
        "outcome",
        "owner_agency",
        "owner",
        "signed_off_by",
        "recommendation",
    ]
    # A moderated standard has no words of its own to search by: chosen by its id.
    raw_id_fields = ["standard_assessment"]
    date_hierarchy = "due_on"
    inlines = [AttachmentInline]
