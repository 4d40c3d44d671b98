from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError

from sscb.admin_inlines import TabularInline
from sscb.admin_records import RecordAdmin

from .casefile import _check_may_enter, independence_refusal
from .models import (
    AgeBand,
    CaseDocument,
    ChildDeathDetails,
    ChronologyEntry,
    ClockPause,
    DeathCategory,
    DocumentVersion,
    ParallelProcess,
    Review,
    ReviewAct,
    ReviewAgency,
    ReviewClock,
    ReviewStageChange,
    ReviewTeamMember,
    TermsOfReference,
)
from .services import INVOLVEMENT_FIELDS, review_clocks_sync, review_record_opening


class ReviewAgencyInline(TabularInline):
    model = ReviewAgency
    extra = 0
    autocomplete_fields = ["agency"]
    can_delete = False  # part of the case file, emptied by its disposal


class ParallelProcessInline(TabularInline):
    model = ParallelProcess
    extra = 0
    can_delete = False  # part of the case file, emptied by its disposal


class ReviewClockInline(TabularInline):
    """Clocks are computed from the review's dates; pause and resume them from the review page."""

    model = ReviewClock
    extra = 0
    can_delete = False
    fields = ["kind", "regime", "started_on", "due_on", "paused_on", "pause_reason", "met_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReviewStageChangeInline(TabularInline):
    """Stage moves are a record: they are made with the review page's move action."""

    model = ReviewStageChange
    extra = 0
    can_delete = False
    fields = ["happened_on", "moved_at", "from_stage", "to_stage", "moved_by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReviewActInline(TabularInline):
    """Decisions, telling the panel and publication, each on the day it happened: a record."""

    model = ReviewAct
    extra = 0
    can_delete = False
    fields = ["happened_on", "kind", "summary", "recorded_at", "recorded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


# What the Business Unit may still correct in a review's admin: its words, which no rule reads.
WORDS = ("title", "pseudonym", "summary", "method", "method_rationale", *INVOLVEMENT_FIELDS)


def _shown_but(fieldsets, left) -> tuple[str, ...]:
    """The fields ``fieldsets`` show, but those in ``left``, in the order shown."""
    return tuple(
        name for _section, shown in fieldsets for name in shown["fields"] if name not in left
    )


@admin.register(Review)
class ReviewAdmin(RecordAdmin):
    list_display = [
        "reference",
        "title",
        "kind",
        "stage",
        "subgroup",
        "is_restricted",
        "referred_on",
        "lead_reviewer",
    ]
    list_filter = ["kind", "stage", "regime", "subgroup", "is_restricted", "decision"]
    search_fields = ["reference", "title", "pseudonym", "summary"]
    list_select_related = ["subgroup", "lead_reviewer"]
    date_hierarchy = "referred_on"
    readonly_fields = ["reference", "uuid", "regime", "stage", "publication_window_ends_on"]
    changed_on = (
        "the review's page: its register, decision, reviewer and publication, and its stage "
        "moves; restriction and panel by the Business Unit"
    )
    made_on = "the register (Reviews, Open a review), which gives it a reference and its clocks"
    inlines = [
        ReviewAgencyInline,
        ParallelProcessInline,
        ReviewClockInline,
        ReviewStageChangeInline,
        ReviewActInline,
    ]
    fieldsets = [
        (
            "Register",
            {
                "fields": [
                    "reference",
                    "uuid",
                    "kind",
                    "regime",
                    "title",
                    "pseudonym",
                    "summary",
                    "subgroup",
                    "is_restricted",
                    "stage",
                    "panel_members",
                    "source_review",
                ]
            },
        ),
        (
            "Key dates",
            {
                "fields": [
                    "incident_known_on",
                    "notified_on",
                    "referred_on",
                    "decided_on",
                    "national_panel_told_on",
                    "completed_on",
                    "published_on",
                    "closed_on",
                ]
            },
        ),
        (
            "Decision",
            {
                "fields": [
                    "abuse_or_neglect",
                    "child_died",
                    "seriously_harmed",
                    "concern_working_together",
                    "died_in_custody",
                    "suspected_suicide",
                    "decision",
                    "decision_reasons",
                    "alternative_route",
                ]
            },
        ),
        ("Proportionality", {"fields": ["method", "method_rationale"]}),
        (
            "People",
            {
                "fields": [
                    "lead_reviewer",
                    "independence_declared_on",
                    "independence_statement",
                    *INVOLVEMENT_FIELDS,
                ]
            },
        ),
        (
            "Publication",
            {
                "fields": [
                    "published_where",
                    "board_response",
                    "publication_window_ends_on",
                    "not_published_reason",
                ]
            },
        ),
    ]

    # Its kind (which fixed its reference and clocks), who owns and may open it, its dates
    # (which move the clocks and its regime), decision, reviewer and publication: each has a
    # page and a service with rules, acts and the access log. What is left here is its words.
    governed_fields = _shown_but(fieldsets, {*readonly_fields, *WORDS})

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A parallel process that holds a clock moves it, as it does on the review pages.
        review_clocks_sync(review=form.instance)

    # Each page that shows a review (its change page, its history and each of its versions) is
    # an opening: a restricted one is in its access log, as on the review's own page.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._opening(request, object_id, response)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return self._opening(request, object_id, response)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        return self._opening(request, object_id, response)

    def _opening(self, request, object_id, response):
        if request.method == "GET" and response.status_code == 200:
            review = Review.objects.filter(pk=unquote(object_id)).first()
            if review is not None:
                review_record_opening(request=request, review=review)
        return response


# A review's clocks, stage moves and pauses are recorded by its services, from its dates and
# acts: read here, never written.


@admin.register(ReviewClock)
class ReviewClockAdmin(RecordAdmin):
    list_display = ["review", "kind", "regime", "started_on", "due_on", "paused_on", "met_on"]
    list_filter = ["kind", "regime"]
    search_fields = ["review__reference", "review__title"]
    list_select_related = ["review"]
    read_only = True
    changed_on = "the review's page: its dates, Pause and Resume"


@admin.register(ReviewStageChange)
class ReviewStageChangeAdmin(RecordAdmin):
    list_display = ["review", "from_stage", "to_stage", "moved_by", "happened_on", "moved_at"]
    list_filter = ["to_stage"]
    search_fields = ["review__reference", "note"]
    list_select_related = ["review", "moved_by"]
    read_only = True
    changed_on = "the review's page: Move"


@admin.register(ClockPause)
class ClockPauseAdmin(RecordAdmin):
    list_display = ["clock", "paused_on", "resumed_on", "reason"]
    search_fields = ["clock__review__reference", "reason"]
    list_select_related = ["clock__review"]
    read_only = True
    changed_on = "the review's page: Pause and Resume"


# The case file (issue 18). Files are uploaded on the review's documents page, through the safe
# upload rule and into the access log; the admin neither takes nor serves them.


class ChronologyEntryAdminForm(forms.ModelForm):
    """An entry is for an agency taking part in the review, while its chronology is open: the
    rule of the chronology's own pages (``casefile._check_may_enter``), for the person here."""

    by = None  # the person saving, set by the admin for each request

    def clean(self):
        data = super().clean()
        review = data.get("review") or (self.instance.review if self.instance.review_id else None)
        if review is not None:
            try:
                _check_may_enter(self.by, review, data.get("agency"))
            except ValidationError as refused:
                self.add_error(None, refused)
        return data


@admin.register(ChronologyEntry)
class ChronologyEntryAdmin(RecordAdmin):
    form = ChronologyEntryAdminForm
    list_display = ["review", "happened_on", "agency", "is_key_episode", "entered_by"]
    list_filter = ["is_key_episode"]
    search_fields = ["review__reference", "source"]
    list_select_related = ["review", "agency", "entered_by"]
    date_hierarchy = "happened_on"
    autocomplete_fields = ["review", "agency"]
    readonly_fields = ["entered_by"]
    added_with = ("review",)  # an entry stays in the chronology it was added to
    changed_on = "the review's Chronology tab, which the review's editors close and reopen"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(TermsOfReference)
class TermsOfReferenceAdmin(RecordAdmin):
    """A change to the terms is a new version, saved on the review's page: here they are read."""

    list_display = ["review", "version", "scope_from", "scope_to", "agreed_by", "agreed_on"]
    search_fields = ["review__reference", "agreed_by"]
    list_select_related = ["review"]
    autocomplete_fields = ["review", "recorded_by"]
    read_only = True
    changed_on = "the review's Terms of reference tab, as a new version"


class ReviewTeamMemberAdminForm(forms.ModelForm):
    class Meta:
        model = ReviewTeamMember
        fields = [
            "review",
            "person",
            "role",
            "agency",
            "independence_reason",
            "joined_on",
            "left_on",
        ]

    def clean(self):
        data = super().clean()
        review = data.get("review") or (self.instance.review if self.instance.review_id else None)
        person = data.get("person")
        if review and person:
            refusal = independence_refusal(
                review, person, data.get("role", ""), data.get("independence_reason", "")
            )
            if refusal:
                self.add_error("independence_reason", refusal)
        return data


@admin.register(ReviewTeamMember)
class ReviewTeamMemberAdmin(RecordAdmin):
    form = ReviewTeamMemberAdminForm
    list_display = ["person", "role", "review", "agency", "joined_on", "left_on"]
    list_filter = ["role"]
    search_fields = ["review__reference", "person__first_name", "person__last_name"]
    list_select_related = ["person", "review", "agency"]
    autocomplete_fields = ["review", "person", "agency"]
    # Leaving the team is recorded (left on), not deleted: RecordAdmin refuses deletion. The
    # dates' order and one place in each role are ReviewTeamMember.clean's, as on the Team tab.
    added_with = ("review",)
    changed_on = "the review's Team tab"


class DocumentVersionInline(TabularInline):
    model = DocumentVersion
    extra = 0
    can_delete = False
    fields = ["version", "name", "note", "uploaded_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CaseDocument)
class CaseDocumentAdmin(RecordAdmin):
    """A document and its first version are added on the review's documents page."""

    list_display = ["title", "kind", "review", "agency", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["review__reference", "title"]
    list_select_related = ["review", "agency"]
    autocomplete_fields = ["review", "agency"]
    inlines = [DocumentVersionInline]
    governed_fields = ("review", "kind", "agency")
    changed_on = "the review's Documents tab"
    made_on = "the review's Documents tab, through the safe upload rule"


@admin.register(DocumentVersion)
class DocumentVersionAdmin(RecordAdmin):
    list_display = ["document", "version", "uploaded_by", "created_at"]
    search_fields = ["document__review__reference", "document__title", "note"]
    list_select_related = ["document__review", "uploaded_by"]
    fields = ["document", "version", "name", "note", "uploaded_by", "created_at"]
    readonly_fields = ["document", "version", "name", "uploaded_by", "created_at"]
    made_on = "the review's Documents tab, through the safe upload rule"


# The child death review dataset (issue 20): the categories and age bands are reference data the
# Business Unit keeps; a death's record is kept on its review's page.


@admin.register(DeathCategory)
class DeathCategoryAdmin(RecordAdmin):
    list_display = ["number", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    deletable = True  # a category a death's record names is PROTECTed; untick to retire it


@admin.register(AgeBand)
class AgeBandAdmin(RecordAdmin):
    list_display = ["position", "label", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["label"]
    deletable = True  # a band a death's record names is PROTECTed; untick to retire it


@admin.register(ChildDeathDetails)
class ChildDeathDetailsAdmin(RecordAdmin):
    list_display = ["review", "category", "modifiable_factors", "expectedness", "age_band"]
    list_filter = ["category", "modifiable_factors", "expectedness", "age_band"]
    list_select_related = ["review", "category", "age_band"]
    search_fields = ["review__reference", "ncmd_reference"]
    autocomplete_fields = ["review", "meeting", "category", "age_band"]
    # Only a child death review holds one, and once closed what the panel recorded stays:
    # ChildDeathDetails.clean, here as on the review's page.
    governed_fields = ("review",)
    changed_on = "the child death review's page: CDOP's record"
    made_on = "the child death review's page (Record CDOP's record)"
