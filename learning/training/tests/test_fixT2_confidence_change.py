"""What a tester found in training's figures, mended: the change in confidence is the difference
of the means as answered, rounded once, not of the means already rounded for display; the
session page, the dashboard's impact by outcome and the annual report all show it so."""

import datetime

from django.urls import reverse
from django.utils import timezone

from learning.dashboard.outcomes import impact_by_outcome
from learning.dashboard.scope import make_scope
from sscb.dates import financial_year_of

from .. import figures, services
from ..models import Attendee, Questionnaire
from ..selectors import link_for_token
from .conftest import book, make_session

Stage = Questionnaire.Stage


def answer(attendee, stage, ratings, **text):
    questionnaire, _ = Questionnaire.objects.get_or_create(attendee=attendee, stage=stage)
    token = services.link_issue(questionnaire=questionnaire, sent_to=attendee.email)
    return services.questionnaire_answer(link=link_for_token(token), ratings=ratings, **text)


def _answered(course, agency, csc, time_machine):
    """The demo's session as the tester read it: before 14 / 6 = 2.33, straight after
    25 / 6 = 4.17; the change 1.83, which is 1.8 (4.2 less 2.3 would say 1.9)."""
    session = make_session(course, days=1)
    people = [
        book(session, where, name, Attendee.Status.BOOKED)
        for where, name in ((agency, "Sam Patel"), (agency, "Jo Khan"), (csc, "Alex Morgan"))
    ]
    for person, ratings in zip(people, ([2, 3], [2, 2], [2, 3]), strict=True):
        answer(person, Stage.BASELINE, ratings)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=2))
    for person in people:
        services.attendee_mark(attendee=person, status=Attendee.Status.ATTENDED)
    services.session_deliver(session=session)
    for person, ratings in zip(people, ([4, 4], [4, 4], [4, 5]), strict=True):
        answer(person, Stage.IMMEDIATE, ratings, doing_differently="Write the child's words.")
    return session


def test_the_change_in_confidence_is_of_the_means_as_answered(course, agency, csc, time_machine):
    _answered(course, agency, csc, time_machine)
    evaluation = figures.evaluation_of(Questionnaire.objects.all())
    assert (evaluation.confidence_before, evaluation.confidence_after) == (2.3, 4.2)
    assert evaluation.confidence_change == 1.8  # 25/6 - 14/6 = 1.83, not 4.2 - 2.3
    assert abs(evaluation.mean_before - 14 / 6) < 1e-9
    assert abs(evaluation.mean_after - 25 / 6) < 1e-9


def test_the_change_is_rounded_half_up_from_the_exact_difference():
    # 2.55 less 1 is 1.55: half up is 1.6 (as floats, 2.55 - 1.0 is 1.5499..., which is 1.5).
    evaluation = figures.Evaluation(mean_before=1.0, mean_after=51 / 20)
    assert (evaluation.confidence_before, evaluation.confidence_after) == (1.0, 2.6)
    assert evaluation.confidence_change == 1.6
    # Falling confidence reads as a fall, rounded the same way.
    assert figures.Evaluation(mean_before=51 / 20, mean_after=1.0).confidence_change == -1.6
    assert figures.Evaluation(mean_before=2.0).confidence_change is None


def test_the_session_page_and_the_impact_by_outcome_show_the_same_change(
    client, bu_user, course, agency, csc, outcome, time_machine
):
    session = _answered(course, agency, csc, time_machine)
    client.force_login(bu_user)
    page = client.get(reverse("training:session", args=[session.uuid]))
    said = " ".join(page.content.decode().split())
    assert 'data-testid="confidence-change">+1.8<' in said
    year = financial_year_of(session.delivered_on)
    rows = impact_by_outcome(make_scope(bu_user, year=year))["rows"]
    [row] = [row for row in rows if row["outcome"] == outcome]
    assert (row["evaluation"].confidence_before, row["evaluation"].confidence_after) == (2.3, 4.2)
    assert row["evaluation"].confidence_change == 1.8
