"""The list pages' filters: each figure on the rates page, the session page and the dashboard
links to one of these lists, filtered to the records behind it."""

import django_filters
from django import forms

from sscb.dates import financial_year_bounds, financial_year_choices
from sscb.filters import ModelChoiceFilter, YesNoFilter
from sscb.models import Agency

from .models import Attendee, Questionnaire


def _delivered_in_year(prefix):
    def method(self, qs, name, value):
        return qs.filter(**{f"{prefix}delivered_on__range": financial_year_bounds(int(value))})

    return method


class AttendeeFilter(django_filters.FilterSet):
    agency = ModelChoiceFilter(queryset=Agency.objects.filter(is_active=True))
    status = django_filters.ChoiceFilter(choices=Attendee.Status.choices)
    delivered = YesNoFilter(
        field_name="session__delivered_on",
        lookup_expr="isnull",
        exclude=True,
        label="Session delivered",
    )
    year = django_filters.ChoiceFilter(
        choices=financial_year_choices, method="filter_year", label="Delivered in year"
    )
    session = django_filters.UUIDFilter(field_name="session__uuid", widget=forms.HiddenInput)
    course = django_filters.UUIDFilter(field_name="session__course__uuid", widget=forms.HiddenInput)
    outcome = django_filters.UUIDFilter(
        field_name="session__activities__outcome__uuid", widget=forms.HiddenInput
    )

    class Meta:
        model = Attendee
        fields = ["agency", "status", "delivered", "year", "session", "course", "outcome"]

    filter_year = _delivered_in_year("session__")


class AnswerFilter(django_filters.FilterSet):
    stage = django_filters.TypedChoiceFilter(choices=Questionnaire.Stage.choices, coerce=int)
    practice_changed = django_filters.ChoiceFilter(
        choices=Questionnaire.Change.choices, label="Practice changed"
    )
    agency = ModelChoiceFilter(
        field_name="attendee__agency", queryset=Agency.objects.filter(is_active=True)
    )
    year = django_filters.ChoiceFilter(
        choices=financial_year_choices, method="filter_year", label="Session delivered in year"
    )
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
        fields = ["stage", "practice_changed", "agency", "year", "session", "outcome", "activity"]

    filter_year = _delivered_in_year("attendee__session__")
