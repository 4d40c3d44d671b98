from django import forms
from django.contrib import admin

from sscb.admin_inlines import StackedInline, TabularInline
from sscb.admin_records import RecordAdmin

from .forms import ActionOwnerChecks
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
    # Findings are disposed of with their theme (Disposals); never deleted here. A finding goes
    # into a theme only through theme_collate, which refuses a closed theme.
    governed_fields = ("theme",)
    changed_on = "Collate findings, which puts findings into a theme that is not closed"


class FindingInline(TabularInline):
    model = Finding
    fields = ["title", "source", "nature", "identified_on"]
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # into a theme through Collate findings, as on the finding's own page


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
    governed_fields = ("status", "agreed_on", "closed_on")
    changed_on = "the theme's page: its moves from proposed to agreed to closed"


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
    autocomplete_fields = ["theme"]
    inlines = [ActivityInline, CheckInline, EvidenceInline]
    # The Executive's decision, and the follow-up it sets, are recorded by outcome_decide.
    governed_fields = (
        "executive_on",
        "decision",
        "decision_notes",
        "decided_by",
        "decided_on",
        "follow_up_on",
    )
    changed_on = "the outcome's page: Record the Executive's decision"


@admin.register(DeliveryActivity)
class DeliveryActivityAdmin(RecordAdmin):
    list_display = ["title", "way", "outcome", "planned_on", "delivered_on", "reach"]
    list_filter = ["way"]
    search_fields = ["title", "audience"]
    list_select_related = ["outcome"]
    # Delivered learning needs an outcome the Executive agreed, and a session's or briefing's
    # reach is counted from its register or cascades: each through its own service.
    governed_fields = ("outcome", "way", "delivered_on", "reach")
    changed_on = "the outcome's page, a training session's or a briefing's"
    made_on = "the outcome's page, or with a training session or a briefing"


class StageInline(TabularInline):
    model = TrainingEvaluationStage
    extra = 0
    can_delete = False
    # Scheduled with the check and completed on its page (evaluation_stage_complete).
    governed_fields = ("stage", "due_on", "due_by", "completed_on", "responses", "confidence")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PracticeCheck)
class PracticeCheckAdmin(RecordAdmin):
    list_display = ["__str__", "outcome", "checked_on", "result"]
    list_filter = ["way", "result", "agency"]
    search_fields = ["summary", "outcome__title"]
    list_select_related = ["outcome", "agency"]
    autocomplete_fields = ["audit", "indicators"]
    inlines = [StageInline]
    # A training evaluation's result comes from the attendees' answers; any check's result is
    # recorded on the outcome's page, which refuses to type over one computed from answers.
    governed_fields = ("outcome", "activity", "way", "agency", "checked_on", "result")
    changed_on = "the outcome's page (Record a practice check), or the attendees' answers"
    made_on = "the outcome's page, which schedules a training evaluation's three stages"


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
    autocomplete_fields = ["outcome", "agency", "scorecard"]
    inlines = [AttachmentInline]
    # Evidence is received (with its files) by the agency and judged once it has been.
    governed_fields = ("received_on", "judgement", "judgement_reason", "judged_by", "judged_on")
    changed_on = "the evidence's page: Provide, then Judge"


class ActionAdminForm(ActionOwnerChecks, forms.ModelForm):
    """As on the action's page: an owner who may no longer own an action (an account closed,
    a role changed) stays chosen, and the page says why the action is not saved with them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields.get("owner")
        if owner is not None and self.instance.owner_id:
            kept = owner.queryset.model.objects.filter(pk=self.instance.owner_id)
            owner.queryset = owner.queryset | kept


@admin.register(Action)
class ActionAdmin(RecordAdmin):
    form = ActionAdminForm
    list_display = ["__str__", "owner_agency", "owner", "due_on", "status", "at_risk"]
    list_filter = ["status", "at_risk", "owner_agency", "subgroup"]
    show_full_result_count = False  # no second COUNT(*) of every action on each page
    search_fields = ["title", "description", "progress", "review__reference", "audit__reference"]
    list_select_related = ["owner_agency", "owner", "review", "audit"]
    readonly_fields = ["plan", "number"]
    # Numbered in its plan (action_create) when it is added; it stays in that plan, whose
    # reference exports, agendas and minutes quote ("RR-2026-002/1"): to move the work, add
    # an action to the other plan and cancel this one.
    made_on = "the plan's own page (Add an action to its plan), which numbers it in the plan"
    PLAN = ("review", "audit", "standard_assessment", "recommendation", "outcome")
    autocomplete_fields = [
        "review",
        "audit",
        "finding",
        "outcome",
        "owner_agency",
        "owner",
        "recommendation",
    ]
    # Reported complete by its owner, signed off by someone else, followed up: each a step
    # with its rules (action_report_progress, action_sign_off, action_record_follow_up).
    governed_fields = (
        *PLAN,
        "status",
        "completed_on",
        "completion_evidence",
        "signed_off_by",
        "signed_off_on",
        "follow_up_on",
        "follow_up_result",
        "followed_up_on",
        "sent_back_reason",
    )
    changed_on = (
        "the action's page: Report progress, Sign off or Send it back, Record the follow-up; "
        "its plan never "
        "changes: add an action to the other plan and cancel this one"
    )
    # A moderated standard has no words of its own to search by: chosen by its id.
    raw_id_fields = ["standard_assessment"]
    date_hierarchy = "due_on"
    inlines = [AttachmentInline]
