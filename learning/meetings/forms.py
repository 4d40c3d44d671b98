"""Validation only, in words a Business Unit officer understands."""

from django import forms
from django.utils.text import capfirst

from audits.models import StandardAssessment
from learning.forms import ActionOwnerChecks, DateInput, OwnerSelect, owner_field_setup
from learning.models import Action
from reviews.models import Review
from sscb.forms import RecordForm, keep_links
from sscb.minimise import MinimisedFormMixin, validate_adults_name, validate_place
from sscb.models import Agency, User
from sscb.sending import SendingGuardMixin
from sscb.uploads import UploadField

from .models import AgendaItem, Attendance, Meeting
from .selectors import presenters_among


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def online_link_field() -> forms.URLField:
    """A meeting's online link, refused in words about a video call (the site's own example for
    a web address is a page, not a meeting)."""
    return forms.URLField(
        label="Online link",
        required=False,
        assume_scheme="https",
        help_text="The video call's address.",
        error_messages={
            "invalid": "Give the video call's web address, starting with https://, such as "
            "https://meet.example.org/your-meeting."
        },
    )


class MeetingForm(RecordForm):
    link = online_link_field()

    class Meta:
        model = Meeting
        fields = ["body", "held_on", "starts_at", "place", "link", "papers_due_on"]
        widgets = {
            "held_on": DateInput(),
            "papers_due_on": DateInput(),
            "starts_at": TimeInput(),
        }

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["body"].empty_label = None
        if self.instance.pk:
            del self.fields["body"]


class SeriesForm(SendingGuardMixin, MinimisedFormMixin, forms.Form):
    adds_records = True

    body = forms.ModelChoiceField(queryset=None, empty_label=None)
    first_on = forms.DateField(label="First meeting", widget=DateInput())
    every_weeks = forms.IntegerField(
        label="Every (weeks)", min_value=1, max_value=52, initial=8, help_text="E.g. 8 or 12."
    )
    count = forms.IntegerField(label="How many meetings", min_value=1, max_value=24, initial=6)
    papers_days_before = forms.IntegerField(
        label="Papers due (days before)", min_value=0, max_value=60, initial=7, required=False
    )
    starts_at = forms.TimeField(required=False, widget=TimeInput())
    place = forms.CharField(max_length=200, required=False, validators=[validate_place])
    link = online_link_field()

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies


class ItemForm(RecordForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "presenter"]

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        # An item about a review is offered only to those who may open it (``may_present``);
        # one who no longer may is kept, and the service says why they cannot stay.
        keep_links(
            self, "presenter", presenters_among(people, self.instance), marked="no longer offered"
        )


class ProposalsForm(forms.Form):
    chosen = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Items to add",
        error_messages={"required": "Tick at least one item to add."},
    )

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = {p.key: p for p in proposals if not p.on_agenda}
        self.fields["chosen"].choices = [(key, p.title) for key, p in self.proposals.items()]

    def chosen_proposals(self):
        return [self.proposals[key] for key in self.cleaned_data["chosen"]]


class CancelForm(SendingGuardMixin, MinimisedFormMixin, forms.Form):
    because = forms.CharField(
        label="Why it is cancelled",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        error_messages={"required": "Say why the meeting is cancelled."},
        help_text="Kept with the meeting and shown on its page. Its items may then go on "
        "another meeting's agenda.",
    )


class PaperForm(forms.Form):
    file = UploadField(label="Paper")


class AttendanceForm(MinimisedFormMixin, forms.Form):
    """One status (and deputy) per member of the body."""

    def __init__(self, *args, members, recorded, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for membership in members:
            person = membership.user
            before = recorded.get(person.pk)
            self.fields[f"status_{person.pk}"] = forms.ChoiceField(
                label=f"{person} ({self._agency(membership) or 'no agency'})",
                choices=Attendance.Status.choices,
                initial=before.status if before else Attendance.Status.PRESENT,
            )
            self.fields[f"deputy_{person.pk}"] = forms.CharField(
                label=f"Deputy for {person}",
                required=False,
                max_length=120,
                initial=before.deputy if before else "",
                validators=[validate_adults_name],
            )

    @staticmethod
    def _agency(membership) -> Agency | None:
        return membership.agency or membership.user.agency

    def rows(self):
        return [
            {
                "person": m.user,
                "agency": self._agency(m),
                "status": self.cleaned_data[f"status_{m.user.pk}"],
                "deputy": self.cleaned_data[f"deputy_{m.user.pk}"],
            }
            for m in self.members
        ]


class MinuteForm(RecordForm):
    class Meta:
        model = AgendaItem
        fields = ["notes", "decision"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "decision": forms.Textarea(attrs={"rows": 2}),
        }


class ReferralDecisionForm(MinimisedFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[c for c in Review.Decision.choices if c[0] != Review.Decision.PENDING],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reasons for the decision",
        error_messages={"required": "Give the reasons for the decision."},
    )
    alternative_route = forms.ChoiceField(
        choices=[("", "—"), *Review.AlternativeRoute.choices],
        required=False,
        label="Instead (when the review is not initiated)",
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        # The body that meets decides: the Case Review Panel, or L&I on its own referrals.
        field = self.fields["decision"]
        field.label = capfirst(f"{meeting.the_body}'s decision")
        field.error_messages["required"] = f"Choose {meeting.the_body}'s decision."

    def clean(self):
        data = super().clean()
        if data.get("decision") == Review.Decision.NOT_INITIATE and not data.get(
            "alternative_route"
        ):
            self.add_error("alternative_route", "Say what happens instead.")
        return data


class ModeratedScoresForm(SendingGuardMixin, MinimisedFormMixin, forms.Form):
    """The moderated score (and a comment) for each standard of a return, as QAP agreed it.

    Guarded as an edit of the return's answers (``sscb.sending``): a standard moderated
    elsewhere (on the return's page) after this form was opened keeps that moderation where
    the person left it as shown, and is not written again (``standard_assessment_moderate``
    writes nothing that would not change); typed over, nothing is saved and the form says who
    changed what."""

    def __init__(self, *args, answers, **kwargs):
        self.answers = answers
        initial = {}
        for answer in answers:
            initial[f"score_{answer.pk}"] = answer.moderated_score or answer.self_score
            initial[f"comment_{answer.pk}"] = answer.moderation_comment
        # The answers are the records edited; the first stands for them until one conflicts.
        record = answers[0] if answers else None
        super().__init__(*args, initial=initial, record=record, **kwargs)
        for answer in answers:
            number = answer.standard.number
            self.fields[f"score_{answer.pk}"] = forms.TypedChoiceField(
                label=f"Standard {number}: {answer.standard.title}",
                choices=[("", "—"), *StandardAssessment.Score.choices],
                coerce=int,
                help_text=f"Self-assessed: {answer.get_self_score_display() or 'no score'}.",
                error_messages={"required": f"Choose the moderated score for standard {number}."},
            )
            self.fields[f"comment_{answer.pk}"] = forms.CharField(
                label=f"Comment on standard {number}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def _refuse_overwrite(self):
        # Who changed it is read from the history of the standard typed over, not another's.
        changed = int(self.conflicts[0].split("_", 1)[1])
        self.record = next(answer for answer in self.answers if answer.pk == changed)
        super()._refuse_overwrite()

    def scores(self) -> dict:
        return {
            answer.pk: (
                self.cleaned_data[f"score_{answer.pk}"],
                self.cleaned_data[f"comment_{answer.pk}"],
            )
            for answer in self.answers
        }


class ActionArisingForm(ActionOwnerChecks, RecordForm):
    class Meta:
        model = Action
        fields = ["title", "description", "owner_agency", "owner", "due_on"]
        widgets = {
            "due_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "owner": OwnerSelect(),
        }

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        owner_field_setup(self.fields["owner"], people)
        self.fields["owner_agency"].queryset = Agency.objects.filter(is_active=True)


def people_for(body):
    """Who may present an item: the body's members and the Business Unit."""
    return User.objects.filter(is_active=True).filter(
        pk__in=body.memberships.values("user_id")
    ) | User.objects.filter(is_active=True, role=User.Role.BUSINESS_UNIT)
