"""Dated acts and their order (issue 13, items 2 and 3): every move, decision, completion and
publication carries the day it happened, never in the future and never before the act before it;
a review's key dates come in the order they can happen, and each refusal names both dates."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.dashboard.annual_report import annual_report
from reviews import casefile, services
from reviews.models import Review, ReviewAct, ReviewStageChange
from reviews.tests.factories import open_review, panel_reviewed
from sscb.dates import say
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date
K = Review.Kind
S = Review.Stage


def _refusal(error) -> str:
    return " ".join(error.value.messages)


def _move(review, stage, on, by):
    change = services.review_move(review=review, to_stage=stage, by=by, on=on)
    review.refresh_from_db()
    return change


def _decide(review, by, on, **extra):
    """Record a decision to initiate (unless ``extra`` says otherwise) made on ``on``."""
    extra.setdefault("decision", Review.Decision.INITIATE)
    extra.setdefault("decision_reasons", "Criteria met.")
    services.review_record_decision(review=review, by=by, decided_on=on, **extra)
    review.refresh_from_db()


def _back_enter_2016_scr(by):
    """A 2016 SCR entered in one sitting today, from its referral to its publication."""
    reviewer = UserFactory(role="independent_reviewer", username="lead-2016")
    scr = services.review_create(
        by=by,
        kind=K.SCR,
        title="Neglect of a young child",
        subgroup=SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL),
        pseudonym="Child A",
        incident_known_on=D(2016, 5, 2),
        notified_on=D(2016, 5, 3),
        referred_on=D(2016, 5, 4),
    )
    _move(scr, S.DECISION, D(2016, 5, 10), by)
    _decide(scr, by, D(2016, 5, 25), abuse_or_neglect=True, child_died=True)
    _move(scr, S.SCOPING, D(2016, 5, 26), by)
    services.review_update(
        review=scr, by=by, method=Review.Method.SYSTEMS, method_rationale="Many agencies."
    )
    casefile.terms_of_reference_add(
        review=scr,
        by=by,
        scope_from=D(2015, 5, 1),
        scope_to=D(2016, 5, 2),
        lines_of_enquiry="How did agencies share what they knew?",
        agreed_by="Case Review Panel",
        agreed_on=D(2016, 6, 6),
    )
    services.review_appoint_reviewer(
        review=scr,
        by=by,
        lead_reviewer=reviewer,
        independence_declared_on=D(2016, 6, 9),
        independence_statement="Independent of the case and of every agency reviewed.",
    )
    for stage, on in [
        (S.REVIEWER_APPOINTED, D(2016, 6, 10)),
        (S.CHRONOLOGIES, D(2016, 7, 1)),
        (S.PRACTITIONER_EVENT, D(2016, 9, 1)),
        (S.FAMILY_INVOLVEMENT, D(2016, 9, 15)),
        (S.ANALYSIS, D(2016, 10, 3)),
        (S.BOARD_SIGNOFF, D(2016, 11, 21)),
    ]:
        _move(scr, stage, on, by)
    services.review_record_publication(
        review=scr,
        by=by,
        published_on=D(2017, 1, 16),
        published_where="Partnership website",
        board_response="The Board accepts every recommendation.",
    )
    _move(scr, S.PUBLISHED, D(2017, 1, 16), by)
    _move(scr, S.ACTION_PLAN, D(2017, 2, 1), by)
    scr.refresh_from_db()
    return scr


def test_a_back_entered_2016_scr_counts_in_2016_17_with_its_true_dates(bu_user, client):
    scr = _back_enter_2016_scr(bu_user)

    assert (scr.completed_on, scr.published_on) == (D(2016, 11, 21), D(2017, 1, 16))
    clocks = {clock.kind: clock for clock in scr.clocks.all()}
    # Met on the day it happened, in time: not "Met <today> — late".
    assert clocks["scr_completion"].met_on == D(2016, 11, 21)
    assert clocks["scr_completion"].met_on <= clocks["scr_completion"].due_on
    assert clocks["scr_decision"].met_on == D(2016, 5, 25)

    report = annual_report(bu_user, year=2016)["reviews"]
    assert (report["started"].value, report["completed"].value, report["published"].value) == (
        1,
        1,
        1,
    )
    this_year = annual_report(bu_user)["reviews"]
    assert (this_year["started"].value, this_year["completed"].value) == (0, 0)
    assert this_year["published"].value == 0

    # The timeline shows the day each act happened and, beside it, the day it was recorded.
    client.force_login(bu_user)
    page = client.get(reverse("reviews:detail", args=[scr.uuid])).content.decode()
    today = timezone.localdate()
    recorded = f'<span class="text-muted" data-testid="recorded">(recorded {today:%-d %b %Y})'
    assert f"21 Nov 2016</span> {recorded}" in page
    assert "Board sign-off" in page
    assert "4 May 2016" in page  # opened on the referral
    assert "25 May 2016" in page and "Initiate the review" in page
    assert "16 Jan 2017" in page and "report published: Partnership website" in page
    moves = ReviewStageChange.objects.filter(review=scr)
    assert [m.happened_on for m in moves] == sorted(m.happened_on for m in moves)
    assert all(m.recorded_late for m in moves)
    assert set(ReviewAct.objects.filter(review=scr).values_list("kind", flat=True)) == {
        "decision",
        "publication",
    }


def test_an_act_recorded_on_the_day_it_happened_shows_one_date(bu_user, client):
    review = open_review(by=bu_user, kind=K.LEARNING_REVIEW)
    _move(review, S.DECISION, None, bu_user)
    change = review.stage_changes.get(to_stage=S.DECISION)
    assert change.happened_on == timezone.localdate() and not change.recorded_late
    client.force_login(bu_user)
    page = client.get(reverse("reviews:detail", args=[review.uuid])).content.decode()
    assert 'data-testid="recorded"' not in page


# The order of events -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        (
            {"incident_known_on": D(2016, 5, 4), "notified_on": D(2016, 5, 3)},
            "notified_on",
            "The notification date (3 May 2016) cannot be before the incident became known "
            "(4 May 2016).",
        ),
        (
            {"incident_known_on": D(2016, 5, 5), "referred_on": D(2016, 5, 4)},
            "referred_on",
            "The referral date (4 May 2016) cannot be before the incident became known "
            "(5 May 2016).",
        ),
    ],
)
def test_dates_out_of_order_are_refused_naming_both(bu_user, dates, field, message):
    with pytest.raises(services.ValidationError) as error:
        open_review(by=bu_user, kind=K.SCR, **dates)
    assert error.value.message_dict[field] == [message]
    assert not Review.objects.exists()


def test_an_incident_in_the_future_is_refused_and_starts_no_clock(bu_user):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(services.ValidationError) as error:
        open_review(by=bu_user, kind=K.RAPID_REVIEW, incident_known_on=tomorrow)
    assert error.value.message_dict["incident_known_on"] == [
        f"The date the incident became known ({say(tomorrow)}) cannot be in the future: "
        f"today is {say(timezone.localdate())}."
    ]
    assert not Review.objects.exists()


def test_a_decision_before_the_notification_is_refused_and_changes_nothing(bu_user):
    scr = open_review(
        by=bu_user,
        kind=K.SCR,
        incident_known_on=D(2016, 5, 2),
        notified_on=D(2016, 5, 6),
        referred_on=D(2016, 5, 4),
    )
    _move(scr, S.DECISION, D(2016, 5, 4), bu_user)
    with pytest.raises(services.ValidationError) as error:
        _decide(scr, bu_user, D(2016, 5, 5))
    assert error.value.message_dict["decided_on"] == [
        "The decision date (5 May 2016) cannot be before the notification (6 May 2016)."
    ]
    scr.refresh_from_db()
    assert scr.decision == Review.Decision.PENDING and scr.decided_on is None
    assert not ReviewAct.objects.exists()


def test_the_national_panel_cannot_be_told_before_the_decision(bu_user):
    scr = open_review(by=bu_user, kind=K.SCR, referred_on=D(2016, 5, 4))
    _move(scr, S.DECISION, D(2016, 5, 4), bu_user)
    with pytest.raises(services.ValidationError) as error:
        _decide(
            scr,
            bu_user,
            D(2016, 6, 1),
            decision=Review.Decision.NOT_INITIATE,
            alternative_route=Review.AlternativeRoute.DEEP_DIVE,
            national_panel_told_on=D(2016, 5, 31),
        )
    assert "(31 May 2016) cannot be before the decision (1 June 2016)" in _refusal(error)


def test_the_database_refuses_a_notification_before_the_incident(bu_user):
    from django.db import IntegrityError, transaction

    review = open_review(
        by=bu_user, kind=K.SCR, incident_known_on=D(2016, 5, 2), referred_on=D(2016, 5, 4)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(notified_on=D(2016, 5, 1))


# Dated moves -------------------------------------------------------------------------------


def test_a_move_cannot_be_before_the_move_before_it_or_in_the_future(bu_user):
    review = open_review(by=bu_user, kind=K.LEARNING_REVIEW, referred_on=D(2016, 5, 4))
    with pytest.raises(services.ReviewMoveRefused) as error:
        _move(review, S.DECISION, D(2016, 5, 3), bu_user)
    assert _refusal(error) == (
        "The move to “Decision” (3 May 2016) cannot be before the referral (4 May 2016)."
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(services.ReviewMoveRefused) as error:
        _move(review, S.DECISION, tomorrow, bu_user)
    assert "cannot be in the future" in _refusal(error)
    _move(review, S.DECISION, D(2016, 5, 10), bu_user)
    _decide(review, bu_user, D(2016, 6, 1))
    with pytest.raises(services.ReviewMoveRefused) as error:
        _move(review, S.SCOPING, D(2016, 5, 20), bu_user)
    assert _refusal(error) == (
        "The move to “Scoping and terms of reference” (20 May 2016) cannot be before the "
        "decision (1 June 2016)."
    )
    review.refresh_from_db()
    assert review.stage == S.DECISION
    assert review.stage_changes.count() == 2


def test_board_sign_off_completes_the_review_on_the_day_of_the_move(bu_user):
    review = open_review(by=bu_user, kind=K.DOMESTIC_HOMICIDE, referred_on=D(2016, 5, 4))
    _move(review, S.ANALYSIS, D(2016, 8, 1), bu_user)
    with pytest.raises(services.ReviewMoveRefused) as error:
        _move(review, S.BOARD_SIGNOFF, D(2016, 7, 31), bu_user)
    assert "(31 July 2016) cannot be before the move to “Analysis and draft” (1 August 2016)" in (
        _refusal(error)
    )
    _move(review, S.BOARD_SIGNOFF, D(2016, 12, 1), bu_user)
    _move(review, S.ACTION_PLAN, D(2017, 1, 5), bu_user)
    _move(review, S.CLOSED, D(2017, 6, 30), bu_user)
    review.refresh_from_db()
    assert (review.completed_on, review.closed_on) == (D(2016, 12, 1), D(2017, 6, 30))


def test_a_child_death_review_is_completed_when_cdop_closes_it(bu_user):
    review = open_review(by=bu_user, kind=K.CHILD_DEATH, referred_on=D(2016, 5, 4))
    _move(review, S.ANALYSIS, D(2016, 6, 1), bu_user)
    panel_reviewed(review, on=D(2016, 9, 7))
    _move(review, S.CLOSED, D(2016, 9, 14), bu_user)
    review.refresh_from_db()
    assert (review.completed_on, review.closed_on) == (D(2016, 9, 14), D(2016, 9, 14))


def test_publication_cannot_come_before_completion_nor_the_move_to_published(bu_user):
    scr = _back_enter_2016_scr(bu_user)
    with pytest.raises(services.ValidationError) as error:
        services.review_record_publication(
            review=scr,
            by=bu_user,
            published_on=D(2016, 11, 1),
            published_where="Partnership website",
            board_response="Accepted.",
        )
    assert error.value.message_dict["published_on"] == [
        "The publication date (1 November 2016) cannot be before the completion (21 November 2016)."
    ]
    with pytest.raises(services.ValidationError) as error:
        services.review_record_publication(
            review=scr,
            by=bu_user,
            published_on=D(2017, 1, 20),
            published_where="Partnership website",
            board_response="Accepted.",
        )
    assert _refusal(error) == (
        "The move to “Published” (16 January 2017) cannot be before the publication "
        "(20 January 2017)."
    )
    scr.refresh_from_db()
    assert scr.published_on == D(2017, 1, 16)


def test_a_decision_cannot_be_redated_after_the_review_moved_on_from_it(bu_user):
    scr = _back_enter_2016_scr(bu_user)
    with pytest.raises(services.ValidationError) as error:
        _decide(scr, bu_user, D(2016, 5, 27), abuse_or_neglect=True, child_died=True)
    assert _refusal(error) == (
        "The move to “Scoping and terms of reference” (26 May 2016) cannot be before the "
        "decision (27 May 2016)."
    )


def test_a_corrected_referral_moves_the_opening_but_not_past_the_first_move(bu_user):
    review = open_review(by=bu_user, kind=K.LEARNING_REVIEW, referred_on=D(2016, 5, 4))
    _move(review, S.DECISION, D(2016, 5, 10), bu_user)
    with pytest.raises(services.ValidationError) as error:
        services.review_update(review=review, by=bu_user, referred_on=D(2016, 5, 11))
    assert error.value.message_dict["referred_on"] == [
        "The move to “Decision” (10 May 2016) cannot be before the referral (11 May 2016)."
    ]
    review.refresh_from_db()
    services.review_update(review=review, by=bu_user, referred_on=D(2016, 5, 2))
    assert review.stage_changes.get(from_stage="").happened_on == D(2016, 5, 2)


# Pages -------------------------------------------------------------------------------------


def test_the_move_form_takes_the_day_it_happened_and_says_why_not(bu_user, client):
    review = open_review(by=bu_user, kind=K.LEARNING_REVIEW, referred_on=D(2016, 5, 4))
    client.force_login(bu_user)
    url = reverse("reviews:move", args=[review.uuid])
    response = client.post(url, {"to_stage": S.DECISION, "on": "2016-05-01"}, follow=True)
    assert "cannot be before the referral (4 May 2016)" in response.content.decode()
    assert review.stage_changes.count() == 1
    response = client.post(url, {"to_stage": S.DECISION, "on": "yesterday"}, follow=True)
    assert "Give the day of the move as a date" in response.content.decode()
    response = client.post(url, {"to_stage": S.DECISION, "on": "2016-05-09"}, follow=True)
    assert "Moved to &#x27;Decision&#x27; on 9 May 2016." in response.content.decode()
    assert review.stage_changes.get(to_stage=S.DECISION).happened_on == D(2016, 5, 9)


def test_a_referral_moved_after_the_decision_is_shown_on_the_register_page(bu_user, client):
    """The refusal names the decision date, which the register form does not have: it is
    shown above the form, not a server error."""
    review = open_review(by=bu_user, kind=K.LEARNING_REVIEW, referred_on=D(2016, 5, 4))
    _move(review, S.DECISION, D(2016, 5, 4), bu_user)
    _decide(review, bu_user, D(2016, 5, 20))
    client.force_login(bu_user)
    url = reverse("reviews:section", args=[review.uuid, "register"])
    data = {
        "title": review.title,
        "pseudonym": review.pseudonym,
        "summary": "",
        "subgroup": review.subgroup_id,
        "referred_on": "2016-05-21",
        "incident_known_on": "",
        "notified_on": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert (
        "The decision date (20 May 2016) cannot be before the referral (21 May 2016)."
        in response.content.decode()
    )
    review.refresh_from_db()
    assert review.referred_on == D(2016, 5, 4)


def test_the_decision_form_offers_today_as_the_day_it_was_decided(bu_user, client):
    review = open_review(by=bu_user, kind=K.SCR, referred_on=D(2016, 5, 4))
    _move(review, S.DECISION, D(2016, 5, 4), bu_user)
    client.force_login(bu_user)
    page = client.get(reverse("reviews:section", args=[review.uuid, "decision"])).content
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page.decode()


# The criteria page (issue 13, item 10) ----------------------------------------------------


def test_the_decision_page_of_an_scr_explains_the_rule_and_its_source(bu_user, client):
    scr = open_review(by=bu_user, kind=K.SCR, referred_on=D(2016, 5, 4))
    other = open_review(by=bu_user, kind=K.LEARNING_REVIEW)
    _move(scr, S.DECISION, D(2016, 5, 4), bu_user)
    _move(other, S.DECISION, other.referred_on, bu_user)
    client.force_login(bu_user)
    page = client.get(reverse("reviews:section", args=[scr.uuid, "decision"])).content.decode()
    assert 'data-testid="scr-rule" open' in page
    assert "the criteria are met whether or not there is such a concern" in page
    assert "Working Together to Safeguard Children 2015, chapter 4" in page
    assert "this page follows the regulation" in page
    assert "this page follows the Framework: a suspected suicide" in page
    page = client.get(reverse("reviews:section", args=[other.uuid, "decision"])).content.decode()
    assert 'data-testid="scr-rule"' not in page


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        (
            {"completed_on": D(2024, 5, 10), "final_report_sent_on": D(2024, 5, 9)},
            "final_report_sent_on",
            "The date the final report was sent to the Panel (9 May 2024) cannot be before "
            "the completion (10 May 2024).",
        ),
        (
            {"final_report_sent_on": D(2024, 5, 20), "published_on": D(2024, 5, 19)},
            "published_on",
            "The publication date (19 May 2024) cannot be before sending the final report to "
            "the Panel (20 May 2024).",
        ),
    ],
)
def test_the_final_report_is_sent_after_completion_and_before_publication(dates, field, message):
    review = Review(referred_on=D(2024, 1, 10), decided_on=D(2024, 1, 20), **dates)
    with pytest.raises(services.ValidationError) as error:
        review.clean()
    assert message in error.value.message_dict[field]


@pytest.mark.parametrize(
    "field", ["independence_declared_on", "practitioners_invited_on", "family_invited_on"]
)
def test_a_review_refuses_an_invitation_or_declaration_on_a_day_that_has_not_come(field):
    from django.core.exceptions import ValidationError

    review = open_review(kind=K.LCSPR, referred_on=D(2025, 1, 1))
    review.lead_reviewer = UserFactory(role="independent_reviewer")
    setattr(review, field, timezone.localdate() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        review.full_clean()
    assert "cannot be in the future" in " ".join(refused.value.message_dict[field])


def test_a_date_no_record_needs_is_refused_wherever_it_is_typed():
    from django.core.exceptions import ValidationError

    review = open_review(kind=K.LCSPR, referred_on=D(2025, 1, 1))
    review.panel_responded_on = D(1, 1, 1)
    with pytest.raises(ValidationError) as refused:
        review.full_clean()
    assert refused.value.message_dict["panel_responded_on"] == [
        "Give a date between 1900 and 2100."
    ]


def test_terms_of_reference_cannot_be_agreed_before_the_referral():
    from django.core.exceptions import ValidationError

    from reviews.models import TermsOfReference

    review = open_review(kind=K.LCSPR, referred_on=D(2025, 1, 1))
    terms = TermsOfReference(
        review=review,
        version=1,
        scope_from=D(2024, 1, 1),
        scope_to=D(2024, 12, 1),
        lines_of_enquiry="How agencies shared information.",
        agreed_on=D(2024, 12, 1),
        agreed_by="Case Review Panel",
    )
    with pytest.raises(ValidationError) as refused:
        terms.full_clean(exclude=["recorded_by"])
    assert "cannot be before the referral" in " ".join(refused.value.message_dict["agreed_on"])
