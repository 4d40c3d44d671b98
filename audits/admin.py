from django import forms
from django.contrib import admin

from sscb.admin_inlines import StackedInline, TabularInline
from sscb.admin_records import RecordAdmin

from .models import (
    Audit,
    AuditCycle,
    CaseAuditEntry,
    Framework,
    SelfAssessment,
    Standard,
    StandardAssessment,
)
from .services import SIGN_OFF_FIELDS, audit_change_refusals


class StandardInline(StackedInline):
    model = Standard
    extra = 0
    fields = ["number", "title", "guidance", "evidence_expected"]


@admin.register(Framework)
class FrameworkAdmin(RecordAdmin):
    list_display = ["name", "code", "for_schools"]
    inlines = [StandardInline]
    deletable = True  # a framework a cycle uses is PROTECTed


@admin.register(Standard)
class StandardAdmin(RecordAdmin):
    list_display = ["framework", "number", "title"]
    list_filter = ["framework"]
    search_fields = ["title", "guidance", "evidence_expected"]
    list_select_related = ["framework"]
    deletable = True  # a standard an answer is about is PROTECTed


def _cases_closed(audit) -> bool:
    """Whether ``audit``'s graded cases no longer change: once it is complete, as its page
    (audits.services.case_audit_entry_add) says."""
    return audit is not None and audit.stage == Audit.Stage.COMPLETE


class CaseAuditEntryInline(TabularInline):
    model = CaseAuditEntry
    extra = 0
    autocomplete_fields = ["agency"]

    def has_change_permission(self, request, obj=None):
        return not _cases_closed(obj) and super().has_change_permission(request, obj)


class AuditAdminForm(forms.ModelForm):
    """The audit's own page's rules for a change here (``audit_change_refusals``): its agencies
    for its kind, an agency with graded cases kept, and dates that keep its findings, the
    practice checks citing it and its completed actions in order."""

    def _post_clean(self):
        super()._post_clean()  # the instance now holds what was typed
        if self.instance.pk is None or self.errors:
            return
        agencies = self.cleaned_data.get("agencies")
        refusals = audit_change_refusals(
            audit=self.instance, agencies=None if agencies is None else list(agencies)
        )
        for field, messages in refusals.items():
            self.add_error(field if field in self.fields else None, messages)


@admin.register(Audit)
class AuditAdmin(RecordAdmin):
    form = AuditAdminForm
    list_display = ["reference", "title", "kind", "stage", "lead_subgroup", "period_start"]
    list_filter = ["kind", "stage", "lead_subgroup"]
    search_fields = ["reference", "title", "scope"]
    list_select_related = ["lead_subgroup"]
    autocomplete_fields = ["agencies"]
    readonly_fields = ["reference"]
    inlines = [CaseAuditEntryInline]
    # Its kind is fixed once it is recorded: its reference was numbered for it, and a case file
    # audit's graded cases are its own.
    governed_fields = ("kind", "stage", "created_by")
    changed_on = "the audit's page: its stage moves as cases are graded"
    made_on = "the Audits page (Record an audit), which gives it its reference"


@admin.register(CaseAuditEntry)
class CaseAuditEntryAdmin(RecordAdmin):
    list_display = ["audit", "pseudonym", "agency", "grade"]
    list_filter = ["grade", "agency"]
    search_fields = ["pseudonym", "audit__reference"]
    list_select_related = ["audit", "agency"]
    autocomplete_fields = ["audit", "agency"]
    # Cases are graded only in a case file audit not yet complete (case_audit_entry_add).
    governed_fields = ("audit",)
    changed_on = "the case file audit's page, until the audit is complete"
    made_on = "the case file audit's page (Grade a case), until the audit is complete"

    def has_change_permission(self, request, obj=None):
        closed = obj is not None and _cases_closed(obj.audit)
        return not closed and super().has_change_permission(request, obj)


@admin.register(AuditCycle)
class AuditCycleAdmin(RecordAdmin):
    list_display = ["title", "framework", "financial_year", "opened_on", "deadline"]
    list_filter = ["framework", "financial_year"]
    search_fields = ["title"]
    list_select_related = ["framework"]
    # A cycle's framework and year fix whom its returns went to and what they answer; its
    # deadline moves with each return's (audit_cycle_change_deadline).
    governed_fields = ("framework", "financial_year", "opened_on", "deadline", "opened_by")
    changed_on = "the cycle's page (Change the deadline)"
    made_on = "the Section 11 / 175 page (Open a cycle), which sends a return to each agency"


# What the agency answers for a standard: changed only on the return's own page, while it is
# with the agency (audits.services.self_assessment_save_draft, which takes a changed answer's
# moderation off and has the agency re-confirm what was carried forward); read-only here.
AGENCY_ANSWER_FIELDS = ("self_score", "narrative", "evidence", "needs_reconfirmation")


class StandardAssessmentInline(StackedInline):
    model = StandardAssessment
    extra = 0
    fk_name = "self_assessment"
    raw_id_fields = ["carried_forward_from"]
    # Which standard an answer is about, and who moderated it, are the services' to record:
    # shown, not chosen again for every row (each choice box costs a query per row).
    readonly_fields = ["standard", "moderated_by", "moderated_at"]
    fields = [
        "standard",
        ("self_score", "moderated_score", "needs_reconfirmation"),
        "narrative",
        "evidence",
        "moderation_comment",
        "challenge_notes",
        ("moderated_by", "moderated_at"),
        "carried_forward_from",
    ]

    def get_queryset(self, request):
        # The answer carried forward is named by its own agency and standard.
        return (
            super()
            .get_queryset(request)
            .select_related(
                "carried_forward_from__self_assessment__agency", "carried_forward_from__standard"
            )
        )


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(RecordAdmin):
    list_display = ["agency", "cycle", "status", "submitted_at"]
    list_filter = ["status", "cycle"]
    search_fields = ["agency__name"]
    list_select_related = ["agency", "cycle"]
    inlines = [StandardAssessmentInline]
    governed_fields = (
        "cycle",
        "agency",
        "status",
        "submitted_at",
        "submitted_by",
        "moderated_at",
        "sent_back_reason",
    )
    changed_on = (
        "the return's page: its answers and sign-off while it is with the agency, then Submit, "
        "Send back to the agency, Moderate"
    )
    made_on = "the cycle, which sends a return to each agency when it opens"

    def _governed(self, obj=None):
        # Once in, the agency's sign-off is what it submitted, as on the return's page.
        submitted = SIGN_OFF_FIELDS if obj is not None and obj.is_returned else ()
        return super()._governed(obj) + submitted


@admin.register(StandardAssessment)
class StandardAssessmentAdmin(RecordAdmin):
    list_display = ["self_assessment", "standard", "self_score", "moderated_score"]
    list_filter = ["self_assessment__cycle", "self_score", "moderated_score"]
    list_select_related = ["self_assessment__agency", "self_assessment__cycle", "standard"]
    raw_id_fields = ["carried_forward_from"]
    governed_fields = (
        "self_assessment",
        "standard",
        *AGENCY_ANSWER_FIELDS,
        "moderated_score",
        "moderated_by",
        "moderated_at",
    )
    changed_on = (
        "the return's page: the agency's answer while the return is with it, then Moderate, "
        "or the meeting that moderates it"
    )
    made_on = "the return, with one answer for each standard of its framework"
