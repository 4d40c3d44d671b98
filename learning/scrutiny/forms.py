"""Validation only, in words a Business Unit officer understands."""

from django import forms
from django.utils import timezone

from learning.forms import DateInput
from sscb.dates import LATEST, say
from sscb.forms import RecordForm, keep_links
from sscb.models import Agency, SubGroup
from sscb.sending import SendingGuardMixin

from .models import Inspection, Recommendation


class InspectionForm(RecordForm):
    class Meta:
        model = Inspection
        fields = [
            "kind",
            "title",
            "carried_out_by",
            "started_on",
            "reported_on",
            "scope",
            "judgement",
            "summary",
            "agencies",
            "subgroup",
        ]
        widgets = {
            "started_on": DateInput(),
            "reported_on": DateInput(),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "agencies": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "kind": {"required": "Choose what kind of scrutiny it was."},
            "title": {"required": "Give the inspection a title."},
            "started_on": {"required": "Give the date it took place."},
            "scope": {"required": "Say what was looked at."},
            "subgroup": {"required": "Choose the sub-group that will monitor the response."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_links(self, "agencies", Agency.objects.filter(is_active=True))
        self.fields["subgroup"].queryset = SubGroup.objects.order_by("name")


class RecommendationForm(RecordForm):
    class Meta:
        model = Recommendation
        fields = ["text", "agency"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"text": {"required": "Write the recommendation."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_links(self, "agency", Agency.objects.filter(is_active=True))
        self.fields["agency"].empty_label = "The partnership as a whole"


class RecommendationActionForm(SendingGuardMixin, forms.Form):
    """What an action made from a recommendation needs beyond the recommendation itself."""

    adds_records = True

    owner_agency = forms.ModelChoiceField(
        label="Owner agency",
        queryset=Agency.objects.none(),
        error_messages={"required": "Choose the agency that will own the action."},
    )
    due_on = forms.DateField(
        label="Due on",
        widget=DateInput(),
        error_messages={
            "required": "Give the date the action is due.",
            "invalid": "Give the due date as a date, e.g. 30 June 2026.",
        },
    )

    def __init__(self, *args, agency_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = Agency.objects.filter(is_active=True)
        if agency_choices is not None:
            # A page with a form for each recommendation reads the agencies once.
            self.fields["owner_agency"].choices = agency_choices

    @staticmethod
    def agency_choices() -> list:
        agencies = Agency.objects.filter(is_active=True).order_by("name")
        return [("", "---------"), *((agency.pk, str(agency)) for agency in agencies)]

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError("A new action cannot be due in the past.")
        if due_on > LATEST:  # the latest date any record may hold (sscb.dates)
            raise forms.ValidationError(
                f"The due date ({say(due_on)}) is too far ahead: give a date no later than "
                f"{say(LATEST)}."
            )
        return due_on
