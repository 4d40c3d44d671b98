import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audits.models import Audit, Framework, Standard, StandardAssessment
from audits.tests.factories import AuditCycleFactory, AuditFactory, CaseAuditEntryFactory

pytestmark = pytest.mark.django_db


def test_frameworks_are_installed_with_their_standards():
    section_11 = Framework.objects.get(code=Framework.Code.SECTION_11)
    section_175 = Framework.objects.get(code=Framework.Code.SECTION_175)
    assert section_11.standards.count() == 8
    assert section_175.standards.count() == 9
    assert section_175.for_schools and not section_11.for_schools
    assert section_11.standards.get(number=6).title.startswith("Safer recruitment")
    assert all(s.guidance and s.evidence_expected for s in Standard.objects.all())


def test_audit_period_cannot_end_before_it_starts():
    audit = AuditFactory.build(
        period_start=datetime.date(2025, 5, 1), period_end=datetime.date(2025, 4, 1)
    )
    with pytest.raises(ValidationError, match="cannot be before its start"):
        audit.clean()
    audit.lead_subgroup.save()
    audit.reports_to = audit.lead_subgroup
    with pytest.raises(IntegrityError), transaction.atomic():
        audit.save()


def test_cycle_deadline_cannot_come_before_it_opens():
    cycle = AuditCycleFactory.build(deadline=datetime.date(2025, 4, 1))
    with pytest.raises(ValidationError, match="deadline cannot be before"):
        cycle.clean()


def test_a_case_is_graded_once_per_agency_in_an_audit():
    entry = CaseAuditEntryFactory(pseudonym="Child A")
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseAuditEntryFactory(audit=entry.audit, agency=entry.agency, pseudonym="Child A")


def test_not_met_uses_the_moderated_score_once_there_is_one():
    answer = StandardAssessment(self_score=StandardAssessment.Score.NOT_MET)
    assert answer.is_not_met
    answer.moderated_score = StandardAssessment.Score.PARTLY_MET
    assert not answer.is_not_met
    answer = StandardAssessment(self_score=3, moderated_score=StandardAssessment.Score.NOT_MET)
    assert answer.is_not_met


def test_audit_kinds_and_stages_use_the_boards_words():
    assert Audit.Kind.CASE_FILE.label == "Multi-agency case file audit"
    assert list(Audit.Stage.values) == ["planned", "in_progress", "reporting", "complete"]
