import re
from functools import partial

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from reviews.models import Review
from sscb.dates import financial_year_choices
from sscb.filters import (
    FinancialYearFilter,
    ListFilterSet,
    ModelChoiceFilter,
    QuarterFilter,
    YesNoFilter,
)
from sscb.models import Agency, SubGroup

from .models import (
    Action,
    AssuranceEvidence,
    DeliveryActivity,
    Finding,
    LearningOutcome,
    LoopStage,
    PracticeCheck,
    PriorityTheme,
    action_completion_condition,
    action_escalated,
    action_follow_up_due,
)
from .selectors import (
    findings_with_loop_stage,
    loop_stage_on,
    subgroups_for_work,
    theme_existed_on,
    themes_visible_to,
)
from .training.selectors import checks_of_subgroups, delivery_of_subgroups

# Next year too for what falls due; a year offered for what has happened is this one or earlier.
_due_years = partial(financial_year_choices, ahead=1)


class _AgencyChoiceField(ModelChoiceFilter.field_class):
    def label_from_instance(self, agency):
        return str(agency) if agency.is_active else f"{agency} (archived)"


class AgencyFilter(ModelChoiceFilter):
    """An agency: the active ones, then those archived, marked so. An archived agency's records
    stay (its actions, checks, evidence and findings are the Board's past), and a figure that
    counts them links here with it."""

    field_class = _AgencyChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Agency.objects.order_by("-is_active", "name"))
        kwargs.setdefault("label", "Agency")
        super().__init__(*args, **kwargs)


class SearchFilter(django_filters.CharFilter):
    """Free text over the given fields."""

    def __init__(self, *args, fields, **kwargs):
        self.search_fields = fields
        super().__init__(*args, label="Search", **kwargs)

    def words(self, value) -> Q:
        """Rows holding ``value`` in any of the fields searched."""
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return query

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(self.words(value))


# An action's reference as read off a page, an inspection letter or the minutes: its plan's
# reference and, after a slash, its number ("JTAI-2026-2/1", "SCR-2016-001").
_ACTION_REFERENCE = re.compile(r"^\s*(?P<plan>[^/\s][^/]*?)\s*(?:/\s*(?P<number>\d+))?\s*$")


class ActionSearchFilter(SearchFilter):
    """Free text over an action's words, or its reference (``Action.reference``): the plan's
    reference (its review's, audit's, inspection's, or the label of a standard's or an
    outcome's plan) with or without its number. A review the reader may not open is never
    matched by its reference (the action's row does not show it)."""

    def filter(self, qs, value):
        if not value or not value.strip():
            return qs
        words = self.words(value)
        reference = _ACTION_REFERENCE.match(value)
        if reference is None:
            return qs.filter(words)
        plan = reference["plan"]
        review = Q(review__reference__icontains=plan)
        if "review_hidden" in qs.query.annotations:
            review &= Q(review_hidden=False)
        else:
            review = Q(pk__in=[])
        plans = (
            review
            | Q(audit__reference__icontains=plan)
            | Q(recommendation__inspection__reference__icontains=plan)
            | Q(plan_label__icontains=plan)
        )
        if reference["number"]:
            plans &= Q(number=int(reference["number"]))
        return qs.filter(words | plans)


class FindingFilter(ListFilterSet):
    q = SearchFilter(fields=["title", "detail"])
    source = django_filters.ChoiceFilter(choices=Finding.Source.choices)
    nature = django_filters.ChoiceFilter(choices=Finding.Nature.choices)
    agency = AgencyFilter(field_name="agencies")
    themed = YesNoFilter(field_name="theme", lookup_expr="isnull", exclude=True, label="In a theme")
    loop_stage = django_filters.ChoiceFilter(
        choices=LoopStage.choices, method="filter_loop_stage", label="Loop stage"
    )

    class Meta:
        model = Finding
        fields = ["q", "source", "nature", "agency", "themed", "loop_stage"]

    def filter_loop_stage(self, qs, name, value):
        # The list's rows carry no stage (``selectors.finding_rows``): added only when asked.
        return findings_with_loop_stage(qs).filter(loop_stage=value)


class ThemeFilter(ListFilterSet):
    q = SearchFilter(fields=["title", "description"])
    status = django_filters.ChoiceFilter(choices=PriorityTheme.Status.choices)
    subgroup = ModelChoiceFilter(queryset=SubGroup.objects.all(), label="Sub-group")
    loop_stage = django_filters.ChoiceFilter(
        choices=LoopStage.choices, method="filter_loop_stage", label="Loop stage"
    )
    # A past period's figures count each theme at the stage it had reached by the period's end
    # (the dashboard's links give the day); without it, the stage today.
    stage_on = django_filters.DateFilter(
        label="Loop stage as it stood at the end of",
        method="filter_stage_on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = PriorityTheme
        fields = ["q", "status", "subgroup", "loop_stage", "stage_on"]

    @property
    def stage_day(self):
        """The day whose stages the list shows (its heading says so), or None for today's."""
        return self.form.cleaned_data.get("stage_on") if self.is_valid() else None

    def filter_queryset(self, queryset):
        # Before the other filters, so that the loop stage they filter and the column shows
        # is the one at the end of that day, among the themes there by then (as the
        # dashboard's figure that links here counts them).
        day = self.stage_day
        if day is not None:
            queryset = queryset.filter(theme_existed_on(day)).annotate(
                loop_stage=loop_stage_on(day)
            )
        return super().filter_queryset(queryset)

    def filter_stage_on(self, qs, name, value):
        return qs  # read by ``filter_queryset``

    def filter_loop_stage(self, qs, name, value):
        return qs.filter(loop_stage=value)


def _visible_themes(request):
    """Theme choices: only the themes the person may see (by name) elsewhere."""
    if request is None:
        return PriorityTheme.objects.none()
    return themes_visible_to(request.user)


def _of_my_subgroups(filterset, qs, field: str, value: bool):
    """The rows whose ``field`` is (or is not) a sub-group the person records work for: what
    their home page counts for them links here."""
    mine = Q(**{f"{field}__in": subgroups_for_work(filterset.request.user).values("pk")})
    return qs.filter(mine) if value else qs.exclude(mine)


class EvidenceFilter(ListFilterSet):
    way = django_filters.ChoiceFilter(choices=AssuranceEvidence.Way.choices)
    judgement = django_filters.ChoiceFilter(choices=AssuranceEvidence.Judgement.choices)
    agency = AgencyFilter()
    outstanding = YesNoFilter(method="filter_outstanding", label="Requested and not received")
    received = YesNoFilter(method="filter_received", label="Received")
    mine = YesNoFilter(method="filter_mine", label="For my sub-groups")
    # The Board dashboard's assurance figures link here.
    theme = ModelChoiceFilter(field_name="outcome__theme", queryset=_visible_themes, label="Theme")
    subgroup = ModelChoiceFilter(
        field_name="outcome__theme__subgroup", queryset=SubGroup.objects.all(), label="Sub-group"
    )
    judged_year = FinancialYearFilter(field_name="judged_on", label="Judged in financial year")
    # A report of a quarter links its figures with the quarter beside the year.
    quarter = QuarterFilter()
    # The dashboard's impact by outcome links here.
    outcome = django_filters.UUIDFilter(field_name="outcome__uuid", widget=forms.HiddenInput)

    class Meta:
        model = AssuranceEvidence
        fields = [
            "way",
            "judgement",
            "agency",
            "outstanding",
            "received",
            "mine",
            "theme",
            "subgroup",
            "judged_year",
            "quarter",
            "outcome",
        ]

    def filter_outstanding(self, qs, name, value):
        condition = Q(requested_on__isnull=False, received_on__isnull=True)
        return qs.filter(condition) if value else qs.exclude(condition)

    def filter_received(self, qs, name, value):
        return qs.filter(received_on__isnull=not value)

    def filter_mine(self, qs, name, value):
        return _of_my_subgroups(self, qs, "outcome__theme__subgroup", value)


class ActionFilter(ListFilterSet):
    q = ActionSearchFilter(fields=["title", "progress"])
    # Searches an action's words: never over the actions the reader may not open (sscb.lists).
    words = ("q",)
    owner_agency = AgencyFilter()
    status = django_filters.ChoiceFilter(choices=Action.Status.choices)
    rag = django_filters.ChoiceFilter(
        field_name="rag_state", choices=Action.Rag.choices, label="RAG"
    )
    subgroup = ModelChoiceFilter(queryset=SubGroup.objects.all(), label="Sub-group")
    source = django_filters.ChoiceFilter(
        choices=[
            ("review", "Case review"),
            ("audit", "Audit"),
            ("standard", "Section 11 / 175 standard"),
            ("inspection", "Inspection"),
            ("outcome", "Learning outcome"),
        ],
        method="filter_source",
        label="Plan",
    )
    # The CDOP report's actions link here: those of child death reviews.
    review_kind = django_filters.ChoiceFilter(
        field_name="review__kind", choices=Review.Kind.choices, label="Kind of review"
    )
    due_before = django_filters.DateFilter(
        field_name="due_on",
        lookup_expr="lte",
        label="Due on or before",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # The Board dashboard's action figures link here.
    financial_year = FinancialYearFilter(
        field_name="due_on", choices=_due_years, label="Due in financial year"
    )
    quarter = QuarterFilter()
    completion = django_filters.ChoiceFilter(
        choices=[
            ("on_time", "Completed on time"),
            ("late", "Completed late"),
            ("not_done", "Not completed"),
        ],
        method="filter_completion",
        label="Completion",
    )
    escalated = django_filters.ChoiceFilter(
        choices=[("chair", "To the sub-group chair"), ("business_unit", "To the Business Unit")],
        method="filter_escalated",
        label="Overdue reminder escalated",
    )
    follow_up_due = YesNoFilter(method="filter_follow_up_due", label="Follow-up check due")
    mine = YesNoFilter(method="filter_mine", label="For my sub-groups")

    class Meta:
        model = Action
        fields = [
            "q",
            "owner_agency",
            "status",
            "rag",
            "subgroup",
            "source",
            "review_kind",
            "due_before",
            "financial_year",
            "quarter",
            "completion",
            "escalated",
            "follow_up_due",
            "mine",
        ]

    def filter_source(self, qs, name, value):
        return qs.filter(plan__startswith=f"{value}:")

    def filter_completion(self, qs, name, value):
        return qs.filter(action_completion_condition(value))

    def filter_escalated(self, qs, name, value):
        return qs.filter(action_escalated(value, timezone.localdate()))

    def filter_follow_up_due(self, qs, name, value):
        due = action_follow_up_due(timezone.localdate())
        return qs.filter(due) if value else qs.exclude(due)

    def filter_mine(self, qs, name, value):
        return _of_my_subgroups(self, qs, "subgroup", value)


class ActivityFilter(ListFilterSet):
    q = SearchFilter(fields=["title", "audience", "outcome__title"])
    way = django_filters.ChoiceFilter(choices=DeliveryActivity.Way.choices)
    delivered = YesNoFilter(
        field_name="delivered_on", lookup_expr="isnull", exclude=True, label="Delivered"
    )
    # The work of a sub-group: an outcome's under its theme, and the sessions of a course it runs
    # (as the dashboard counts them: Scope.delivered_q).
    subgroup = ModelChoiceFilter(
        queryset=SubGroup.objects.all(), label="Sub-group", method="filter_subgroup"
    )
    delivered_year = FinancialYearFilter(field_name="delivered_on", label="Delivered in year")
    quarter = QuarterFilter()
    # The dashboard's impact by outcome links here.
    outcome = django_filters.UUIDFilter(field_name="outcome__uuid", widget=forms.HiddenInput)

    class Meta:
        model = DeliveryActivity
        fields = ["q", "way", "delivered", "subgroup", "delivered_year", "quarter", "outcome"]

    def filter_subgroup(self, qs, name, value):
        return qs.filter(delivery_of_subgroups([value.pk]))


class PracticeCheckFilter(ListFilterSet):
    way = django_filters.ChoiceFilter(choices=PracticeCheck.Way.choices)
    result = django_filters.ChoiceFilter(choices=PracticeCheck.Result.choices)
    agency = AgencyFilter()
    # As the dashboard counts them (Scope.checked_q): a training evaluation is also the work of
    # the sub-group that runs the course.
    subgroup = ModelChoiceFilter(
        queryset=SubGroup.objects.all(), label="Sub-group", method="filter_subgroup"
    )
    checked_year = FinancialYearFilter(field_name="checked_on", label="Checked in year")
    quarter = QuarterFilter()
    # The dashboard's impact by outcome links here.
    outcome = django_filters.UUIDFilter(field_name="outcome__uuid", widget=forms.HiddenInput)

    class Meta:
        model = PracticeCheck
        fields = ["way", "result", "agency", "subgroup", "checked_year", "quarter", "outcome"]

    def filter_subgroup(self, qs, name, value):
        return qs.filter(checks_of_subgroups([value.pk]))


class OutcomeFilter(ListFilterSet):
    q = SearchFilter(fields=["title", "schedule", "impact_measure"])
    decision = django_filters.ChoiceFilter(
        choices=LearningOutcome.Decision.choices, label="Executive decision"
    )
    subgroup = ModelChoiceFilter(
        field_name="theme__subgroup", queryset=SubGroup.objects.all(), label="Sub-group"
    )
    decided_year = FinancialYearFilter(field_name="decided_on", label="Decided in year")
    # The Board's "outcomes agreed in the year" links here.
    agreed_year = FinancialYearFilter(label="Agreed in year", method="filter_agreed_year")
    quarter = QuarterFilter()

    class Meta:
        model = LearningOutcome
        fields = ["q", "decision", "subgroup", "decided_year", "agreed_year", "quarter"]

    def filter_agreed_year(self, qs, name, value):
        return qs.filter(decided_on__range=self.period(value), decision__in=LearningOutcome.AGREED)
