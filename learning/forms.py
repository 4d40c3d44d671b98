"""Validation only: each form checks what a person typed, in words a sub-group chair understands."""

import datetime

from django import forms
from django.utils import timezone

from sscb.dates import financial_year_choices
from sscb.forms import RecordForm, keep_links, list_at_most
from sscb.minimise import MinimisedFormMixin
from sscb.models import Agency, StrategicPriority, User
from sscb.sending import SendingGuardMixin
from sscb.uploads import UploadField

from .models import (
    ACTION_OWNER,
    Action,
    AssuranceEvidence,
    DeliveryActivity,
    Finding,
    LearningOutcome,
    PracticeCheck,
    PriorityTheme,
    TrainingEvaluationStage,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _dates(*names):
    return {name: DateInput() for name in names}


class FindingForm(RecordForm):
    class Meta:
        model = Finding
        fields = [
            "title",
            "detail",
            "source",
            "nature",
            "review",
            "audit",
            "agencies",
            "subgroup",
            "identified_on",
            "theme",
        ]
        widgets = _dates("identified_on") | {"agencies": forms.CheckboxSelectMultiple}
        labels = {"theme": "Priority theme"}
        help_texts = {
            "theme": "The theme this finding is collated into, if any: move it to another, or "
            "take it out of one. A closed theme takes no new finding."
        }

    def __init__(self, *args, reviews, audits, subgroups, themes=None, **kwargs):
        """``themes``: those the person may see; only the open ones are offered."""
        super().__init__(*args, **kwargs)
        self.fields["review"].queryset = reviews
        self.fields["audit"].queryset = audits
        self.fields["subgroup"].queryset = subgroups
        if themes is None:
            del self.fields["theme"]
        else:
            keep_links(
                self,
                "theme",
                # As on Collate: an open theme of a sub-group the person works for.
                themes.exclude(status=PriorityTheme.Status.CLOSED).filter(subgroup__in=subgroups),
                visible=themes,
                marked="closed",
            )
        keep_links(self, "agencies", Agency.objects.filter(is_active=True))
        # The review or audit is one the person may open (or the finding would not be).
        keep_links(self, "review", reviews, visible=reviews, marked="")
        keep_links(self, "audit", audits, visible=audits, marked="")
        from_its_page = (
            "To record a finding from an older one, open its golden thread and choose “Record a "
            "finding”."
        )
        list_at_most(self, "review", "-referred_on", "-pk", more=from_its_page)
        list_at_most(self, "audit", "-created_at", "-pk", more=from_its_page)

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source in {Finding.Source.SERIOUS_CASE_REVIEW, Finding.Source.LEARNING_REVIEW} and not (
            data.get("review")
        ):
            self.add_error("review", "Choose the review this finding came from.")
        if data.get("review") and data.get("audit"):
            self.add_error(
                "audit", "A finding comes from one review or one audit, not both: choose one."
            )
        return data


class ThemeForm(RecordForm):
    class Meta:
        model = PriorityTheme
        fields = ["title", "description", "priorities", "subgroup"]
        widgets = {"priorities": forms.CheckboxSelectMultiple}

    findings = forms.ModelMultipleChoiceField(
        queryset=Finding.objects.none(),
        to_field_name="uuid",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Findings it collates",
        help_text="Findings not yet in a theme; tick those this theme brings together.",
    )

    def __init__(self, *args, subgroups, unthemed=None, **kwargs):
        super().__init__(*args, **kwargs)
        keep_links(self, "priorities", StrategicPriority.objects.offered())
        self.fields["subgroup"].queryset = subgroups
        # A new theme starts from findings; an existing one gathers more on the collate page.
        if unthemed is None:
            del self.fields["findings"]
        else:
            self.fields["findings"].queryset = unthemed
            list_at_most(
                self,
                "findings",
                "-identified_on",
                "-pk",
                more="Add older ones to the theme from “Collate findings”.",
            )
        self.fields["priorities"].error_messages["required"] = (
            "Tie the theme to at least one of the Board's strategic priorities."
        )


class ThemeMoveForm(forms.Form):
    to = forms.ChoiceField(
        choices=PriorityTheme.Status.choices,
        error_messages={
            "required": "Choose a status to move the theme to.",
            "invalid_choice": "Choose a status to move the theme to.",
        },
    )


class CollateForm(forms.Form):
    theme = forms.ModelChoiceField(
        queryset=PriorityTheme.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
        empty_label="Choose a theme",
        error_messages={"required": "Choose the theme to put these findings into."},
    )
    findings = forms.ModelMultipleChoiceField(
        queryset=Finding.objects.none(),
        error_messages={"required": "Tick at least one finding to put into the theme."},
    )

    def __init__(self, *args, themes, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes
        self.fields["findings"].queryset = findings
        list_at_most(self, "theme", "-created_at", "-pk")


class OutcomeForm(RecordForm):
    class Meta:
        model = LearningOutcome
        fields = [
            "title",
            "schedule",
            "impact_measure",
            "evaluate_on",
            "executive_on",
            "follow_up_on",
        ]
        widgets = _dates("evaluate_on", "executive_on", "follow_up_on")


class DecisionForm(MinimisedFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[c for c in LearningOutcome.Decision.choices if c[0] != "pending"],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the Executive's decision."},
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="The Executive's discussion",
        error_messages={"required": "Summarise the Executive's discussion."},
    )


class DatedDecisionForm(DecisionForm):
    """A decision recorded on the outcome's page: the day it was taken too (one recorded at a
    meeting takes the meeting's)."""

    decided_on = forms.DateField(
        required=False,
        widget=DateInput(),
        label="Decided on",
        help_text="The day the Executive decided, at its meeting; today if left empty.",
    )


class ActivityForm(RecordForm):
    class Meta:
        model = DeliveryActivity
        fields = ["way", "title", "audience", "planned_on", "delivered_on", "reach", "notes"]
        widgets = _dates("planned_on", "delivered_on")


class PracticeCheckForm(RecordForm):
    baseline_on = forms.DateField(
        required=False,
        widget=DateInput(),
        label="Baseline evaluation date",
        help_text="For a training evaluation: the later stages are scheduled from the training.",
    )

    class Meta:
        model = PracticeCheck
        fields = [
            "way",
            "agency",
            "activity",
            "audit",
            "indicators",
            "checked_on",
            "result",
            "summary",
        ]
        widgets = _dates("checked_on") | {"indicators": forms.CheckboxSelectMultiple}

    def __init__(self, *args, outcome, audits, indicators, **kwargs):
        """``indicators``: those the person may see; only the active ones are offered."""
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = outcome.activities.all()
        keep_links(self, "audit", audits, visible=audits, marked="")
        list_at_most(self, "audit", "-created_at", "-pk")
        keep_links(self, "agency", Agency.objects.filter(is_active=True))
        keep_links(self, "indicators", indicators.filter(is_active=True), visible=indicators)
        if self.instance.pk:
            del self.fields["baseline_on"]

    def clean(self):
        data = super().clean()
        if data.get("indicators") and data.get("way") != PracticeCheck.Way.PERFORMANCE:
            self.add_error("indicators", "Only a performance framework check relies on indicators.")
        if (
            not self.instance.pk
            and data.get("way") == PracticeCheck.Way.TRAINING_EVALUATION
            and not data.get("baseline_on")
        ):
            self.add_error("baseline_on", "Give the date of the baseline evaluation.")
        return data


class StageCompleteForm(RecordForm):
    class Meta:
        model = TrainingEvaluationStage
        fields = ["completed_on", "responses", "confidence", "notes"]
        widgets = _dates("completed_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["completed_on"].required = True
        self.fields["completed_on"].error_messages["required"] = "Give the date it was completed."


class EvidenceForm(RecordForm):
    scorecard_year = forms.TypedChoiceField(
        label="Scorecard financial year", coerce=int, required=False, empty_value=None
    )

    class Meta:
        model = AssuranceEvidence
        fields = [
            "way",
            "agency",
            "title",
            "requested_on",
            "due_on",
            "scorecard",
            "scorecard_year",
            "scorecard_quarter",
        ]
        widgets = _dates("requested_on", "due_on")
        help_texts = {"scorecard_quarter": "With the scorecard and year: the quarter cited."}

    def __init__(self, *args, scorecards, **kwargs):
        """``scorecards``: those the person may see; only the active ones are offered."""
        super().__init__(*args, **kwargs)
        keep_links(self, "agency", Agency.objects.filter(is_active=True))
        keep_links(self, "scorecard", scorecards.filter(is_active=True), visible=scorecards)
        self.fields["scorecard_year"].choices = [("", "---------"), *financial_year_choices()]

    def clean(self):
        data = super().clean()
        if data.get("requested_on") and not data.get("agency"):
            self.add_error("agency", "Say which agency the evidence is requested from.")
        return data


class ProvideEvidenceForm(MinimisedFormMixin, forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What the evidence shows",
        error_messages={"required": "Say what the evidence shows."},
    )
    file = UploadField(required=False, label="Attach a document (optional)")

    def __init__(self, *args, evidence=None, **kwargs):
        """For ``evidence`` already received, an addition: the summary sent is filled in, and
        a document may come on its own (the summary is kept unless it is changed)."""
        adding = bool(evidence and evidence.received_on)
        if adding:
            kwargs.setdefault("initial", {"summary": evidence.summary})
        super().__init__(*args, **kwargs)
        if adding:
            self.fields["summary"].required = False
            self.fields["summary"].help_text = "What you sent, kept as it is unless you change it."
            self.fields["file"].label = "Add a document"


class JudgeEvidenceForm(MinimisedFormMixin, forms.Form):
    judgement = forms.ChoiceField(
        choices=[c for c in AssuranceEvidence.Judgement.choices if c[0] != "pending"],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a judgement."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for the judgement."},
    )


class OwnerSelect(forms.Select):
    """An action's owner: each person carries their agency, so that the page (owner_choices.js)
    offers only the people of the agency chosen beside it; ``Action.clean`` refuses any other."""

    def __init__(self, agency_field="owner_agency", **kwargs):
        super().__init__(**kwargs)
        self.attrs["data-owner-of"] = agency_field

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["data-agency"] = value.instance.agency_id
        return option


def owner_field_setup(field, people):
    """The owner choice list: ``people`` (already those who may own an action), with agencies."""
    field.queryset = people
    field.label_from_instance = lambda person: f"{person} ({person.agency})"
    field.empty_label = "Nobody named yet"


class ActionOwnerChecks:
    """For an action's form: a new action is not due in the past (an action arising at a
    meeting is checked the same way). That the owner works for the owning agency is
    ``Action.clean``'s rule, which the form runs. An owner who may no longer own an action
    (``ACTION_OWNER``: an account closed, a role changed) stays chosen on an edit, so that the
    page says so, and the action is saved once someone else, or nobody yet, is chosen."""

    def clean(self):
        data = super().clean()
        due_on = data.get("due_on")
        if not self.instance.pk and due_on and due_on < timezone.localdate():
            self.add_error("due_on", "A new action cannot be due in the past.")
        owner = data.get("owner")
        if owner is not None and not User.objects.filter(ACTION_OWNER, pk=owner.pk).exists():
            self.add_error(
                "owner", f"{owner} may no longer own an action: choose someone else, or nobody yet."
            )
        return data


class ActionForm(ActionOwnerChecks, RecordForm):
    class Meta:
        model = Action
        fields = [
            "title",
            "description",
            "finding",
            "owner_agency",
            "owner",
            "subgroup",
            "due_on",
            "follow_up_on",
        ]
        widgets = _dates("due_on", "follow_up_on") | {
            "description": forms.Textarea(attrs={"rows": 4}),
            "owner": OwnerSelect(),
        }

    def __init__(self, *args, findings, subgroups, people, plan=None, **kwargs):
        """``plan``: the review or audit the action's plan belongs to, if any, whose findings
        are listed first."""
        super().__init__(*args, **kwargs)
        self.fields["subgroup"].queryset = subgroups
        owner_field_setup(self.fields["owner"], people)
        keep_links(self, "owner", people, marked="no longer offered")
        keep_links(self, "owner_agency", Agency.objects.filter(is_active=True))
        if plan is not None:
            self.fields["finding"].help_text = f"The findings from {plan.reference}."
        keep_links(self, "finding", findings, visible=findings, marked="")
        list_at_most(
            self,
            "finding",
            "-identified_on",
            "-pk",
            among=findings.filter(**{plan._meta.model_name: plan}) if plan else None,
        )


class ActionsFromReturnForm(SendingGuardMixin, forms.Form):
    """What every action raised from a return's unmet standards shares."""

    adds_records = True

    subgroup = forms.ModelChoiceField(
        label="Sub-group that monitors and signs them off",
        queryset=None,
        error_messages={"required": "Choose the sub-group that will sign the actions off."},
    )
    due_on = forms.DateField(
        label="Due on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Give the date the actions are due."},
    )

    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=None,
        required=False,
        help_text="Who at the agency answers for them; named later on each action if not now.",
    )

    def __init__(self, *args, subgroups, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subgroup"].queryset = subgroups
        owner_field_setup(self.fields["owner"], people)
        qap = subgroups.filter(code="qap").first()
        self.initial.setdefault("subgroup", qap.pk if qap else None)
        self.initial.setdefault("due_on", timezone.localdate() + datetime.timedelta(days=90))

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError("The actions cannot be due in the past.")
        return due_on


class ProgressForm(MinimisedFormMixin, forms.Form):
    progress = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe the progress made."},
    )
    at_risk = forms.BooleanField(required=False, label="The due date is at risk")
    completed_on = forms.DateField(
        required=False, widget=DateInput(), label="Completed on (if complete)"
    )
    completion_evidence = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Evidence of completion",
    )
    file = UploadField(required=False, label="Attach evidence (optional)")

    def __init__(self, *args, action=None, **kwargs):
        """For ``action`` reported complete, not yet signed off: its owner corrects the
        completion (its date and evidence, filled in) or adds its file."""
        self.reported_complete = bool(action and action.status == Action.Status.COMPLETE)
        if self.reported_complete:
            kwargs.setdefault(
                "initial",
                {
                    "progress": action.progress,
                    "completed_on": action.completed_on,
                    "completion_evidence": action.completion_evidence,
                },
            )
        elif action and action.completion_evidence:  # sent back: its evidence, to amend
            kwargs.setdefault("initial", {"completion_evidence": action.completion_evidence})
        super().__init__(*args, **kwargs)
        if self.reported_complete:
            del self.fields["at_risk"]
            self.fields["completed_on"].label = "Completed on"
            self.fields["completed_on"].required = True
            self.fields["completed_on"].error_messages["required"] = (
                "Give the date the action was completed."
            )
            self.fields["file"].label = "Add a file (optional)"

    def clean(self):
        data = super().clean()
        if data.get("completed_on") and not data.get("completion_evidence", "").strip():
            self.add_error("completion_evidence", "Say what shows the action is complete.")
        return data


class SendBackForm(MinimisedFormMixin, forms.Form):
    """The sub-group does not sign a reported completion off, and says why."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What should the owner put right?",
        help_text="The owner reads this on the action's page; the action is in progress again.",
        error_messages={"required": "Say what the owner should put right."},
    )


class SignOffForm(forms.Form):
    follow_up_on = forms.DateField(
        widget=DateInput(),
        label="Check the change has lasted on",
        error_messages={"required": "Set a date to check that the change has lasted."},
    )


class FollowUpForm(MinimisedFormMixin, forms.Form):
    lasted = forms.TypedChoiceField(
        choices=[("yes", "Yes: the change has lasted"), ("no", "No: the change has not lasted")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Has the change lasted?",
        help_text="If it has not, the action is reopened: in progress again, back with its owner.",
        error_messages={"required": "Say whether the change has lasted."},
    )
    result = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What the check found",
        error_messages={"required": "Say what the check found."},
    )
    due_on = forms.DateField(
        required=False,
        widget=DateInput(),
        label="If it has not lasted: new due date",
        help_text="When the owner should have put it right. Left empty, the action keeps its "
        "due date and shows as overdue.",
    )

    def clean(self):
        data = super().clean()
        if data.get("lasted") and data.get("due_on"):
            self.add_error("due_on", "A new due date is given only when the change has not lasted.")
        return data
