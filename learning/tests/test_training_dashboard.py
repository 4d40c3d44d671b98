"""Training on the dashboard: a session counts for the sub-group whose theme its outcome is
under and for the sub-group that runs the course, and for nobody else."""

import datetime

import pytest
from django.utils import timezone

from learning.dashboard.loop import delivery, practice
from learning.dashboard.outcomes import impact_by_outcome
from learning.dashboard.scope import make_scope
from learning.models import PracticeCheck
from learning.tests.factories import CheckFactory, OutcomeFactory, ThemeFactory
from learning.training import services
from learning.training.models import Attendee, Questionnaire
from learning.training.selectors import link_for_token
from sscb.dates import financial_year_of
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def answer(attendee, stage, ratings, **text):
    questionnaire, _ = Questionnaire.objects.get_or_create(attendee=attendee, stage=stage)
    token = services.link_issue(questionnaire=questionnaire, sent_to=attendee.email)
    services.questionnaire_answer(link=link_for_token(token), ratings=ratings, **text)


@pytest.fixture
def groups():
    return {
        code: SubGroupFactory(code=code, name=code)
        for code in (
            SubGroup.Code.TRAINING,
            SubGroup.Code.LEARNING_IMPROVEMENT,
            SubGroup.Code.QUALITY_ASSURANCE,
        )
    }


def outcome_under(subgroup, title):
    return OutcomeFactory(
        theme=ThemeFactory(subgroup=subgroup),
        title=title,
        decision="agreed",
        decided_on=datetime.date(2024, 4, 1),
    )


@pytest.fixture
def delivered(groups):
    """The Training sub-group's course, serving one outcome under L&I's theme and one under
    QAP's, delivered yesterday: one attendee answered before and after."""
    li = outcome_under(groups[SubGroup.Code.LEARNING_IMPROVEMENT], "Read the history")
    qap = outcome_under(groups[SubGroup.Code.QUALITY_ASSURANCE], "Audit the history")
    course = services.course_save(
        title="Cumulative harm refresher",
        kind="themed_event",
        subgroup=groups[SubGroup.Code.TRAINING],
        learning_points="Reading a chronology\nNaming cumulative harm",
        outcomes=[li, qap],
    )
    session = services.session_save(
        course=course,
        held_on=timezone.localdate() - datetime.timedelta(days=1),
        trainer="Jo Trainer",
        venue="Guildhall",
        places=5,
    )
    robin = services.attendee_add(
        session=session,
        agency=AgencyFactory(),
        name="Robin Social",
        email="robin@example.org",
        manager_email="boss@example.org",
        status=Attendee.Status.ATTENDED,
    )
    services.session_deliver(session=session)
    answer(robin, Questionnaire.Stage.IMMEDIATE, [4, 4], doing_differently="Read it all.")
    return {"li": li, "qap": qap, "session": session}


def rows_for(groups, code):
    reader = UserFactory(role="business_unit")
    scope = make_scope(
        reader,
        year=financial_year_of(timezone.localdate()),
        subgroup=groups[code] if code else None,
    )
    return {row["outcome"]: row for row in impact_by_outcome(scope)["rows"]}


def test_the_training_sub_groups_course_counts_under_it_whatever_theme_its_outcome_is_under(
    groups, delivered
):
    rows = rows_for(groups, SubGroup.Code.TRAINING)
    assert set(rows) == {delivered["li"], delivered["qap"]}
    for row in rows.values():
        assert (row["delivered"].value, row["reach"].value, row["answers"].value) == (1, 1, 1)
        assert row["evaluation"].confidence_after == 4.0


def test_the_theme_sub_group_counts_its_own_outcomes_delivery_and_not_the_others(groups, delivered):
    rows = rows_for(groups, SubGroup.Code.LEARNING_IMPROVEMENT)
    assert set(rows) == {delivered["li"]}
    row = rows[delivered["li"]]
    assert (row["delivered"].value, row["answers"].value) == (1, 1)
    assert set(rows_for(groups, SubGroup.Code.QUALITY_ASSURANCE)) == {delivered["qap"]}
    assert set(rows_for(groups, None)) == {delivered["li"], delivered["qap"]}


def test_a_sub_group_with_no_part_in_the_training_sees_none_of_it(groups, delivered):
    other = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL)
    reader = UserFactory(role="business_unit")
    scope = make_scope(reader, year=financial_year_of(timezone.localdate()), subgroup=other)
    assert impact_by_outcome(scope)["rows"] == []


def scope_of(groups, code):
    return make_scope(
        UserFactory(role="business_unit"),
        year=financial_year_of(timezone.localdate()),
        subgroup=groups[code] if code else None,
    )


def test_a_session_serving_two_outcomes_is_two_deliveries_reaching_its_people_once(
    groups, delivered
):
    """Each outcome's delivery activity counts (the list it opens lists both), but the one
    person in the room is reached once, not once for each outcome."""
    for code, count in (
        (None, 2),
        (SubGroup.Code.TRAINING, 2),
        (SubGroup.Code.LEARNING_IMPROVEMENT, 1),
    ):
        figures = delivery(scope_of(groups, code))
        assert (figures["count"].value, figures["reach"]) == (count, 1), code


def test_a_training_evaluation_counts_for_the_sub_group_that_runs_the_course(
    client, groups, delivered, bu_user
):
    """As its delivery does: the Training sub-group's practice figures count the checks of its
    session, under whichever theme, and the figure's list shows exactly them."""
    activity = delivered["session"].activities.get(outcome=delivered["li"])
    CheckFactory(
        outcome=delivered["li"],
        activity=activity,
        checked_on=timezone.localdate(),
        result=PracticeCheck.Result.IMPROVED,
    )
    CheckFactory(outcome=delivered["qap"], checked_on=timezone.localdate(), result="improved")
    counts = {
        code: {row["value"]: row["count"] for row in practice(scope_of(groups, code))["results"]}
        for code in (SubGroup.Code.TRAINING, SubGroup.Code.QUALITY_ASSURANCE)
    }
    improved = PracticeCheck.Result.IMPROVED
    assert counts[SubGroup.Code.TRAINING][improved].value == 1
    assert counts[SubGroup.Code.QUALITY_ASSURANCE][improved].value == 1
    client.force_login(bu_user)
    listed = client.get(counts[SubGroup.Code.TRAINING][improved].url)
    assert [check.activity for check in listed.context["page_obj"].object_list] == [activity]
