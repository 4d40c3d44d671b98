import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from audits import selectors, services
from audits.models import SelfAssessment
from audits.tests.conftest import full_answers
from audits.tests.factories import AuditFactory, CaseAuditEntryFactory, SelfAssessmentFactory
from sscb.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_late_returned_and_not_started_counts(cycle, police_return, csc_return, submit, bu_user):
    third = SelfAssessmentFactory(cycle=cycle, agency=AgencyFactory())
    services.self_assessment_save_draft(self_assessment=third, answers={}, by=bu_user)
    submit(police_return)
    before_deadline = selectors.cycle_progress(cycle, today=datetime.date(2025, 7, 31))
    assert before_deadline["total"] == 3
    assert before_deadline["returned_count"] == 1
    assert before_deadline["not_started_count"] == 1
    assert before_deadline["draft_count"] == 1
    assert before_deadline["late_count"] == 0
    assert before_deadline["awaiting_moderation"] == 1
    after_deadline = selectors.cycle_progress(cycle, today=datetime.date(2025, 8, 1))
    assert after_deadline["late_count"] == 2  # the draft and the one not started
    listed = selectors.cycles_with_progress(today=datetime.date(2025, 8, 1)).get(pk=cycle.pk)
    assert (listed.total, listed.returned_count, listed.late_count) == (3, 1, 2)
    assert listed.not_started_count == 1


def test_counts_come_from_one_query(cycle, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.cycle_progress(cycle)
    with django_assert_num_queries(1):
        list(selectors.cycles_with_progress())


def test_agency_lead_cannot_open_another_agencys_return(
    police_return, csc_return, agency_user, other_lead
):
    assert selectors.get_self_assessment_for_user(agency_user, police_return.uuid) == police_return
    with pytest.raises(Http404):
        selectors.get_self_assessment_for_user(agency_user, csc_return.uuid)
    with pytest.raises(Http404):
        selectors.get_self_assessment_for_user(other_lead, police_return.uuid, write=True)
    assert list(selectors.self_assessments_visible_to(agency_user)) == [police_return]


def test_a_returns_answer_is_opened_by_its_uuid_by_those_who_may_open_the_return(
    police_return, csc_return, agency_user, bu_user
):
    own, other = police_return.answers.first(), csc_return.answers.first()
    assert selectors.get_standard_assessment_for_user(agency_user, own.uuid) == own
    assert selectors.get_standard_assessment_for_user(bu_user, other.uuid) == other
    for name in (other.uuid, own.pk):
        with pytest.raises(Http404):
            selectors.get_standard_assessment_for_user(agency_user, name)


def test_qap_and_business_unit_see_all_returns_but_only_fill_in_as_allowed(
    police_return, csc_return, qap_user, bu_user, executive_user, member_user, reviewer_user
):
    assert selectors.self_assessments_visible_to(qap_user).count() == 2
    assert selectors.self_assessments_visible_to(bu_user).count() == 2
    assert selectors.self_assessments_visible_to(executive_user).count() == 2
    assert selectors.get_self_assessment_for_user(bu_user, csc_return.uuid, write=True)
    with pytest.raises(PermissionDenied):
        selectors.get_self_assessment_for_user(qap_user, csc_return.uuid, write=True)
    for outsider in (member_user, reviewer_user):
        with pytest.raises(Http404):
            selectors.get_self_assessment_for_user(outsider, csc_return.uuid)


def test_standards_not_met_lists_submitted_answers_needing_an_action(
    cycle, police_return, csc_return, submit, qap_user, bu_user
):
    submit(police_return, s2=1, s5=1)
    # A draft's not-met answer is the agency's own business until it is submitted.
    services.self_assessment_save_draft(
        self_assessment=csc_return,
        answers={
            csc_return.answers.first().standard_id: {"self_score": 1, "narrative": "x"},
        },
        by=bu_user,
    )
    flagged = selectors.standards_not_met(cycle)
    assert [a.standard.number for a in flagged] == [2, 5]
    # Moderation decides: standard 2 moderated up is no longer flagged, 3 moderated down is.
    answers = {a.standard.number: a for a in police_return.answers.select_related("standard")}
    services.standard_assessment_moderate(
        standard_assessment=answers[2], moderated_score=2, by=qap_user
    )
    services.standard_assessment_moderate(
        standard_assessment=answers[3], moderated_score=1, by=qap_user
    )
    assert [a.standard.number for a in selectors.standards_not_met()] == [3, 5]


def test_a_return_its_answers_and_its_cycle_agree_on_which_standards_need_an_action(
    cycle, police_return, csc_return, submit, qap_user, bu_user
):
    def flagged(self_assessment):
        return [a.standard.number for a in selectors.answers_for(self_assessment) if a.needs_action]

    def counts():
        return {r.agency.short_name: r.need_action for r in selectors.cycle_returns(cycle)}

    # Not met in a draft: the agency's own business until it is submitted.
    services.self_assessment_save_draft(
        self_assessment=csc_return, answers=full_answers(csc_return, s1=1), by=bu_user
    )
    assert flagged(csc_return) == [] and counts()["CSC"] == 0
    submit(police_return, s2=1, s5=1)
    assert flagged(police_return) == [2, 5] and counts()["Police"] == 2
    # Moderated up, standard 2 no longer needs one; moderated down, standard 3 does.
    answers = {a.standard.number: a for a in police_return.answers.select_related("standard")}
    services.standard_assessment_moderate(
        standard_assessment=answers[2], moderated_score=2, by=qap_user
    )
    services.standard_assessment_moderate(
        standard_assessment=answers[3], moderated_score=1, by=qap_user
    )
    assert flagged(police_return) == [3, 5] and counts()["Police"] == 2
    assert [a.standard.number for a in selectors.standards_not_met(cycle)] == [3, 5]


def test_a_draft_returns_answers_are_read_only_by_those_who_fill_it_in(
    police_return, submit, bu_user, qap_user, agency_user, executive_user
):
    assert selectors.can_read_answers(agency_user, police_return)
    assert selectors.can_read_answers(bu_user, police_return)
    assert not selectors.can_read_answers(qap_user, police_return)
    assert not selectors.can_read_answers(executive_user, police_return)
    submitted = submit(police_return)
    assert selectors.can_read_answers(qap_user, submitted)
    assert selectors.can_read_answers(executive_user, submitted)


def test_heat_map_shows_scores_only_for_returned_returns(cycle, police_return, csc_return, submit):
    submit(police_return, s1=4)
    grid = selectors.heat_map(cycle)
    assert len(grid["standards"]) == 8
    rows = {row.self_assessment.agency.short_name: row for row in grid["rows"]}
    assert rows["Police"].cells[0].self_score == 4
    assert rows["CSC"].cells == [None] * 8


def test_audits_visible_to_each_role(agency, other_agency, agency_user, reviewer_user, member_user):
    ours = AuditFactory(agencies=[agency, other_agency])
    AuditFactory(agencies=[other_agency])
    assert list(selectors.audits_visible_to(agency_user)) == [ours]
    assert selectors.audits_visible_to(member_user).count() == 2
    assert not selectors.audits_visible_to(reviewer_user).exists()


def test_only_the_lead_subgroup_or_qap_edit_an_audit(
    member_user, qap_user, bu_user, executive_user
):
    audit = AuditFactory()
    assert selectors.get_audit_for_user(qap_user, audit.uuid, write=True) == audit
    assert selectors.get_audit_for_user(bu_user, audit.uuid, write=True) == audit
    for reader in (member_user, executive_user):
        assert selectors.get_audit_for_user(reader, audit.uuid) == audit
        with pytest.raises(PermissionDenied):
            selectors.get_audit_for_user(reader, audit.uuid, write=True)


def test_status_helpers(police_return):
    assert police_return.status == SelfAssessment.Status.NOT_STARTED
    assert police_return.is_late(datetime.date(2025, 8, 1))
    assert not police_return.is_late(datetime.date(2025, 7, 31))


def test_the_lists_mark_a_return_late_as_is_late_does(
    cycle, police_return, csc_return, agency_user, submit
):
    """Open after the deadline is late; on the deadline, or returned, it is not."""
    submit(csc_return)
    for today in (datetime.date(2025, 7, 31), datetime.date(2025, 8, 1)):
        rows = selectors.cycle_returns(cycle, today) + selectors.returns_for_agency_lead(
            agency_user, today
        )
        for row in rows:
            assert row.late == row.is_late(today)
        late = {row.pk for row in rows if row.late}
        assert late == ({police_return.pk} if today.day == 1 else set())


def test_an_agency_lead_reads_their_own_agencys_graded_cases_and_counts_of_the_rest(
    agency_user, qap_user, agency, other_agency
):
    audit = AuditFactory(kind="case_file", agencies=[agency, other_agency])
    CaseAuditEntryFactory(audit=audit, agency=agency, pseudonym="Child P")
    CaseAuditEntryFactory(audit=audit, agency=other_agency, pseudonym="Child Q")
    lead = selectors.audit_detail(agency_user, audit)
    assert lead["own_cases_only"] and lead["case_total"] == 2
    assert [case.pseudonym for case in lead["cases"]] == ["Child P"]
    qap = selectors.audit_detail(qap_user, audit)
    assert not qap["own_cases_only"] and len(qap["cases"]) == 2
