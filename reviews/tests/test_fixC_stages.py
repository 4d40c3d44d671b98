"""A report the Board decided not to publish, CDOP's meeting in its place, a learning review's
possible reviewer, scoping that ends with agreed terms of reference, and what the review page
says of its clocks and its Panel steps (the tester's defects 3, 6, 7, 8 and 9)."""

import datetime
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews import casefile, lifecycle, services
from reviews.models import Review, ReviewClock
from reviews.tests.factories import at_decision, open_review, signed_off
from sscb.models import SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupFactory

pytestmark = pytest.mark.django_db

D = datetime.date
K = Review.Kind
S = Review.Stage
DECISION = Review.Decision


@pytest.fixture(autouse=True)
def monday_7_december_2026():
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, 0), tick=False):
        yield


def _body(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


def _terms(review, by, agreed_on=None, **fields):
    return casefile.terms_of_reference_add(
        review=review,
        by=by,
        scope_from=review.referred_on - datetime.timedelta(days=300),
        scope_to=review.referred_on,
        lines_of_enquiry="How did agencies share what they knew?",
        agreed_by="Case Review Panel" if agreed_on else "",
        agreed_on=agreed_on,
        **fields,
    )


def _lcspr(by, subgroup, decided_on):
    return open_review(
        by=by,
        kind=K.LCSPR,
        subgroup=subgroup,
        referred_on=decided_on,
        decision=DECISION.INITIATE,
        decided_on=decided_on,
        decision_reasons="The rapid review recommended it.",
    )


# Defect 3 ------------------------------------------------------------------------------------


def test_a_decision_not_to_publish_ends_the_lcspr_clocks_once_the_report_went_to_the_panel(
    client, bu_user, crp
):
    review = signed_off(_lcspr(bu_user, crp, D(2026, 7, 1)), D(2026, 11, 20))
    services.review_plan_final_report(
        review=review, by=bu_user, planned_publication_on=D(2026, 12, 21), final_report_sent_on=None
    )
    reason = "Publishing would identify the surviving children."
    with pytest.raises(ValidationError, match="The full report still goes to the national Panel"):
        services.review_record_publication(review=review, by=bu_user, not_published_reason=reason)
    services.review_plan_final_report(
        review=review,
        by=bu_user,
        planned_publication_on=D(2026, 12, 21),
        final_report_sent_on=D(2026, 11, 25),
    )
    services.review_record_publication(review=review, by=bu_user, not_published_reason=reason)

    kinds = dict(review.clocks.values_list("kind", "met_on"))
    assert kinds == {ReviewClock.Kind.LCSPR_PUBLICATION: D(2026, 11, 25)}
    client.force_login(bu_user)
    page = _body(client.get(reverse("reviews:detail", args=[review.uuid])))
    assert 'data-testid="clock-state">Not to be published</span>' in page
    assert "the full report went to the Panel and the Secretary of State on 25 Nov 2026" in page
    assert "Met on time" not in page

    # Past the six months nothing is chased.
    with time_machine.travel(datetime.datetime(2027, 1, 11, 7, 0), tick=False):
        reminders_sweep(today=D(2027, 1, 11))
    assert [m for m in mail.outbox if review.reference in m.body] == []

    # The day the report went stays recorded.
    with pytest.raises(ValidationError, match="decided not to publish the report"):
        services.review_plan_final_report(
            review=review,
            by=bu_user,
            planned_publication_on=None,
            final_report_sent_on=None,
        )


# Defect 6 ------------------------------------------------------------------------------------


def test_cdops_meeting_comes_after_the_death_was_known_and_before_the_review_closes(bu_user):
    from learning.meetings.models import Meeting
    from reviews.child_death_data import install
    from reviews.models import AgeBand, DeathCategory

    install(DeathCategory, AgeBand)
    cdop = SubGroupFactory(code=SubGroup.Code.CDOP)
    death = open_review(
        by=bu_user,
        kind=K.CHILD_DEATH,
        subgroup=cdop,
        referred_on=D(2026, 11, 19),
        incident_known_on=D(2026, 11, 19),
    )
    category = DeathCategory.objects.get(number=10)
    earlier = Meeting.objects.create(body=cdop, held_on=D(2025, 11, 10))
    with pytest.raises(ValidationError) as refused:
        services.child_death_record(
            review=death, by=bu_user, meeting=earlier, category=category, notified_on=None
        )
    assert refused.value.message_dict["meeting"] == [
        "The CDOP review meeting (10 November 2025) cannot be before the day the death became "
        "known (19 November 2026)."
    ]
    coming = Meeting.objects.create(body=cdop, held_on=D(2026, 12, 14))
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.child_death_record(review=death, by=bu_user, meeting=coming, category=category)

    held = Meeting.objects.create(body=cdop, held_on=D(2026, 12, 2))
    services.child_death_record(review=death, by=bu_user, meeting=held, category=category)
    services.review_move(review=death, to_stage=S.ANALYSIS, by=bu_user, on=D(2026, 11, 20))
    with pytest.raises(
        services.ReviewMoveRefused,
        match="cannot be before the CDOP meeting that reviewed the death .2 December 2026.",
    ):
        services.review_move(review=death, to_stage=S.CLOSED, by=bu_user, on=D(2026, 11, 30))
    services.review_move(review=death, to_stage=S.CLOSED, by=bu_user, on=D(2026, 12, 3))


# Defects 7 and 8 -----------------------------------------------------------------------------


def _scoped(kind, by, subgroup, **fields):
    """A review of ``kind`` at its scoping stage, its method chosen."""
    review = open_review(by=by, kind=kind, subgroup=subgroup, referred_on=D(2026, 10, 1), **fields)
    if lifecycle.decides(kind) and kind != K.LCSPR:
        at_decision(review, on=D(2026, 10, 5))
        services.review_record_decision(
            review=review,
            by=by,
            decision=DECISION.INITIATE,
            decided_on=D(2026, 10, 6),
            decision_reasons="Learning for the partnership.",
        )
    if review.stage != S.SCOPING:
        services.review_move(review=review, to_stage=S.SCOPING, by=by, on=D(2026, 10, 7))
        review.refresh_from_db()
    services.review_update(review=review, by=by, method="systems", method_rationale="Fits.")
    review.refresh_from_db()
    return review


def test_a_learning_review_may_go_on_without_an_independent_reviewer(
    client, bu_user, crp, reviewer_user
):
    review = _scoped(K.LEARNING_REVIEW, bu_user, crp)
    client.force_login(bu_user)
    page = _body(client.get(reverse("reviews:detail", args=[review.uuid])))
    assert "(possible, not required, for a learning review)" in page
    assert "may have an independent lead reviewer, or go from scoping" in page
    _terms(review, bu_user, agreed_on=D(2026, 10, 9))
    # A reviewer who is named still declares their independence first.
    services.review_appoint_reviewer(review=review, by=bu_user, lead_reviewer=reviewer_user)
    with pytest.raises(services.ReviewMoveRefused, match="has not declared their independence"):
        services.review_move(review=review, to_stage=S.CHRONOLOGIES, by=bu_user)
    services.review_appoint_reviewer(review=review, by=bu_user, lead_reviewer=None)
    services.review_move(review=review, to_stage=S.CHRONOLOGIES, by=bu_user, on=D(2026, 10, 12))
    review.refresh_from_db()
    assert review.stage == S.CHRONOLOGIES
    # Serious reviews keep theirs: an SCR and an LCSPR go through "reviewer appointed".
    for kind in (K.SCR, K.LCSPR):
        assert lifecycle.allowed_moves(kind, S.SCOPING) == (S.REVIEWER_APPOINTED,)
        assert not lifecycle.reviewer_optional(kind)


@pytest.mark.parametrize("kind", [K.SCR, K.LCSPR, K.LEARNING_REVIEW, K.DEEP_DIVE])
def test_scoping_ends_once_the_terms_of_reference_are_agreed(kind, bu_user, crp, reviewer_user):
    fields = {"regime_reason": "A test."} if kind == K.SCR else {}
    if kind == K.LCSPR:
        fields = {
            "decision": DECISION.INITIATE,
            "decided_on": D(2026, 10, 1),
            "decision_reasons": "Recommended.",
        }
    review = _scoped(kind, bu_user, crp, **fields)
    if lifecycle.has_reviewer(kind):  # a deep-dive audit has no lead reviewer
        services.review_appoint_reviewer(
            review=review,
            by=bu_user,
            lead_reviewer=reviewer_user,
            independence_declared_on=D(2026, 10, 8),
            independence_statement="Independent of the case and the agencies.",
        )
    onward = lifecycle.allowed_moves(kind, S.SCOPING)[0]
    with pytest.raises(services.ReviewMoveRefused, match="Write the terms of reference"):
        services.review_move(review=review, to_stage=onward, by=bu_user, on=D(2026, 10, 20))
    _terms(review, bu_user)  # a draft
    with pytest.raises(services.ReviewMoveRefused, match="terms of reference are not agreed"):
        services.review_move(review=review, to_stage=onward, by=bu_user, on=D(2026, 10, 20))
    _terms(review, bu_user, agreed_on=D(2026, 10, 21))
    with pytest.raises(
        services.ReviewMoveRefused,
        match="cannot be before the day the terms of reference were agreed .21 October 2026.",
    ):
        services.review_move(review=review, to_stage=onward, by=bu_user, on=D(2026, 10, 20))
    services.review_move(review=review, to_stage=onward, by=bu_user, on=D(2026, 10, 22))
    review.refresh_from_db()
    assert review.stage == onward


# Defect 9 ------------------------------------------------------------------------------------


def _panel_steps(page: str) -> str:
    return page.split('data-testid="panel-exchange"', 1)[1].split("</section>", 1)[0]


def test_the_panel_is_told_of_an_scr_only_when_it_is_not_initiated(client, bu_user, crp):
    scr = open_review(by=bu_user, kind=K.SCR, subgroup=crp, referred_on=D(2019, 5, 1))
    at_decision(scr, on=D(2019, 5, 2))
    services.review_record_decision(
        review=scr,
        by=bu_user,
        decision=DECISION.INITIATE,
        decided_on=D(2019, 5, 3),
        decision_reasons="Criteria met.",
    )
    client.force_login(bu_user)
    url = reverse("reviews:detail", args=[scr.uuid])
    assert "National panel told the SCR is not initiated" not in _panel_steps(
        _body(client.get(url))
    )
    services.review_record_decision(
        review=scr,
        by=bu_user,
        decision=DECISION.NOT_INITIATE,
        decided_on=D(2019, 5, 3),
        decision_reasons="On reflection, not met.",
        alternative_route="none",
    )
    assert "National panel told the SCR is not initiated" in _panel_steps(_body(client.get(url)))


def test_an_lcspr_shows_the_notification_its_rapid_review_recorded(client, bu_user, crp):
    rapid = open_review(
        by=bu_user,
        kind=K.RAPID_REVIEW,
        subgroup=crp,
        referred_on=D(2026, 11, 2),
        incident_known_on=D(2026, 10, 30),
        notified_on=D(2026, 11, 2),
        notification_reference="SIN-2026-0042",
    )
    at_decision(rapid, on=D(2026, 11, 10))
    services.review_record_decision(
        review=rapid,
        by=bu_user,
        decision=DECISION.INITIATE,
        decided_on=D(2026, 11, 12),
        decision_reasons="Learning for the partnership.",
    )
    lcspr = rapid.follow_on_reviews.get()
    client.force_login(bu_user)
    steps = _panel_steps(_body(client.get(reverse("reviews:detail", args=[lcspr.uuid]))))
    notification = steps.split("Serious incident notification", 1)[1].split("</tr>", 1)[0]
    assert "2 Nov 2026" in notification and "reference SIN-2026-0042" in notification
    assert "recorded on the review it arose from" in notification
    assert "not yet" not in notification


def test_a_rapid_review_without_its_dates_says_what_its_clocks_wait_for(client, bu_user, crp):
    rapid = open_review(by=bu_user, kind=K.RAPID_REVIEW, subgroup=crp, referred_on=D(2026, 12, 1))
    client.force_login(bu_user)
    page = _body(client.get(reverse("reviews:detail", args=[rapid.uuid])))
    assert (
        "“Notify Ofsted / the national Panel and the Board” (5 working days from the incident "
        "becoming known) has not started: record the day the incident became known"
    ) in page
    assert "15 working days from referral (no notification date recorded)" in page
    assert "15 working days from notification" not in page
    # 1 Dec + 15 working days is 22 Dec; on Monday 7 Dec, 11 working days are left (16 days).
    assert "11 working days left" in page
    register = _body(client.get(reverse("reviews:list")))
    assert "11 working days left" in register


def test_a_child_death_review_shows_no_decision_and_no_method(client, bu_user):
    cdop = SubGroupFactory(code=SubGroup.Code.CDOP)
    death = open_review(by=bu_user, kind=K.CHILD_DEATH, subgroup=cdop, referred_on=D(2026, 11, 2))
    client.force_login(bu_user)
    page = _body(client.get(reverse("reviews:detail", args=[death.uuid])))
    assert "Not yet decided" not in page and 'id="decision-heading"' not in page
    assert "Choose the method" not in page and "before scoping is finished" not in page
    for section in ("decision", "method"):
        response = client.get(reverse("reviews:section", args=[death.uuid, section]))
        assert response.status_code == 302
