"""Validation only, in words a sub-group chair understands; the pseudonym rule runs from the
models (sscb.models.MinimisedModel) on every section."""

from django import forms

from learning.forms import DateInput
from sscb.forms import RecordForm, keep_links, list_at_most
from sscb.minimise import MinimisedFormMixin

from .models import Briefing, Cascade


class BriefingForm(RecordForm):
    """The title, outcome and sections. Bound to no saved briefing: the service compares the
    words typed with the briefing's own to decide whether a new version is kept."""

    class Meta:
        model = Briefing
        fields = [
            "title",
            "outcome",
            "what_happened",
            "why_it_matters",
            "what_to_do",
            "questions",
            "further_reading",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 5})
            for name in ("what_happened", "why_it_matters", "what_to_do", "questions")
        } | {"further_reading": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, outcomes, outcomes_open=None, **kwargs):
        """``outcomes``: those it may deliver now; ``outcomes_open``: those the person may open
        (a briefing's outcome they may not is kept, unnamed)."""
        super().__init__(*args, **kwargs)
        keep_links(self, "outcome", outcomes, visible=outcomes_open, marked="no longer offered")
        self.fields["outcome"].label = "Learning outcome"
        self.fields["outcome"].help_text = (
            "The learning outcome it delivers: publishing it records one of the outcome's "
            "delivery activities. Needed before it is submitted for approval."
        )
        list_at_most(self, "outcome", "-created_at", "-pk")


class ReturnForm(MinimisedFormMixin, forms.Form):
    returned_note = forms.CharField(
        label="What should change",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The author sees this beside the draft.",
    )


class CascadeForm(RecordForm):
    class Meta:
        model = Cascade
        fields = ["cascaded_on", "method", "method_detail", "staff_reached"]
        widgets = {"cascaded_on": DateInput(), "method": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("cascaded_on", "method", "staff_reached"):
            self.fields[name].required = True
        self.fields["method"].choices = Cascade.Method.choices
        self.fields["method"].error_messages["required"] = (
            "Say how the briefing was cascaded to your staff."
        )
        self.fields["cascaded_on"].help_text = "When your staff received it."
