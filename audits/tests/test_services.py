import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from audits import services
from audits.models import Audit, SelfAssessment, StandardAssessment
from audits.tests.conftest import full_answers
from audits.tests.factories import AuditFactory, section_11
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory

pytestmark = pytest.mark.django_db


def test_opening_a_cycle_sends_a_blank_return_per_agency(cycle):
    assert cycle.returns.count() == 2
    for item in cycle.returns.all():
        assert item.status == SelfAssessment.Status.NOT_STARTED
        assert item.answers.count() == 8
        assert not item.answers.filter(needs_reconfirmation=True).exists()


@time_machine.travel(datetime.date(2025, 6, 2))
def test_section_11_goes_to_agencies_and_175_to_schools(db, bu_user):
    police = AgencyFactory(kind="police")
    school = AgencyFactory(kind="school")
    AgencyFactory(kind="health", is_active=False)
    cycle = services.audit_cycle_open(
        framework=section_11(),
        title="S11",
        financial_year=2025,
        deadline=datetime.date(2025, 7, 2),
        by=bu_user,
    )
    assert list(cycle.returns.values_list("agency", flat=True)) == [police.pk]
    assert school.pk not in cycle.returns.values_list("agency", flat=True)


def test_draft_then_submit_then_moderate(police_return, agency_user, qap_user, submit):
    services.self_assessment_save_draft(
        self_assessment=police_return, answers=full_answers(police_return), by=agency_user
    )
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.DRAFT
    submit(police_return, by=agency_user)
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.SUBMITTED
    assert police_return.submitted_by == agency_user and police_return.submitted_at

    answers = list(police_return.answers.all())
    for answer in answers[:-1]:
        services.standard_assessment_moderate(
            standard_assessment=answer, moderated_score=2, by=qap_user
        )
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.SUBMITTED  # one standard still to go
    services.standard_assessment_moderate(
        standard_assessment=answers[-1],
        moderated_score=1,
        moderation_comment="No audit evidence.",
        challenge_notes="Lead accepted the challenge.",
        by=qap_user,
    )
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.MODERATED
    last = StandardAssessment.objects.get(pk=answers[-1].pk)
    assert (last.self_score, last.moderated_score, last.moderated_by) == (3, 1, qap_user)
    assert last.is_not_met


def test_no_edits_after_submission(police_return, agency_user, submit):
    submit(police_return, by=agency_user)
    with pytest.raises(ValidationError, match="was submitted and can no longer be changed"):
        services.self_assessment_save_draft(
            self_assessment=police_return,
            answers=full_answers(police_return, score=1),
            by=agency_user,
        )
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.self_assessment_submit(self_assessment=police_return, by=agency_user)
    assert not police_return.answers.filter(self_score=1).exists()


def test_an_incomplete_return_cannot_be_submitted(police_return, agency_user):
    answers = full_answers(police_return)
    first = next(iter(answers))
    answers[first] = {"self_score": None, "narrative": "", "evidence": ""}
    services.self_assessment_save_draft(
        self_assessment=police_return, answers=answers, by=agency_user
    )
    with pytest.raises(ValidationError) as error:
        services.self_assessment_submit(self_assessment=police_return, by=agency_user)
    assert "Give a score for standard 1." in error.value.messages
    assert "Say how you meet standard 1." in error.value.messages
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.DRAFT


def test_a_draft_cannot_be_moderated(police_return, qap_user):
    with pytest.raises(ValidationError, match="only after the agency has submitted it"):
        services.standard_assessment_moderate(
            standard_assessment=police_return.answers.first(), moderated_score=3, by=qap_user
        )


def test_a_school_return_needs_head_teacher_and_governor_sign_off(school_cycle, submit, bu_user):
    school_return = school_cycle.returns.get()
    assert school_return.answers.count() == 9
    with pytest.raises(ValidationError) as error:
        submit(school_return)
    assert "The head teacher must sign the return off (name and date)." in error.value.messages
    assert "The safeguarding governor must sign the return off" in " ".join(error.value.messages)
    submit(
        school_return,
        sign_off={
            "head_teacher": "A. Head",
            "head_teacher_signed_on": datetime.date(2025, 7, 1),
            "safeguarding_governor": "G. Governor",
            "safeguarding_governor_signed_on": datetime.date(2025, 7, 2),
        },
    )
    school_return.refresh_from_db()
    assert school_return.status == SelfAssessment.Status.SUBMITTED


def test_next_cycle_carries_forward_the_last_submitted_answers(
    cycle, police_return, csc_return, agency, other_agency, agency_user, bu_user, submit
):
    submit(police_return, by=agency_user, score=3, s2=1)
    # Social care only drafted last year: nothing of it is carried forward.
    services.self_assessment_save_draft(
        self_assessment=csc_return, answers=full_answers(csc_return, 4), by=bu_user
    )
    following = services.audit_cycle_open(
        framework=section_11(),
        title="Section 11 audit 2026/27",
        financial_year=2026,
        opened_on=datetime.date(2026, 5, 1),
        deadline=datetime.date(2026, 7, 31),
        agencies=[agency, other_agency],
        by=bu_user,
    )
    police_next = following.returns.get(agency=agency)
    carried = {a.standard.number: a for a in police_next.answers.select_related("standard")}
    assert carried[2].self_score == 1 and carried[1].self_score == 3
    assert carried[1].narrative == "We meet standard 1 through supervision and audit."
    assert all(a.needs_reconfirmation for a in carried.values())
    assert carried[1].carried_forward_from.self_assessment == police_return
    assert carried[1].moderated_score is None
    csc_next = following.returns.get(agency=other_agency)
    assert not csc_next.answers.filter(needs_reconfirmation=True).exists()
    assert not csc_next.answers.filter(self_score__isnull=False).exists()

    # Unconfirmed answers block submission; confirming or changing clears the flag.
    with pytest.raises(ValidationError, match="Confirm or change last cycle's answer"):
        services.self_assessment_submit(self_assessment=police_next, by=agency_user)
    answers = {
        a.standard_id: {
            "self_score": a.self_score,
            "narrative": a.narrative,
            "evidence": a.evidence,
            "confirmed": a.standard.number != 3,
        }
        for a in police_next.answers.select_related("standard")
    }
    services.self_assessment_save_draft(
        self_assessment=police_next, answers=answers, by=agency_user
    )
    assert list(
        police_next.answers.filter(needs_reconfirmation=True).values_list(
            "standard__number", flat=True
        )
    ) == [3]
    standard_3 = police_next.answers.get(standard__number=3)
    answers[standard_3.standard_id]["self_score"] = 4  # changed, so it is confirmed
    services.self_assessment_save_draft(
        self_assessment=police_next, answers=answers, by=agency_user
    )
    services.self_assessment_submit(self_assessment=police_next, by=agency_user)
    police_next.refresh_from_db()
    assert police_next.status == SelfAssessment.Status.SUBMITTED


@time_machine.travel(datetime.date(2027, 8, 2))
def test_carry_forward_takes_the_most_recent_submitted_cycle(
    cycle, police_return, agency, agency_user, bu_user, submit
):
    submit(police_return, by=agency_user, score=2)
    second = services.audit_cycle_open(
        framework=section_11(),
        title="2026",
        financial_year=2026,
        opened_on=datetime.date(2026, 5, 1),
        deadline=datetime.date(2026, 7, 1),
        agencies=[agency],
        by=bu_user,
    )
    submit(second.returns.get(), by=agency_user, score=4)
    third = services.audit_cycle_open(
        framework=section_11(),
        title="2027",
        financial_year=2027,
        opened_on=datetime.date(2027, 5, 1),
        deadline=datetime.date(2027, 7, 1),
        agencies=[agency],
        by=bu_user,
    )
    scores = set(third.returns.get().answers.values_list("self_score", flat=True))
    assert scores == {4}


def test_send_back_reopens_a_submitted_return(police_return, agency_user, qap_user, submit):
    submit(police_return, by=agency_user)
    services.self_assessment_return_to_agency(
        self_assessment=police_return, by=qap_user, reason="Say more about standard 2."
    )
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.DRAFT
    assert police_return.submitted_at is None


@time_machine.travel(datetime.date(2025, 10, 1))
def test_audit_references_number_by_kind_and_financial_year(db, agency):
    qap = SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE)
    fields = {
        "title": "Neglect",
        "lead_subgroup": qap,
        "reports_to": qap,
        "scope": "Neglect",
        "period_start": datetime.date(2025, 4, 1),
        "period_end": datetime.date(2025, 6, 30),
    }
    first = services.audit_create(kind=Audit.Kind.THEMED, agencies=[agency], **fields)
    second = services.audit_create(kind=Audit.Kind.THEMED, **fields)
    case_file = services.audit_create(kind=Audit.Kind.CASE_FILE, agencies=[agency], **fields)
    assert (first.reference, second.reference) == ("MATA-2025-001", "MATA-2025-002")
    assert case_file.reference == "MACFA-2025-001"
    assert list(first.agencies.all()) == [agency]


def test_audit_stages_move_one_step_at_a_time(db):
    audit = AuditFactory()
    with pytest.raises(ValidationError, match="one stage at a time"):
        services.audit_move_stage(audit=audit, stage=Audit.Stage.COMPLETE)
    services.audit_move_stage(audit=audit, stage=Audit.Stage.IN_PROGRESS)
    services.audit_move_stage(audit=audit, stage=Audit.Stage.PLANNED)
    audit.refresh_from_db()
    assert audit.stage == Audit.Stage.PLANNED


def test_a_case_file_audit_is_completed_only_with_a_graded_case_and_a_summary(db, agency):
    audit = AuditFactory(kind=Audit.Kind.CASE_FILE, stage=Audit.Stage.REPORTING, agencies=[agency])
    with pytest.raises(ValidationError) as refused:
        services.audit_move_stage(audit=audit, stage=Audit.Stage.COMPLETE)
    assert refused.value.messages == [
        "A complete audit needs its summary of findings: write what the audit found.",
        "A complete case file audit needs at least one graded case: grade a case first.",
    ]
    audit.refresh_from_db()
    assert audit.stage == Audit.Stage.REPORTING
    services.case_audit_entry_add(audit=audit, pseudonym="Child A", agency=agency, grade="good")
    services.audit_update(audit=audit, summary="Strategy discussions were timely.")
    services.audit_move_stage(audit=audit, stage=Audit.Stage.COMPLETE)
    audit.refresh_from_db()
    assert audit.stage == Audit.Stage.COMPLETE
    # Complete is where an audit stays.
    with pytest.raises(ValidationError, match="This audit is complete"):
        services.audit_move_stage(audit=audit, stage=Audit.Stage.REPORTING)


def test_an_audit_is_offered_only_the_moves_it_may_make(db):
    audit = AuditFactory(kind=Audit.Kind.CASE_FILE)
    moves = {}
    for stage in Audit.Stage.values:
        audit.stage = stage
        moves[stage] = services.audit_stage_moves(audit=audit, graded_cases=0)
    assert moves == {
        "planned": ["in_progress"],
        "in_progress": ["reporting", "planned"],
        "reporting": ["in_progress"],  # nothing graded, no summary: not "complete" yet
        "complete": [],
    }
    audit.stage, audit.summary = Audit.Stage.REPORTING, "What we found."
    assert services.audit_stage_moves(audit=audit, graded_cases=0) == ["in_progress"]
    assert services.audit_stage_moves(audit=audit, graded_cases=1) == ["complete", "in_progress"]


def test_the_business_unit_moves_a_cycles_deadline_and_its_history_keeps_the_old_one(
    cycle, bu_user
):
    services.audit_cycle_change_deadline(
        cycle=cycle, deadline=datetime.date(2025, 9, 30), by=bu_user
    )
    cycle.refresh_from_db()
    assert cycle.deadline == datetime.date(2025, 9, 30)
    newest, before = cycle.history.order_by("-history_date", "-history_id")[:2]
    assert before.deadline == datetime.date(2025, 7, 31)
    assert newest.history_user == bu_user
    assert newest.history_change_reason == "Deadline 31 July 2025 → 30 September 2025"
    # Past the end of its financial year: refused, and nothing changes.
    with pytest.raises(ValidationError) as refused:
        services.audit_cycle_change_deadline(
            cycle=cycle, deadline=datetime.date(2099, 1, 1), by=bu_user
        )
    assert "cannot be after the end of the 2025/26 financial year" in refused.value.messages[0]
    cycle.refresh_from_db()
    assert cycle.deadline == datetime.date(2025, 9, 30)
    assert cycle.history.count() == 2


def test_cases_are_graded_only_in_case_file_audits(db, agency):
    themed = AuditFactory(agencies=[agency])
    with pytest.raises(ValidationError, match="only in a multi-agency case file audit"):
        services.case_audit_entry_add(
            audit=themed, pseudonym="Child A", agency=agency, grade="good"
        )
    case_file = AuditFactory(kind=Audit.Kind.CASE_FILE, agencies=[agency])
    entry = services.case_audit_entry_add(
        audit=case_file,
        pseudonym=" Child A ",
        agency=agency,
        grade="inadequate",
        concerns="No safety plan.",
    )
    assert entry.pseudonym == "Child A"
    assert entry.get_grade_display() == "Inadequate"


def test_each_return_and_answer_of_a_new_cycle_starts_its_history(cycle, bu_user):
    for item in cycle.returns.all():
        assert list(item.history.values_list("history_type", "history_user")) == [("+", bu_user.pk)]
        for answer in item.answers.all():
            assert list(answer.history.values_list("history_type", "history_user")) == [
                ("+", bu_user.pk)
            ]


def test_each_answer_the_agency_changes_in_a_draft_is_in_its_history(
    police_return, agency_user, bu_user
):
    """What an agency first said is kept when it changes its answer, also after a send-back."""
    answers = full_answers(police_return, 3)
    services.self_assessment_save_draft(
        self_assessment=police_return, answers=answers, by=agency_user
    )
    standard_1 = police_return.answers.get(standard__number=1)
    answers[standard_1.standard_id] |= {"self_score": 1, "narrative": "Not yet: no audit."}
    services.self_assessment_save_draft(
        self_assessment=police_return, answers=answers, by=agency_user
    )

    versions = standard_1.history.order_by("history_id")
    assert [(v.history_type, v.self_score, v.history_user_id) for v in versions] == [
        ("+", None, bu_user.pk),
        ("~", 3, agency_user.pk),
        ("~", 1, agency_user.pk),
    ]
    assert versions.last().narrative == "Not yet: no audit."
    # The answers saved again unchanged have no new version.
    standard_2 = police_return.answers.get(standard__number=2)
    assert standard_2.history.count() == 2


@pytest.mark.django_db
def test_a_cycle_with_no_one_to_answer_it_is_not_opened(bu_user):
    """With no active school, a Section 175 cycle is refused in words, and nothing is saved."""
    from audits.models import AuditCycle, Framework
    from audits.tests.factories import section_175

    AgencyFactory(name="Archived Primary", kind="school", is_active=False)
    with pytest.raises(ValidationError, match="no active schools or colleges to send returns"):
        services.audit_cycle_open(
            framework=section_175(),
            title="Section 175 2025/26",
            financial_year=2025,
            opened_on=datetime.date(2025, 5, 1),
            deadline=datetime.date(2025, 7, 31),
            by=bu_user,
        )
    assert not AuditCycle.objects.exists()
    assert Framework.objects.exists()
