"""A plan whose record is closed takes no new open action
(``learning.models.plan_closed_to_actions``): a closed review's (it closed only once none of its
actions was open, and is not reopened) and a closed theme's outcomes' (until the theme is
reopened). Refused in words wherever an action is added: the action's page, the services (a
meeting's action arising), and ``Action.clean``."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit
from audits.tests.factories import AuditFactory
from learning import services
from learning.meetings import services as meeting_services
from learning.meetings.models import Meeting
from learning.meetings.tests.factories import MeetingFactory
from learning.models import Action, PriorityTheme
from learning.tests.factories import (
    ActionFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ReviewFactory,
    ThemeFactory,
)
from reviews.models import Review
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory

pytestmark = pytest.mark.django_db

REVIEW_CLOSED = (
    "SCR-2017-001 is closed: its action plan takes no new actions, as a closed review is not "
    "reopened."
)


def body(response):
    return unescape(response.content.decode())


def due():
    return timezone.localdate() + datetime.timedelta(days=60)


@pytest.fixture
def closed_review():
    return ReviewFactory(reference="SCR-2017-001", kind=Review.Kind.SCR, stage=Review.Stage.CLOSED)


@pytest.fixture
def closed_theme(li):
    return ThemeFactory(subgroup=li, status=PriorityTheme.Status.CLOSED)


def new_action(li, agency) -> dict:
    return {
        "title": "Test action on a closed plan",
        "owner_agency": agency.pk,
        "subgroup": li.pk,
        "due_on": due().isoformat(),
    }


def test_a_closed_reviews_new_action_page_says_why_and_adds_nothing(
    client, bu_user, li, agency, closed_review
):
    client.force_login(bu_user)
    url = f"{reverse('learning:action_new')}?review={closed_review.uuid}"
    review_page = reverse("reviews:detail", args=[closed_review.uuid])
    response = client.get(url, follow=True)
    assert response.redirect_chain == [(review_page, 302)]
    assert REVIEW_CLOSED in body(response)
    response = client.post(url, new_action(li, agency), follow=True)
    assert response.redirect_chain == [(review_page, 302)]
    assert REVIEW_CLOSED in body(response)
    assert not Action.objects.exists()


def test_an_open_reviews_plan_still_takes_actions(client, bu_user, li, agency):
    review = ReviewFactory(stage=Review.Stage.ACTION_PLAN)
    client.force_login(bu_user)
    url = f"{reverse('learning:action_new')}?review={review.uuid}"
    assert client.get(url).status_code == 200
    assert client.post(url, new_action(li, agency)).status_code == 302
    assert Action.objects.get().review == review


def test_the_service_refuses_an_action_on_a_closed_review_without_naming_it(
    li, agency, closed_review
):
    """Whoever calls the service may not open the review (a meeting's chair): not named."""
    with pytest.raises(ValidationError) as refused:
        services.action_create(
            review=closed_review, title="x", owner_agency=agency, subgroup=li, due_on=due()
        )
    [said] = refused.value.messages
    assert said.startswith("This review is closed: its action plan takes no new actions")
    assert "SCR-2017-001" not in said
    assert not Action.objects.exists()


def test_an_action_arising_at_a_meeting_does_not_join_a_closed_reviews_plan(closed_review):
    crp = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL)
    meeting = MeetingFactory(body=crp)
    item = meeting_services.item_add(meeting=meeting, title="Closed review", review=closed_review)
    meeting.held_on = timezone.localdate()
    meeting.save()
    meeting_services.meeting_move(meeting=meeting, to=Meeting.Status.HELD)
    with pytest.raises(ValidationError, match="This review is closed"):
        meeting_services.item_action_arising(
            item=item, subgroup=crp, title="x", owner_agency=AgencyFactory(), due_on=due()
        )
    assert not Action.objects.exists()


def test_an_open_action_is_not_moved_onto_a_closed_reviews_plan(closed_review):
    action = ActionFactory(review=ReviewFactory(stage=Review.Stage.ACTION_PLAN))
    action.review = closed_review
    with pytest.raises(ValidationError, match="This review is closed"):
        action.full_clean()
    # Done, it may be recorded there (a review closes once its actions are done).
    action.status, action.completed_on = Action.Status.CANCELLED, None
    action.full_clean()


def test_an_open_action_already_on_a_closed_plan_can_still_be_worked_on(li, closed_review):
    """One put there before this rule: its owner still reports progress, and it is corrected."""
    action = ActionFactory(review=closed_review, subgroup=li)
    services.action_report_progress(action=action, progress="Half done.", at_risk=False)
    services.action_update(action=action, title="Renamed")
    action.refresh_from_db()
    assert (action.status, action.title) == (Action.Status.IN_PROGRESS, "Renamed")


def test_a_closed_themes_outcome_takes_no_action_until_the_theme_is_reopened(
    client, li_member, li, agency, closed_theme
):
    outcome = OutcomeFactory(theme=closed_theme)
    evidence = EvidenceFactory(outcome=outcome, agency=agency)
    new = f"{reverse('learning:action_new')}?outcome={outcome.uuid}"
    said = (
        f"The theme “{closed_theme.title}” is closed: reopen it (“Mark active” on the theme's page)"
    )
    client.force_login(li_member)

    # Not offered on the outcome's page nor on its evidence's, which say why.
    for page in (outcome.get_absolute_url(), evidence.get_absolute_url()):
        text = body(client.get(page))
        assert new not in text.replace("&amp;", "&")
        assert said in text
    response = client.post(new, new_action(li, agency), follow=True)
    assert response.redirect_chain == [(outcome.get_absolute_url(), 302)]
    assert said in body(response)
    with pytest.raises(ValidationError, match="is closed: reopen it"):
        services.action_create(
            outcome=outcome, title="x", owner_agency=agency, subgroup=li, due_on=due()
        )
    assert not Action.objects.exists()

    FindingFactory(theme=closed_theme, subgroup=li)  # a theme becomes active with a finding
    services.theme_move(theme=closed_theme, to=PriorityTheme.Status.ACTIVE)
    text = body(client.get(outcome.get_absolute_url()))
    assert new in text and said not in text
    assert client.post(new, new_action(li, agency)).status_code == 302
    assert Action.objects.get().outcome == outcome


def test_a_complete_audits_plan_still_takes_actions(li, agency):
    """An audit's plan is monitored after it is complete: completing it asks for its summary,
    not for its actions done."""
    audit = AuditFactory(stage=Audit.Stage.COMPLETE, summary="Found strengths and gaps.")
    action = services.action_create(
        audit=audit, title="x", owner_agency=agency, subgroup=li, due_on=due()
    )
    assert action.reference == f"{audit.reference}/1"
