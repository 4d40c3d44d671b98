"""Validation of what people type into audit and self-assessment pages."""

from django import forms
from django.utils import timezone

from sscb.access import subgroup_ids
from sscb.dates import financial_year_choices, say
from sscb.forms import RecordForm, keep_links
from sscb.minimise import MinimisedFormMixin
from sscb.models import Agency, SubGroup
from sscb.sending import SendingGuardMixin

from .models import Audit, AuditCycle, CaseAuditEntry, SelfAssessment, StandardAssessment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditForm(RecordForm):
    class Meta:
        model = Audit
        fields = [
            "kind",
            "title",
            "lead_subgroup",
            "reports_to",
            "scope",
            "period_start",
            "period_end",
            "agencies",
            "summary",
        ]
        widgets = {
            "period_start": DATE,
            "period_end": DATE,
            "scope": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "agencies": forms.CheckboxSelectMultiple,
        }
        labels = {"agencies": "Participating agencies"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.is_business_unit:
            # A QAP member may edit another sub-group's audit: its lead stays as it is.
            keep_links(
                self,
                "lead_subgroup",
                SubGroup.objects.filter(pk__in=subgroup_ids(user)),
                marked="",
            )
        keep_links(self, "agencies", Agency.objects.filter(is_active=True))
        if self.instance.pk:
            # The reference was numbered for this kind of audit.
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = "Fixed once the audit is recorded."

    def clean(self):
        data = super().clean()
        if "agencies" in data and (
            refusal := Audit(kind=data.get("kind")).agencies_problem(data["agencies"])
        ):
            self.add_error("agencies", refusal)
        return data


class StageForm(forms.Form):
    """The stage to move an audit to: on its page, only the ``moves`` it may make now; sent,
    any stage (the service says why a move is refused)."""

    stage = forms.ChoiceField(choices=Audit.Stage.choices, label="Move to stage")

    def __init__(self, *args, moves=None, **kwargs):
        super().__init__(*args, **kwargs)
        if moves is not None:
            self.fields["stage"].choices = [(stage, Audit.Stage(stage).label) for stage in moves]


class CaseAuditEntryForm(RecordForm):
    class Meta:
        model = CaseAuditEntry
        fields = ["pseudonym", "agency", "grade", "strengths", "concerns"]
        widgets = {
            "strengths": forms.Textarea(attrs={"rows": 2}),
            "concerns": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.audit = audit
        self.fields["agency"].queryset = audit.agencies.all()

    def clean(self):
        data = super().clean()
        pseudonym, agency = (data.get("pseudonym") or "").strip(), data.get("agency")
        if (
            pseudonym
            and agency
            and CaseAuditEntry.objects.filter(
                audit=self.audit, pseudonym__iexact=pseudonym, agency=agency
            ).exists()
        ):
            self.add_error(
                "pseudonym", f"{pseudonym} is already graded for {agency.label} in this audit."
            )
        return data


class AuditCycleForm(RecordForm):
    financial_year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        help_text="April to March: the year the agencies' returns describe.",
    )

    class Meta:
        model = AuditCycle
        fields = ["framework", "title", "financial_year", "opened_on", "deadline"]
        widgets = {"opened_on": DATE, "deadline": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A cycle may be opened for next year's returns before this year ends.
        self.fields["financial_year"].choices = financial_year_choices(ahead=1)

    def clean(self):
        data = super().clean()
        framework, year = data.get("framework"), data.get("financial_year")
        if (
            framework
            and year
            and AuditCycle.objects.filter(framework=framework, financial_year=year).exists()
        ):
            self.add_error(
                "financial_year", f"A {framework} cycle is already open for that financial year."
            )
        deadline = data.get("deadline")
        if deadline and deadline < timezone.localdate():
            # Returns are sent as the cycle opens: none is late the day it arrives.
            self.add_error("deadline", _late_at_once(deadline, "every return it sends"))
        return data

    def validate_unique(self):
        """Checked in clean() with a message a chair understands."""


class CycleDeadlineForm(RecordForm):
    """A cycle's new deadline, checked by the same rules as when it opened; and not a day
    already gone that would make the returns still to come late at once (a deadline already
    passed may still be corrected: those returns were late already)."""

    class Meta:
        model = AuditCycle
        fields = ["deadline"]
        widgets = {"deadline": DATE}
        help_texts = {
            "deadline": "The date every return is now due. Which returns are late, and the "
            "reminders, follow it; the old deadline stays in the cycle's history."
        }

    def clean_deadline(self):
        deadline, today = self.cleaned_data["deadline"], timezone.localdate()
        # The form has not yet set the new date on the cycle: its deadline is the saved one.
        if deadline is None or deadline >= today or self.instance.deadline < today:
            return deadline
        still_to_come = SelfAssessment.objects.filter(
            cycle=self.instance, status__in=SelfAssessment.EDITABLE
        ).count()
        if still_to_come:
            returns = "return" if still_to_come == 1 else f"{still_to_come} returns"
            raise forms.ValidationError(_late_at_once(deadline, f"the {returns} not yet submitted"))
        return deadline


def _late_at_once(deadline, which: str) -> str:
    """Why a deadline already gone is refused while returns are to come."""
    today = timezone.localdate()
    return (
        f"The deadline ({say(deadline)}) has already passed: today is {say(today)}. It would "
        f"make {which} late at once, and chase them as overdue straight away, up to the Quality "
        "Assurance and Performance chair and the Business Unit. Give today or a later date."
    )


SCORE_CHOICES = [("", "Choose a score")] + [
    (str(value), label) for value, label in StandardAssessment.Score.choices
]


class AnswerForm(SendingGuardMixin, MinimisedFormMixin, forms.Form):
    """The agency's answer for one standard."""

    self_score = forms.TypedChoiceField(
        choices=SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label="Self-assessed score",
    )
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="How you meet the standard",
        help_text="Name children by pseudonym only.",
    )
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Evidence you hold"
    )
    confirmed = forms.BooleanField(
        required=False, label="This answer from the last cycle still stands"
    )

    def __init__(self, *args, answer, **kwargs):
        initial = {
            "self_score": answer.self_score,
            "narrative": answer.narrative,
            "evidence": answer.evidence,
        }
        super().__init__(
            *args,
            initial=initial,
            prefix=f"standard-{answer.standard.number}",
            record=answer,
            **kwargs,
        )
        self.answer = answer
        if not answer.needs_reconfirmation:
            del self.fields["confirmed"]


class SignOffForm(RecordForm):
    class Meta:
        model = SelfAssessment
        fields = [
            "head_teacher",
            "head_teacher_signed_on",
            "safeguarding_governor",
            "safeguarding_governor_signed_on",
        ]
        widgets = {"head_teacher_signed_on": DATE, "safeguarding_governor_signed_on": DATE}
        labels = {
            "head_teacher_signed_on": "Head teacher signed on",
            "safeguarding_governor_signed_on": "Safeguarding governor signed on",
        }


class ModerationForm(SendingGuardMixin, MinimisedFormMixin, forms.Form):
    moderated_score = forms.TypedChoiceField(
        choices=SCORE_CHOICES, coerce=int, label="Moderated score"
    )
    moderation_comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Moderation comment"
    )
    challenge_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Challenge event notes",
        help_text="What the agency said at the challenge event. Name children by pseudonym only.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moderated_score"].error_messages["required"] = (
            "Choose the moderated score for this standard."
        )


class SendBackForm(MinimisedFormMixin, forms.Form):
    """QAP or the Business Unit sends a submitted return back to its agency, and says why."""

    sent_back_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What should the agency change?",
        help_text="The agency's lead reads this on the return, and is told by email; the return "
        "is a draft again until they submit it. Name children by pseudonym only.",
        error_messages={"required": "Say what the agency should change."},
    )
