import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audits.models import Audit, Standard, StandardAssessment
from audits.tests import factories
from audits.tests.factories import AuditCycleFactory, AuditFactory, CaseAuditEntryFactory

pytestmark = pytest.mark.django_db


def test_frameworks_are_installed_with_their_standards():
    # As the data migration installs them (a transactional test's flush may have removed them).
    section_11, section_175 = factories.section_11(), factories.section_175()
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
    cycle = AuditCycleFactory.build(financial_year=2025, deadline=datetime.date(2025, 4, 1))
    with pytest.raises(ValidationError) as error:
        cycle.clean()
    assert error.value.message_dict == {
        "deadline": [
            "The deadline (1 April 2025) cannot be on or before the opening date (1 May 2025)."
        ]
    }


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


@time_machine.travel(datetime.date(2026, 12, 7))
@pytest.mark.parametrize(
    "year, opened_on, deadline, refused",
    [
        # Opened in 1901 for 2027/28: every return was late at once.
        (
            2027,
            datetime.date(1901, 1, 1),
            datetime.date(1901, 3, 1),
            {
                "opened_on": [
                    "The opening date (1 January 1901) must fall between 1 April 2026 and "
                    "31 March 2028 for a 2027/28 cycle: a cycle opens in its financial year or "
                    "the year before."
                ],
                "deadline": [
                    "The deadline (1 March 1901) cannot be before the start of the 2027/28 "
                    "financial year (1 April 2027): the returns describe that year."
                ],
            },
        ),
        (
            2025,
            datetime.date(2025, 5, 1),
            datetime.date(2099, 1, 1),
            {
                "deadline": [
                    "The deadline (1 January 2099) cannot be after the end of the 2025/26 "
                    "financial year (31 March 2026): the returns are read in that year's annual "
                    "report."
                ]
            },
        ),
        (
            2026,
            datetime.date(2027, 1, 4),
            datetime.date(2027, 3, 1),
            {
                "opened_on": [
                    "The opening date (4 January 2027) cannot be in the future: today is "
                    "7 December 2026."
                ]
            },
        ),
        (
            2026,
            datetime.date(2026, 12, 1),
            datetime.date(2026, 12, 1),
            {
                "deadline": [
                    "The deadline (1 December 2026) cannot be on or before the opening date "
                    "(1 December 2026)."
                ]
            },
        ),
        # Next year's cycle opened early, due within its year; and a past year's cycle.
        (2027, datetime.date(2026, 12, 7), datetime.date(2027, 6, 30), {}),
        (2024, datetime.date(2024, 3, 1), datetime.date(2025, 3, 31), {}),
    ],
)
def test_a_cycles_dates_fit_its_financial_year(year, opened_on, deadline, refused):
    cycle = AuditCycleFactory.build(financial_year=year, opened_on=opened_on, deadline=deadline)
    try:
        cycle.clean()
    except ValidationError as error:
        assert error.message_dict == refused
    else:
        assert refused == {}


@time_machine.travel(datetime.date(2026, 12, 7))
def test_an_audits_period_has_ended_and_starts_after_1999():
    audit = AuditFactory.build(
        period_start=datetime.date(1999, 12, 31), period_end=datetime.date(2030, 3, 31)
    )
    with pytest.raises(ValidationError) as error:
        audit.clean()
    assert error.value.message_dict == {
        "period_start": [
            "The start of the audit period (31 December 1999) is before 2000: check the year."
        ],
        "period_end": [
            "The end of the audit period (31 March 2030) cannot be in the future: today is "
            "7 December 2026."
        ],
    }
    audit.period_start, audit.period_end = datetime.date(2000, 1, 1), datetime.date(2026, 12, 7)
    audit.clean()


def test_a_complete_audit_has_its_summary_and_a_complete_case_file_audit_a_graded_case():
    themed = AuditFactory(stage=Audit.Stage.COMPLETE)
    with pytest.raises(ValidationError) as error:
        themed.clean()
    assert error.value.message_dict == {
        "summary": ["A complete audit needs its summary of findings: write what the audit found."]
    }
    case_file = AuditFactory(kind=Audit.Kind.CASE_FILE, stage=Audit.Stage.COMPLETE, summary="x")
    with pytest.raises(ValidationError) as error:
        case_file.clean()
    assert error.value.messages == [
        "A complete case file audit needs at least one graded case: grade a case first."
    ]
    CaseAuditEntryFactory(audit=case_file)
    case_file.clean()
