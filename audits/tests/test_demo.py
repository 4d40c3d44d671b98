import pytest
from django.core.management import call_command
from django.utils import timezone

from audits import selectors
from audits.models import Audit, AuditCycle, CaseAuditEntry, SelfAssessment, StandardAssessment

pytestmark = pytest.mark.django_db


def _counts():
    return [
        m.objects.count()
        for m in (Audit, CaseAuditEntry, AuditCycle, SelfAssessment, StandardAssessment)
    ]


def test_demo_has_returns_in_every_state_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first

    statuses = set(SelfAssessment.objects.values_list("status", flat=True))
    assert statuses == set(SelfAssessment.Status.values)
    assert AuditCycle.objects.filter(framework__for_schools=True).exists()
    late = [
        r for r in SelfAssessment.objects.select_related("cycle") if r.is_late(timezone.localdate())
    ]
    assert late, "some school returns are late"
    # The demo police lead has a draft to finish, partly carried forward from last year.
    police = SelfAssessment.objects.filter(
        agency__short_name="Police", status=SelfAssessment.Status.DRAFT
    ).get()
    assert police.answers.filter(needs_reconfirmation=True).exists()
    assert selectors.standards_not_met().exists()
    assert Audit.objects.filter(kind=Audit.Kind.THEMED).exists()
    assert CaseAuditEntry.objects.filter(audit__kind=Audit.Kind.CASE_FILE).count() == 4
