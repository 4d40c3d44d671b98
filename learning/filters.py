import django_filters
from django.db.models import Q

from sscb.models import Agency, SubGroup

from .models import Action, AssuranceEvidence, Finding, LoopStage, PriorityTheme


class SearchFilter(django_filters.CharFilter):
    """Free text over the given fields."""

    def __init__(self, *args, fields, **kwargs):
        self.search_fields = fields
        super().__init__(*args, label="Search", method="search", **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return qs.filter(query)


class FindingFilter(django_filters.FilterSet):
    q = SearchFilter(fields=["title", "detail"])
    source = django_filters.ChoiceFilter(choices=Finding.Source.choices)
    nature = django_filters.ChoiceFilter(choices=Finding.Nature.choices)
    agency = django_filters.ModelChoiceFilter(
        field_name="agencies", queryset=Agency.objects.filter(is_active=True), label="Agency"
    )
    themed = django_filters.BooleanFilter(
        field_name="theme", lookup_expr="isnull", exclude=True, label="In a theme"
    )
    loop_stage = django_filters.ChoiceFilter(choices=LoopStage.choices, label="Loop stage")

    class Meta:
        model = Finding
        fields = ["q", "source", "nature", "agency", "themed", "loop_stage"]


class ThemeFilter(django_filters.FilterSet):
    q = SearchFilter(fields=["title", "description"])
    status = django_filters.ChoiceFilter(choices=PriorityTheme.Status.choices)
    subgroup = django_filters.ModelChoiceFilter(queryset=SubGroup.objects.all(), label="Sub-group")
    loop_stage = django_filters.ChoiceFilter(choices=LoopStage.choices, label="Loop stage")

    class Meta:
        model = PriorityTheme
        fields = ["q", "status", "subgroup", "loop_stage"]


class EvidenceFilter(django_filters.FilterSet):
    way = django_filters.ChoiceFilter(choices=AssuranceEvidence.Way.choices)
    judgement = django_filters.ChoiceFilter(choices=AssuranceEvidence.Judgement.choices)
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.filter(is_active=True))
    outstanding = django_filters.BooleanFilter(
        method="filter_outstanding", label="Requested and not received"
    )

    class Meta:
        model = AssuranceEvidence
        fields = ["way", "judgement", "agency", "outstanding"]

    def filter_outstanding(self, qs, name, value):
        condition = Q(requested_on__isnull=False, received_on__isnull=True)
        return qs.filter(condition) if value else qs.exclude(condition)


class ActionFilter(django_filters.FilterSet):
    q = SearchFilter(fields=["title", "progress"])
    owner_agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.filter(is_active=True), label="Agency"
    )
    status = django_filters.ChoiceFilter(choices=Action.Status.choices)
    rag = django_filters.ChoiceFilter(
        field_name="rag_state", choices=Action.Rag.choices, label="RAG"
    )
    subgroup = django_filters.ModelChoiceFilter(queryset=SubGroup.objects.all(), label="Sub-group")
    source = django_filters.ChoiceFilter(
        choices=[
            ("review", "Case review"),
            ("audit", "Audit"),
            ("standard", "Section 11 / 175 standard"),
            ("outcome", "Learning outcome"),
        ],
        method="filter_source",
        label="Plan",
    )
    due_before = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", label="Due on or before"
    )

    class Meta:
        model = Action
        fields = ["q", "owner_agency", "status", "rag", "subgroup", "source", "due_before"]

    def filter_source(self, qs, name, value):
        return qs.filter(plan__startswith=f"{value}:")
