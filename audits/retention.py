"""What the retention schedule may dispose of in audits: complete audits and submitted returns
(sscb.retention)."""

from django.db.models import Count
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse

from sscb.dates import financial_year_label
from sscb.retention import Disposable, disposable, empty_rows

from .models import Audit, CaseAuditEntry, SelfAssessment, StandardAssessment
from .services import FRAMEWORK_SHORT_NAMES


@disposable("audit")
class AuditDisposal(Disposable):
    """A complete audit: its scope, summary and graded cases' pseudonyms and notes are emptied;
    its reference, kind, period, agencies and each case's grade stay."""

    label = "Audits (complete)"
    # No completion date is recorded: a complete audit's last change stands for it (an edit
    # after completion only restarts the period, so nothing goes early).
    events = {"audit_completed": "the audit was completed (its last change once complete)"}

    def due(self, event, cutoff, today):
        return (
            Audit.objects.filter(stage=Audit.Stage.COMPLETE)
            .annotate(event_on=TruncDate("updated_at"))
            .filter(event_on__lte=cutoff)
        )

    def reference(self, audit):
        return audit.reference

    def url(self, audit):
        return reverse("audits:detail", args=[audit.uuid])

    def dispose(self, audit, *, marker):
        empty_rows(Audit.objects.filter(pk=audit.pk), marker)
        entries = CaseAuditEntry.objects.filter(audit=audit)
        # One case graded for several agencies keeps one (numbered) pseudonym: the audit still
        # counts its cases, and (audit, pseudonym, agency) stays unique.
        pseudonyms = entries.values("pseudonym").annotate(n=Count("pk")).order_by("pseudonym")
        for number, row in enumerate(pseudonyms, start=1):
            entries.filter(pseudonym=row["pseudonym"]).update(pseudonym=f"{marker} case {number}")
        empty_rows(entries, marker, keep=["pseudonym"])


@disposable("self_assessment")
class SelfAssessmentDisposal(Disposable):
    """A submitted Section 11 / 175 return: its sign-off names and each answer's narrative,
    evidence and moderation notes are emptied; its status and scores stay (the heat map)."""

    label = "Section 11 / 175 returns (submitted)"
    events = {"return_submitted": "the return was submitted (or moderated, if later)"}

    def due(self, event, cutoff, today):
        return (
            SelfAssessment.objects.filter(status__in=SelfAssessment.RETURNED)
            .annotate(event_on=TruncDate(Coalesce("moderated_at", "submitted_at")))
            .filter(event_on__lte=cutoff)
            .select_related("cycle__framework", "agency")
        )

    def reference(self, self_assessment):
        cycle = self_assessment.cycle
        framework = FRAMEWORK_SHORT_NAMES.get(cycle.framework.code, cycle.framework.name)
        return (
            f"{framework} return: {self_assessment.agency.name} "
            f"{financial_year_label(cycle.financial_year)}"
        )

    def url(self, self_assessment):
        return reverse("audits:return", args=[self_assessment.uuid])

    def dispose(self, self_assessment, *, marker):
        empty_rows(SelfAssessment.objects.filter(pk=self_assessment.pk), marker)
        empty_rows(StandardAssessment.objects.filter(self_assessment=self_assessment), marker)
