"""Validation for the review pages; every write goes through services."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from sscb.access import subgroup_ids
from sscb.forms import RecordForm, TemplateUploadForm, form_helper, keep_links
from sscb.minimise import MinimisedFormMixin
from sscb.models import Agency, SubGroup, User
from sscb.sending import SendingGuardMixin
from sscb.uploads import UploadField

from . import lifecycle
from .casefile import PANEL_FIELDS
from .models import (
    CaseDocument,
    ChildDeathDetails,
    ChronologyEntry,
    ParallelProcess,
    Review,
    ReviewAgency,
    ReviewTeamMember,
    TermsOfReference,
)
from .services import INVOLVEMENT_FIELDS, METHOD_FIELDS, can_restrict_review


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


_helper = form_helper


def _dates(*names):
    return {name: DateInput() for name in names}


class ReviewRulesMixin:
    """Review.clean() names the date it refuses; on a form without that date (the decision,
    when a correction puts the completion before it) the refusal is shown above the form,
    where a plain ModelForm would raise ValueError."""

    def add_error(self, field, error):
        if field is None and hasattr(error, "error_dict"):
            shown = {}
            for name, messages in error.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                shown.setdefault(key, []).extend(messages)
            error = ValidationError(shown)
        super().add_error(field, error)


class ReviewRegisterForm(ReviewRulesMixin, RecordForm):
    """The register entry: what the review is about, who owns it and its first dates."""

    class Meta:
        model = Review
        fields = [
            "kind",
            "title",
            "pseudonym",
            "summary",
            "subgroup",
            "is_restricted",
            "panel_members",
            "referred_on",
            "incident_known_on",
            "notified_on",
            "regime_reason",
        ]
        widgets = {
            **_dates("referred_on", "incident_known_on", "notified_on"),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "regime_reason": forms.Textarea(attrs={"rows": 2}),
            "panel_members": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        groups = SubGroup.objects.exclude(code=SubGroup.Code.EXECUTIVE)
        if not user.is_business_unit:
            groups = groups.filter(pk__in=subgroup_ids(user))
        # A panel member may edit a review of another sub-group: its sub-group stays as it is.
        keep_links(self, "subgroup", groups, marked="")
        self.fields["panel_members"].label_from_instance = _panel_label
        keep_links(
            self,
            "panel_members",
            get_user_model()
            .objects.filter(is_active=True)
            .filter(self._panel_roles())
            .select_related("agency"),
            marked="no longer offered",
        )
        self.fields["panel_members"].required = False
        self.fields["panel_members"].help_text = (
            "The review's panel. On a restricted review only they, the Business Unit and the "
            "lead reviewer can open it. A lead of an agency involved in the review may sit on "
            "it (record the agency under Agencies involved first): they read only their own "
            "agency's part of the case file."
        )
        if not can_restrict_review(user):
            # Who may open a review is the Business Unit's to decide (review_update refuses).
            del self.fields["is_restricted"]
            del self.fields["panel_members"]
        if self.instance.pk:
            # The kind fixes the reference and the clocks; it is not changed afterwards.
            del self.fields["kind"]
        else:
            # An LCSPR opened here, not from its rapid review's decision: the decision to
            # initiate it, whose day starts its six months to publication. Afterwards it is
            # changed under "Decision", never here.
            self.fields["decided_on"] = forms.DateField(
                label="LCSPR: decided to initiate on",
                required=False,
                widget=DateInput(),
                help_text="For a local child safeguarding practice review only: the day the "
                "safeguarding partners decided to initiate it. Its six months to publication "
                "count from that day.",
            )
            self.fields["decision_reasons"] = forms.CharField(
                label="LCSPR: reasons for the decision",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="For a local child safeguarding practice review only: why it was "
                "initiated.",
            )
        self.helper = _helper("Save review" if self.instance.pk else "Open the review")

    def _panel_roles(self) -> Q:
        """Who may sit on the panel: sub-group members, the Business Unit and, on a review
        already recorded, the leads of the agencies involved in it."""
        roles = Q(role__in=[User.Role.SUBGROUP_MEMBER, User.Role.BUSINESS_UNIT])
        if not self.instance.pk:
            return roles
        involved = ReviewAgency.objects.filter(review=self.instance, agency=OuterRef("agency"))
        return roles | Q(Exists(involved), role=User.Role.AGENCY_LEAD)

    def clean_pseudonym(self):
        return self.cleaned_data["pseudonym"].strip()

    def clean(self):
        data = super().clean()
        if "decided_on" not in self.fields:
            return data
        decided_on = data.pop("decided_on", None)
        reasons = (data.pop("decision_reasons", None) or "").strip()
        if data.get("kind") != Review.Kind.LCSPR:
            return data
        if not decided_on:
            self.add_error(
                "decided_on",
                "Give the day the decision to initiate this LCSPR was made: its six months to "
                "publication count from it. (An LCSPR decided by a rapid review is opened from "
                "that rapid review's decision.)",
            )
        if not reasons:
            self.add_error("decision_reasons", "Give the reasons for the decision.")
        if decided_on and reasons:
            data |= {
                "decision": Review.Decision.INITIATE,
                "decided_on": decided_on,
                "decision_reasons": reasons,
            }
        return data


def _panel_label(person) -> str:
    """A person offered for a panel; an agency's lead with their agency."""
    if person.is_agency_lead and person.agency_id:
        return f"{person} (lead, {person.agency.name})"
    return str(person)


class DecisionForm(ReviewRulesMixin, RecordForm):
    class Meta:
        model = Review
        fields = [
            "abuse_or_neglect",
            "child_died",
            "seriously_harmed",
            "concern_working_together",
            "died_in_custody",
            "suspected_suicide",
            "decision",
            "decided_on",
            "decision_reasons",
            "alternative_route",
            "national_panel_told_on",
        ]
        widgets = {
            **_dates("decided_on", "national_panel_told_on"),
            "decision_reasons": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The day it was decided, which may be before today when recorded late.
        if not self.instance.decided_on:
            self.initial["decided_on"] = timezone.localdate()
        self.fields[
            "decided_on"
        ].help_text = "The day the decision was made; today unless it was made earlier."
        if self.instance.kind != Review.Kind.SCR:
            del self.fields["national_panel_told_on"]
        if self.instance.kind == Review.Kind.RAPID_REVIEW:
            self.fields["decision"].choices = [
                (Review.Decision.PENDING, "Not yet decided"),
                (Review.Decision.INITIATE, "Initiate an LCSPR"),
                (Review.Decision.NOT_INITIATE, "Do not initiate an LCSPR"),
            ]
            for name in ("concern_working_together", "died_in_custody", "suspected_suicide"):
                del self.fields[name]
        stored = self.instance.decision
        if stored != Review.Decision.PENDING and lifecycle.decision_acted_on(self.instance):
            # The review has moved on from its decision: what was decided stands
            # (services.review_record_decision refuses a change); its date, reasons and
            # criteria may be corrected.
            field = self.fields["decision"]
            field.choices = [(value, label) for value, label in field.choices if value == stored]
            field.help_text = (
                "The review has moved on from its decision, so the decision stands: correct "
                "its date, reasons or criteria."
            )
            route = self.fields["alternative_route"]
            route.choices = [
                (value, label)
                for value, label in route.choices
                if value == self.instance.alternative_route
            ]
        self.helper = _helper("Record the decision")

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision and decision != Review.Decision.PENDING:
            if not data.get("decided_on"):
                self.add_error("decided_on", "Give the date the decision was made.")
            if not (data.get("decision_reasons") or "").strip():
                self.add_error("decision_reasons", "Give the reasons for the decision.")
        if decision == Review.Decision.INITIATE and data.get("alternative_route"):
            self.add_error(
                "alternative_route",
                "An alternative route is only for a review that is not initiated.",
            )
        return data


class MethodForm(ReviewRulesMixin, RecordForm):
    class Meta:
        model = Review
        fields = list(METHOD_FIELDS)
        widgets = {"method_rationale": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].required = True
        self.fields["method_rationale"].required = True
        self.helper = _helper("Save the method")


class ReviewerForm(ReviewRulesMixin, RecordForm):
    class Meta:
        model = Review
        fields = ["lead_reviewer", "independence_declared_on", "independence_statement"]
        widgets = {
            **_dates("independence_declared_on"),
            "independence_statement": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "independence_statement": "In the reviewer's words: they have had no part in the "
            "case and are independent of every agency whose actions are reviewed."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_links(
            self,
            "lead_reviewer",
            get_user_model().objects.filter(is_active=True, role=User.Role.INDEPENDENT_REVIEWER),
            marked="no longer offered",
        )
        self.helper = _helper("Save the reviewer")

    def clean(self):
        data = super().clean()
        if (
            data.get("independence_declared_on")
            and not (data.get("independence_statement") or "").strip()
        ):
            self.add_error(
                "independence_statement",
                "Record the reviewer's declaration that they are independent of the case and "
                "of the agencies reviewed.",
            )
        return data


class InvolvementForm(ReviewRulesMixin, RecordForm):
    class Meta:
        model = Review
        fields = list(INVOLVEMENT_FIELDS)
        widgets = {
            **_dates("practitioners_invited_on", "practitioner_event_on", "family_invited_on"),
            "practitioner_involvement": forms.Textarea(attrs={"rows": 3}),
            "family_contribution": forms.Textarea(attrs={"rows": 3}),
            "family_expectations": forms.Textarea(attrs={"rows": 3}),
            "surviving_children": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save involvement")

    def clean(self):
        data = super().clean()
        response = data.get("family_response")
        invited = {Review.FamilyResponse.AWAITING, Review.FamilyResponse.ACCEPTED}
        invited.add(Review.FamilyResponse.DECLINED)
        if response in invited and not data.get("family_invited_on"):
            self.add_error("family_invited_on", "Give the date the family was invited.")
        if (
            response == Review.FamilyResponse.NOT_APPROPRIATE
            and not (data.get("family_expectations") or "").strip()
        ):
            self.add_error(
                "family_expectations", "Say why it is not appropriate to invite the family."
            )
        return data


class PublicationForm(ReviewRulesMixin, RecordForm):
    class Meta:
        model = Review
        fields = ["published_on", "published_where", "board_response", "not_published_reason"]
        widgets = {
            **_dates("published_on"),
            "board_response": forms.Textarea(attrs={"rows": 4}),
            "not_published_reason": forms.Textarea(attrs={"rows": 3}),
        }
        # The field's own name ("Board's written response") is how a history names it.
        labels = {"board_response": "The Board's written response"}
        help_texts = {
            "published_where": "Where the report can be read, e.g. the partnership's website.",
            "not_published_reason": "Only when the Board has decided not to publish.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save publication")

    def clean(self):
        data = super().clean()
        if data.get("published_on"):
            if not (data.get("published_where") or "").strip():
                self.add_error("published_where", "Say where the report is published.")
            if not (data.get("board_response") or "").strip():
                self.add_error(
                    "board_response", "A published report carries the Board's written response."
                )
        return data


class FinalReportForm(ReviewRulesMixin, RecordForm):
    """The planned publication date, and when the final report went to the Panel."""

    class Meta:
        model = Review
        fields = ["planned_publication_on", "final_report_sent_on"]
        widgets = _dates("planned_publication_on", "final_report_sent_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save")


class PanelExchangeForm(ReviewRulesMixin, RecordForm):
    """The serious incident notification and what the national Panel said."""

    class Meta:
        model = Review
        fields = list(PANEL_FIELDS)
        widgets = {
            **_dates("notified_on", "panel_responded_on"),
            "panel_response": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"panel_response": "The Panel's response"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save")


class MoveForm(MinimisedFormMixin, forms.Form):
    to_stage = forms.ChoiceField(
        choices=Review.Stage.choices,
        error_messages={
            "required": "Choose the stage to move the review to.",
            "invalid_choice": "Choose the stage to move the review to.",
        },
    )
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    on = forms.DateField(
        label="Moved on",
        required=False,
        help_text="Today if left empty.",
        error_messages={"invalid": "Give the day of the move as a date, e.g. 3 May 2016."},
    )


class PauseForm(MinimisedFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=300,
        help_text="For example: criminal trial listed; awaiting inquest.",
        error_messages={"required": "Say why the clock is paused."},
    )
    on = forms.DateField(
        label="Paused from",
        required=False,
        widget=DateInput(),
        help_text="Today if left empty.",
        error_messages={"invalid": "Give the day the clock is paused from as a date."},
    )


class ResumeForm(MinimisedFormMixin, forms.Form):
    on = forms.DateField(
        label="Resumed on",
        required=False,
        widget=DateInput(),
        help_text="Today if left empty.",
        error_messages={"invalid": "Give the date the clock restarts as a date."},
    )


class ReviewAgencyForm(RecordForm):
    class Meta:
        model = ReviewAgency
        fields = [
            "agency",
            "chronology_requested_on",
            "chronology_received_on",
            "report_requested_on",
            "report_received_on",
            "notes",
        ]
        widgets = _dates(
            "chronology_requested_on",
            "chronology_received_on",
            "report_requested_on",
            "report_received_on",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_links(self, "agency", Agency.objects.filter(is_active=True))


class ParallelProcessForm(RecordForm):
    class Meta:
        model = ParallelProcess
        fields = ["kind", "description", "started_on", "ended_on", "holds_clock"]
        widgets = _dates("started_on", "ended_on")


ReviewAgencyFormSet = forms.inlineformset_factory(
    Review, ReviewAgency, form=ReviewAgencyForm, extra=2, can_delete=True
)
ParallelProcessFormSet = forms.inlineformset_factory(
    Review, ParallelProcess, form=ParallelProcessForm, extra=1, can_delete=True
)


# ------------------------------------------------------------------------ the case file (issue 18)


class ChronologyEntryForm(RecordForm):
    """One chronology entry, for an agency the person may enter for."""

    class Meta:
        model = ChronologyEntry
        fields = ["agency", "happened_on", "what_happened", "source", "is_key_episode"]
        widgets = {
            "happened_on": DateInput(),
            "what_happened": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        self.fields["agency"].empty_label = None
        self.helper = _helper("Save the entry")


class ChronologyUploadForm(TemplateUploadForm):
    """An agency's chronology as a CSV or XLSX file in the template."""

    file_label = "Chronology file"
    submit_label = "Check and add the entries"

    def __init__(self, *args, agencies, **kwargs):
        agencies = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        super().__init__(*args, agencies=agencies, **kwargs)


class TermsOfReferenceForm(RecordForm):
    """A new version of the terms of reference."""

    class Meta:
        model = TermsOfReference
        fields = ["scope_from", "scope_to", "lines_of_enquiry", "agreed_by", "agreed_on"]
        widgets = {
            **_dates("scope_from", "scope_to", "agreed_on"),
            "lines_of_enquiry": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save as a new version")


class TeamMemberForm(RecordForm):
    """Someone joining the review's team."""

    class Meta:
        model = ReviewTeamMember
        fields = ["person", "role", "agency", "independence_reason"]
        widgets = {"independence_reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        self.fields["person"].queryset = User.objects.filter(is_active=True).select_related(
            "agency"
        )
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True)
        self.fields[
            "independence_reason"
        ].help_text = (
            "Only for a reviewer who works for an agency under review: why they are accepted."
        )
        self.helper = _helper("Add to the team")

    def sent_with(self):
        # Someone who left, added back the same day, is a new addition, not the page sent twice.
        return tuple(self.review.team.order_by("pk").values_list("pk", "left_on"))


class DocumentForm(SendingGuardMixin, MinimisedFormMixin, forms.Form):
    """A new case document and its first version."""

    adds_records = True

    kind = forms.ChoiceField(label="What it is")
    title = forms.CharField(max_length=200)
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        help_text="For an agency report: whose it is.",
    )
    file = UploadField()
    note = forms.CharField(label="Note", max_length=300, required=False)

    def __init__(self, *args, kinds, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (value, label) for value, label in CaseDocument.Kind.choices if value in kinds
        ]
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        self.helper = _helper("Upload the document")


class DocumentVersionForm(SendingGuardMixin, MinimisedFormMixin, forms.Form):
    """A new version of a document."""

    adds_records = True

    file = UploadField()
    note = forms.CharField(label="What changed", max_length=300, required=False)


class ChildDeathForm(RecordForm):
    """CDOP's record of a death: never a name, a date of birth or an NHS number; an age band."""

    class Meta:
        model = ChildDeathDetails
        fields = [
            "notified_on",
            "meeting",
            "category",
            "modifiable_factors",
            "expectedness",
            "age_band",
            "ncmd_reference",
        ]
        widgets = _dates("notified_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The meetings app sits above reviews: its model is reached through the field.
        meeting = ChildDeathDetails._meta.get_field("meeting").related_model
        self.fields["meeting"].queryset = (
            meeting.objects.filter(body__code=SubGroup.Code.CDOP)
            .select_related("body")
            .order_by("-held_on")
        )
        self.fields["meeting"].empty_label = "Not yet reviewed at a panel meeting"
        for name in ("category", "age_band"):
            keep_links(self, name, self.fields[name].queryset.filter(is_active=True))
        self.helper = _helper("Save CDOP's record")
