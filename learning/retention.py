"""What the retention schedule may dispose of in the learning loop: closed actions, judged
evidence and findings whose theme is closed (sscb.retention). Files follow their parent."""

from django.db.models import F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse

from sscb.retention import Disposable, disposable, empty_rows, remove_files

from .models import Action, AssuranceEvidence, Attachment, Finding, PriorityTheme


@disposable("action")
class ActionDisposal(Disposable):
    """A signed-off or cancelled action: its text and files go; its plan, number, agency, dates
    and status stay (completion on time is counted from them)."""

    label = "Actions (signed off or cancelled)"
    events = {"action_closed": "the action was signed off (a cancelled one: its last change)"}

    def due(self, event, cutoff, today):
        return (
            Action.objects.filter(status__in=[Action.Status.SIGNED_OFF, Action.Status.CANCELLED])
            # A follow-up still to be recorded keeps the action.
            .exclude(follow_up_on__isnull=False, followed_up_on__isnull=True)
            .annotate(event_on=Coalesce("signed_off_on", TruncDate("updated_at")))
            .filter(event_on__lte=cutoff)
            .select_related("review", "audit")
        )

    def reference(self, action):
        return f"Action {action.reference}"

    def url(self, action):
        return reverse("learning:action", args=[action.uuid])

    def dispose(self, action, *, marker):
        remove_files(Attachment.objects.filter(action=action), marker)
        empty_rows(Action.objects.filter(pk=action.pk), marker)


@disposable("evidence")
class EvidenceDisposal(Disposable):
    """Judged assurance evidence: its title, summary, reasons and files go; the way, agency,
    dates and judgement stay (the assurance figures)."""

    label = "Assurance evidence (judged)"
    events = {"evidence_judged": "the evidence was judged"}

    def due(self, event, cutoff, today):
        return (
            AssuranceEvidence.objects.exclude(judgement=AssuranceEvidence.Judgement.PENDING)
            .annotate(event_on=F("judged_on"))
            .filter(event_on__lte=cutoff)
        )

    def reference(self, evidence):
        return f"Assurance evidence {evidence.pk}"

    def url(self, evidence):
        return reverse("learning:evidence", args=[evidence.uuid])

    def dispose(self, evidence, *, marker):
        remove_files(Attachment.objects.filter(evidence=evidence), marker)
        empty_rows(AssuranceEvidence.objects.filter(pk=evidence.pk), marker)


@disposable("finding")
class FindingDisposal(Disposable):
    """A finding in no theme, or in a closed one: its title and detail go; its source, nature,
    links and date stay."""

    label = "Findings (theme closed or none)"
    events = {"finding_recorded": "the finding was recorded (identified on)"}

    def due(self, event, cutoff, today):
        return (
            Finding.objects.filter(
                Q(theme__isnull=True) | Q(theme__status=PriorityTheme.Status.CLOSED)
            )
            .annotate(event_on=F("identified_on"))
            .filter(event_on__lte=cutoff)
        )

    def reference(self, finding):
        return f"Finding {finding.pk}"

    def url(self, finding):
        return reverse("learning:finding", args=[finding.uuid])

    def dispose(self, finding, *, marker):
        empty_rows(Finding.objects.filter(pk=finding.pk), marker)
