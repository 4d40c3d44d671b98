"""The list pages' filters: each figure on the rates page, the session page and the dashboard
links to one of these lists, filtered to the records behind it."""

import django_filters
from django import forms

from sscb.filters import FinancialYearFilter, ListFilterSet, QuarterFilter, YesNoFilter

from ..filters import AgencyFilter
from .models import Attendee, Questionnaire


class AttendeeFilter(ListFilterSet):
    agency = AgencyFilter()
    status = django_filters.ChoiceFilter(choices=Attendee.Status.choices)
    delivered = YesNoFilter(
        field_name="session__delivered_on",
        lookup_expr="isnull",
        exclude=True,
        label="Session delivered",
    )
    year = FinancialYearFilter(field_name="session__delivered_on", label="Delivered in year")
    quarter = QuarterFilter()
    session = django_filters.UUIDFilter(field_name="session__uuid", widget=forms.HiddenInput)
    course = django_filters.UUIDFilter(field_name="session__course__uuid", widget=forms.HiddenInput)
    outcome = django_filters.UUIDFilter(
        field_name="session__activities__outcome__uuid", widget=forms.HiddenInput
    )

    class Meta:
        model = Attendee
        fields = [
            "agency",
            "status",
            "delivered",
            "year",
            "quarter",
            "session",
            "course",
            "outcome",
        ]


class AnswerFilter(ListFilterSet):
    stage = django_filters.TypedChoiceFilter(choices=Questionnaire.Stage.choices, coerce=int)
    practice_changed = django_filters.ChoiceFilter(
        choices=Questionnaire.Change.choices, label="Practice changed"
    )
    agency = AgencyFilter(field_name="attendee__agency")
    year = FinancialYearFilter(
        field_name="attendee__session__delivered_on", label="Session delivered in year"
    )
    quarter = QuarterFilter()
    session = django_filters.UUIDFilter(
        field_name="attendee__session__uuid", widget=forms.HiddenInput
    )
    outcome = django_filters.UUIDFilter(
        field_name="attendee__session__activities__outcome__uuid", widget=forms.HiddenInput
    )
    activity = django_filters.UUIDFilter(
        field_name="attendee__session__activities__uuid", widget=forms.HiddenInput
    )

    class Meta:
        model = Questionnaire
        fields = [
            "stage",
            "practice_changed",
            "agency",
            "year",
            "quarter",
            "session",
            "outcome",
            "activity",
        ]
