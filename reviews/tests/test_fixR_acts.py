"""Acts that stand once the review has moved on, dates in the order they can happen, and the
sections a kind of review has (the tester's defects 1 to 9 of fixR): a publication, or the
reason for not publishing, is corrected but never emptied or swapped once the review moved on
them, and has one entry on the timeline; clock pauses come one after another; a review's people,
agencies, processes and terms of reference are dated no earlier than the case; a kind with no
report or no reviewer takes neither; a closed review's clocks are not held; and a history never
says "the the"."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from reviews import casefile, services
from reviews.history import review_history
from reviews.models import (
    ClockPause,
    ParallelProcess,
    Review,
    ReviewAct,
    ReviewAgency,
    ReviewClock,
    TermsOfReference,
)
from reviews.tests.factories import at_decision, open_review, panel_reviewed
from sscb.tests.factories import AgencyFactory, UserFactory
from sscb.tests.posting import from_page

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


def _text(response) -> str:
    """The page's words as a reader reads them, without its tags."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _move(review, stage, on, by):
    services.review_move(review=review, to_stage=stage, by=by, on=on)
    review.refresh_from_db()


def _published_scr(by):
    """An SCR of 2016 published on 10 April 2017 and moved on to its action plan, as the demo's
    SCR-2016-001 is."""
    scr = open_review(
        by=by,
        kind=K.SCR,
        referred_on=D(2016, 9, 12),
        incident_known_on=D(2016, 9, 5),
        notified_on=D(2016, 9, 9),
    )
    at_decision(scr, by, on=D(2016, 9, 20))
    services.review_record_decision(
        review=scr,
        by=by,
        decision=DECISION.INITIATE,
        decided_on=D(2016, 10, 4),
        decision_reasons="Criteria met.",
    )
    scr.refresh_from_db()
    Review.objects.filter(pk=scr.pk).update(
        stage=S.BOARD_SIGNOFF, completed_on=D(2017, 3, 20)
    )  # signed off on 20 March 2017, as the old papers say
    scr.refresh_from_db()
    _publish(scr, by, D(2017, 4, 10))
    _move(scr, S.PUBLISHED, D(2017, 4, 10), by)
    _move(scr, S.ACTION_PLAN, D(2017, 4, 20), by)
    return scr


def _publish(review, by, on, where="Partnership website, case reviews page"):
    services.review_record_publication(
        review=review,
        by=by,
        published_on=on,
        published_where=where,
        board_response="The Board accepts all seven recommendations.",
    )
    review.refresh_from_db()


def _lcspr(by, decided_on=D(2026, 6, 30), **fields):
    return open_review(
        by=by,
        kind=K.LCSPR,
        referred_on=decided_on,
        decision=DECISION.INITIATE,
        decided_on=decided_on,
        decision_reasons="The rapid review recommended it.",
        **fields,
    )


def _not_published_lcspr(by):
    """An LCSPR whose full report went to the Panel on 25 November 2026 and that moved on to its
    action plan without publication on 1 December 2026, the Board's reason recorded."""
    review = _lcspr(by)
    Review.objects.filter(pk=review.pk).update(stage=S.BOARD_SIGNOFF, completed_on=D(2026, 11, 20))
    review.refresh_from_db()
    services.review_plan_final_report(
        review=review, by=by, planned_publication_on=None, final_report_sent_on=D(2026, 11, 25)
    )
    services.review_record_publication(
        review=review, by=by, not_published_reason="A criminal trial is pending."
    )
    review.refresh_from_db()
    _move(review, S.ACTION_PLAN, D(2026, 12, 1), by)
    return review


def _post_publication(client, review, **fields):
    data = {"published_on": "", "published_where": "", "board_response": ""}
    data |= {"not_published_reason": ""} | fields
    return client.post(reverse("reviews:section", args=[review.uuid, "publication"]), data)


# 1. A publication, or the reason for not publishing, stands once the review moved on --------


def test_a_published_reviews_publication_is_corrected_never_emptied_or_swapped(client, bu_user):
    scr = _published_scr(bu_user)
    client.force_login(bu_user)

    emptied = _post_publication(client, scr)
    assert emptied.status_code == 200
    assert (
        f"{scr.reference} moved to “Published” on 10 April 2017: its publication stays recorded."
        in _body(emptied)
    )
    swapped = _post_publication(client, scr, not_published_reason="Trial pending")
    assert "its report was published, so it has no reason for not publishing" in _body(swapped)
    scr.refresh_from_db()
    assert (scr.published_on, scr.published_where, scr.not_published_reason) == (
        D(2017, 4, 10),
        "Partnership website, case reviews page",
        "",
    )
    assert scr.board_response == "The Board accepts all seven recommendations."

    corrected = _post_publication(
        client,
        scr,
        published_on="2017-04-09",
        published_where="Partnership website",
        board_response="The Board accepts every recommendation.",
    )
    assert corrected.status_code == 302
    scr.refresh_from_db()
    assert (scr.published_on, scr.board_response) == (
        D(2017, 4, 9),
        "The Board accepts every recommendation.",
    )


def test_a_reason_for_not_publishing_that_moved_the_review_on_stays(client, bu_user):
    review = _not_published_lcspr(bu_user)
    client.force_login(bu_user)
    emptied = _post_publication(client, review)
    assert emptied.status_code == 200
    assert (
        f"{review.reference} moved from “Board sign-off and written response” to “Action plan "
        "monitoring” without publication on 1 December 2026, on the strength of the Board's "
        "reason for not publishing: the reason stays recorded." in _body(emptied)
    )
    before = _post_publication(
        client,
        review,
        published_on="2026-11-30",
        published_where="Website",
        board_response="Accepted.",
    )
    assert "a report held back is published after that day" in _body(before)
    review.refresh_from_db()
    assert (review.not_published_reason, review.published_on) == (
        "A criminal trial is pending.",
        None,
    )
    clock = review.clocks.get(kind=ReviewClock.Kind.LCSPR_PUBLICATION)
    assert clock.met_on == D(2026, 11, 25)

    # The reason is corrected; the day the report went to the Panel stays.
    _post_publication(client, review, not_published_reason="The trial is listed for 2027.")
    review.refresh_from_db()
    assert review.not_published_reason == "The trial is listed for 2027."
    with pytest.raises(ValidationError, match="stays recorded"):
        services.review_plan_final_report(
            review=review, by=bu_user, planned_publication_on=None, final_report_sent_on=None
        )

    # The trial over, the report held back is published: the publication takes the reason's
    # place, and then stays as any publication does.
    later = _post_publication(
        client,
        review,
        published_on="2026-12-02",
        published_where="Website",
        board_response="Accepted.",
    )
    assert later.status_code == 302, _body(later)
    review.refresh_from_db()
    assert (review.published_on, review.not_published_reason) == (D(2026, 12, 2), "")
    emptied = _post_publication(client, review)
    assert "the reason stays recorded" in _body(emptied)


def test_the_final_report_sent_stays_once_the_review_moved_on_even_without_its_reason(bu_user):
    """A reason emptied before this rule (as the tester did) does not reopen the six months."""
    review = _not_published_lcspr(bu_user)
    Review.objects.filter(pk=review.pk).update(not_published_reason="")
    review.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.review_plan_final_report(
            review=review, by=bu_user, planned_publication_on=None, final_report_sent_on=None
        )
    assert refused.value.message_dict["final_report_sent_on"] == [
        f"{review.reference} moved to “Action plan monitoring” on 1 December 2026, after its "
        "final report went to the Panel and the Secretary of State: that day stays recorded. "
        "Correct it rather than remove it."
    ]
    review.refresh_from_db()
    assert review.final_report_sent_on == D(2026, 11, 25)


def test_before_the_move_a_publication_may_still_be_removed_or_swapped(bu_user):
    review = _lcspr(bu_user)
    Review.objects.filter(pk=review.pk).update(
        stage=S.BOARD_SIGNOFF, completed_on=D(2026, 11, 20), final_report_sent_on=D(2026, 11, 25)
    )
    review.refresh_from_db()
    _publish(review, bu_user, D(2026, 12, 4))
    services.review_record_publication(
        review=review, by=bu_user, not_published_reason="A criminal trial is pending."
    )
    review.refresh_from_db()
    assert (review.published_on, review.not_published_reason) == (
        None,
        "A criminal trial is pending.",
    )


# 2. One entry on the timeline for the publication -------------------------------------------


def test_a_corrected_publication_date_moves_its_one_entry_on_the_timeline(client, bu_user):
    review = _lcspr(bu_user)
    Review.objects.filter(pk=review.pk).update(
        stage=S.BOARD_SIGNOFF, completed_on=D(2026, 11, 20), final_report_sent_on=D(2026, 11, 25)
    )
    review.refresh_from_db()
    _publish(review, bu_user, D(2026, 12, 3))
    _publish(review, bu_user, D(2026, 12, 4))
    acts = ReviewAct.objects.filter(review=review, kind=ReviewAct.Kind.PUBLICATION)
    assert list(acts.values_list("happened_on", flat=True)) == [D(2026, 12, 4)]
    client.force_login(bu_user)
    page = _text(client.get(reverse("reviews:detail", args=[review.uuid])))
    assert page.count("— report published") == 1
    assert "4 Dec 2026 (recorded 7 Dec 2026) — report published: Partnership website" in page

    services.review_record_publication(review=review, by=bu_user)  # removed before the move
    assert not acts.exists()


# 3. Clock pauses come one after another ------------------------------------------------------


def test_a_pause_cannot_start_before_the_clock_last_restarted(client, bu_user):
    review = _lcspr(bu_user)
    clock = review.clocks.get(kind=ReviewClock.Kind.LCSPR_PUBLICATION)
    services.clock_pause(clock=clock, by=bu_user, reason="Criminal trial", on=D(2026, 7, 1))
    clock.refresh_from_db()
    services.clock_resume(clock=clock, by=bu_user, on=D(2026, 8, 1))
    clock.refresh_from_db()
    due = clock.due_on
    client.force_login(bu_user)
    response = client.post(
        reverse("reviews:clock-pause", args=[review.uuid, clock.uuid]),
        {"reason": "Inquest", "on": "2026-07-15"},
        follow=True,
    )
    assert (
        "The day the clock was paused (15 July 2026) cannot be before the day it last "
        "restarted (1 August 2026)." in _body(response)
    )
    clock.refresh_from_db()
    assert (clock.paused_on, clock.due_on, clock.pauses.count()) == (None, due, 1)

    # From the day it restarted on, it may be paused again; not restarted before that pause.
    services.clock_pause(clock=clock, by=bu_user, reason="Inquest", on=D(2026, 8, 1))
    clock.refresh_from_db()
    response = client.post(
        reverse("reviews:clock-resume", args=[review.uuid, clock.uuid]),
        {"on": "2026-07-20"},
        follow=True,
    )
    assert (
        "The day the clock restarted (20 July 2026) cannot be before the day it was paused "
        "(1 August 2026)." in _body(response)
    )
    clock.refresh_from_db()
    assert clock.paused_on == D(2026, 8, 1)
    assert not clock.pauses.filter(resumed_on=D(2026, 7, 20)).exists()


# 4. People and agencies dated no earlier than the case ------------------------------------


def test_involvement_before_the_referral_or_an_event_before_its_invitation_is_refused(
    client, bu_user
):
    review = _lcspr(bu_user)
    client.force_login(bu_user)
    url = reverse("reviews:section", args=[review.uuid, "involvement"])
    response = client.post(
        url,
        from_page(
            client.get(url).content.decode(),
            practitioners_invited_on="2001-10-01",
            practitioner_event_on="2001-09-01",
            family_invited_on="1999-01-01",
            family_response=Review.FamilyResponse.AWAITING,
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["practitioners_invited_on"] == [
        "The date practitioners were invited (1 October 2001) cannot be before the referral "
        "(30 June 2026)."
    ]
    assert errors["practitioner_event_on"] == [
        "The date of the practitioner event (1 September 2001) cannot be before the referral "
        "(30 June 2026).",
        "The date of the practitioner event (1 September 2001) cannot be before the day "
        "practitioners were invited (1 October 2001).",
    ]
    assert errors["family_invited_on"] == [
        "The date the family was invited (1 January 1999) cannot be before the referral "
        "(30 June 2026)."
    ]
    review.refresh_from_db()
    assert (review.practitioners_invited_on, review.family_invited_on) == (None, None)

    saved = client.post(
        url,
        from_page(
            client.get(url).content.decode(),
            practitioners_invited_on="2026-10-01",
            practitioner_event_on="2026-12-14",  # planned ahead
        ),
    )
    assert saved.status_code == 302


def test_an_independence_declaration_before_the_referral_is_refused(client, bu_user):
    reviewer = UserFactory(role="independent_reviewer", username="lead")
    review = _lcspr(bu_user)
    client.force_login(bu_user)
    response = client.post(
        reverse("reviews:section", args=[review.uuid, "reviewer"]),
        {
            "lead_reviewer": reviewer.pk,
            "independence_declared_on": "2001-01-01",
            "independence_statement": "Independent of the case.",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["independence_declared_on"] == [
        "The date of the independence declaration (1 January 2001) cannot be before the "
        "referral (30 June 2026)."
    ]
    review.refresh_from_db()
    assert review.lead_reviewer is None


def _agencies_data(review, **row):
    return {
        "agencies-TOTAL_FORMS": "1",
        "agencies-INITIAL_FORMS": "0",
        "agencies-MIN_NUM_FORMS": "0",
        "agencies-MAX_NUM_FORMS": "1000",
        **{f"agencies-0-{name}": value for name, value in row.items()},
    }


def test_an_agencys_requests_before_the_referral_are_refused(client, bu_user):
    review = _lcspr(bu_user)
    police = AgencyFactory(name="West Mercia Police")
    client.force_login(bu_user)
    url = reverse("reviews:formset", args=[review.uuid, "agencies"])
    response = client.post(
        url,
        _agencies_data(
            review,
            agency=police.pk,
            chronology_requested_on="2019-01-01",
            report_requested_on="2010-01-01",
        ),
    )
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert errors["chronology_requested_on"] == [
        "The date the chronology was asked for (1 January 2019) cannot be before the referral "
        "(30 June 2026)."
    ]
    assert errors["report_requested_on"] == [
        "The date the report was asked for (1 January 2010) cannot be before the referral "
        "(30 June 2026)."
    ]
    assert not ReviewAgency.objects.filter(review=review).exists()


def test_requests_a_follow_on_carries_from_its_rapid_review_still_save(client, bu_user):
    """An LCSPR is referred on its rapid review's decision, and carries on what the rapid review
    asked of its agencies before then: those rows are not refused when the LCSPR's agencies
    are saved."""
    rapid = open_review(
        by=bu_user,
        kind=K.RAPID_REVIEW,
        referred_on=D(2026, 11, 2),
        incident_known_on=D(2026, 10, 29),
        notified_on=D(2026, 10, 30),
    )
    police = AgencyFactory(name="West Mercia Police")
    ReviewAgency.objects.create(review=rapid, agency=police, chronology_requested_on=D(2026, 11, 3))
    at_decision(rapid, bu_user, on=D(2026, 11, 5))
    services.review_record_decision(
        review=rapid,
        by=bu_user,
        decision=DECISION.INITIATE,
        decided_on=D(2026, 11, 20),
        decision_reasons="The criteria are met.",
    )
    lcspr = rapid.follow_on_reviews.get()
    carried = lcspr.agencies.get()
    assert carried.chronology_requested_on == D(2026, 11, 3)
    client.force_login(bu_user)
    url = reverse("reviews:formset", args=[lcspr.uuid, "agencies"])
    data = from_page(client.get(url).content.decode(), **{"agencies-0-notes": "Carried on."})
    assert client.post(url, data).status_code == 302
    carried.refresh_from_db()
    assert (carried.notes, carried.chronology_requested_on) == ("Carried on.", D(2026, 11, 3))


# 5. A parallel process has ended only on a day that has come -------------------------------


def _processes_data(**row):
    return {
        "parallel_processes-TOTAL_FORMS": "1",
        "parallel_processes-INITIAL_FORMS": "0",
        "parallel_processes-MIN_NUM_FORMS": "0",
        "parallel_processes-MAX_NUM_FORMS": "1000",
        **{f"parallel_processes-0-{name}": value for name, value in row.items()},
    }


def test_a_process_not_holding_the_clocks_cannot_end_in_the_future(client, bu_user):
    review = _lcspr(bu_user)
    client.force_login(bu_user)
    url = reverse("reviews:formset", args=[review.uuid, "processes"])
    response = client.post(
        url, _processes_data(kind="coroner", started_on="2027-01-01", ended_on="2027-02-01")
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["ended_on"] == [
        "The day it ended (1 February 2027) cannot be in the future: today is 7 December 2026. "
        "Give the day it ended once it has ended."
    ]
    assert not ParallelProcess.objects.filter(review=review).exists()
    # An inquest listed ahead of its start is recorded; it ends when it has ended.
    response = client.post(url, _processes_data(kind="coroner", started_on="2027-01-01"))
    assert response.status_code == 302
    assert ParallelProcess.objects.get(review=review).started_on == D(2027, 1, 1)


# 6. Terms of reference ----------------------------------------------------------------------


def _terms(review, by, **fields):
    values = {
        "scope_from": D(2025, 7, 1),
        "scope_to": D(2026, 6, 30),
        "lines_of_enquiry": "How did agencies share what they knew?",
        "agreed_by": "Case Review Panel",
        "agreed_on": D(2026, 12, 7),
    } | fields
    return casefile.terms_of_reference_add(review=review, by=by, **values)


def test_a_new_version_of_the_terms_is_agreed_no_earlier_than_the_one_before(client, bu_user):
    review = _lcspr(bu_user)
    _terms(review, bu_user)
    client.force_login(bu_user)
    url = reverse("reviews:terms", args=[review.uuid])
    response = client.post(
        url,
        {
            "scope_from": "2025-07-01",
            "scope_to": "2026-06-30",
            "lines_of_enquiry": "How did agencies share what they knew?",
            "agreed_by": "Case Review Panel",
            "agreed_on": "2026-07-01",
        },
    )
    assert response.status_code == 200
    assert (
        "The day they were agreed (1 July 2026) cannot be before the day version 1 was agreed "
        "(7 December 2026)." in _body(response)
    )
    assert TermsOfReference.objects.filter(review=review).count() == 1
    # Agreed the same day as the version before, it is saved.
    _terms(review, bu_user, lines_of_enquiry="Was Child A seen and heard?")
    assert TermsOfReference.objects.filter(review=review).count() == 2


def test_the_scope_of_the_terms_cannot_end_after_today(bu_user):
    review = _lcspr(bu_user)
    with pytest.raises(ValidationError) as refused:
        _terms(review, bu_user, scope_to=D(2030, 6, 30))
    assert refused.value.message_dict["scope_to"] == [
        "The end of the scope period (30 June 2030) cannot be in the future: today is "
        "7 December 2026."
    ]
    assert not TermsOfReference.objects.filter(review=review).exists()


# 7. A kind of review takes only the sections it has ---------------------------------------


def _rapid_review(by, **fields):
    return open_review(
        by=by,
        kind=K.RAPID_REVIEW,
        referred_on=D(2026, 11, 2),
        incident_known_on=D(2026, 10, 29),
        notified_on=D(2026, 10, 30),
        **fields,
    )


def test_a_rapid_review_offers_and_takes_no_publication(client, bu_user):
    rapid = _rapid_review(bu_user)
    client.force_login(bu_user)
    page = _body(client.get(reverse("reviews:detail", args=[rapid.uuid])))
    publication = reverse("reviews:section", args=[rapid.uuid, "publication"])
    assert publication not in page and 'id="publication-heading"' not in page
    assert reverse("reviews:section", args=[rapid.uuid, "reviewer"]) not in page
    posted = _post_publication(client, rapid, not_published_reason="Not to be published.")
    for response in (client.get(publication), posted):
        assert response.status_code == 302
    said = _body(client.get(reverse("reviews:detail", args=[rapid.uuid])))
    assert "A rapid review has no report for the Board to sign off and publish" in said
    assert "move the review to" not in said
    rapid.refresh_from_db()
    assert rapid.not_published_reason == ""


@pytest.mark.parametrize("kind", [K.CHILD_DEATH, K.NATIONAL])
def test_a_closed_review_with_no_report_takes_no_publication(client, bu_user, kind):
    review = open_review(by=bu_user, kind=kind, referred_on=D(2026, 9, 1))
    _move(review, S.ANALYSIS, D(2026, 9, 2), bu_user)
    if kind == K.CHILD_DEATH:
        panel_reviewed(review, on=D(2026, 10, 1))
    _move(review, S.CLOSED, D(2026, 10, 5), bu_user)
    client.force_login(bu_user)
    response = _post_publication(
        client,
        review,
        published_on="2026-11-01",
        published_where="Website",
        board_response="The Board accepts it.",
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.published_on, review.board_response) == (None, "")
    with pytest.raises(ValidationError, match="has no report for the Board to sign off"):
        services.review_record_publication(
            review=review,
            by=bu_user,
            published_on=D(2026, 11, 1),
            published_where="Website",
            board_response="The Board accepts it.",
        )
    assert not ReviewAct.objects.filter(review=review, kind=ReviewAct.Kind.PUBLICATION).exists()


def test_a_kind_with_no_reviewer_takes_no_lead_reviewer(client, bu_user):
    reviewer = UserFactory(role="independent_reviewer", username="lead")
    death = open_review(by=bu_user, kind=K.CHILD_DEATH, referred_on=D(2026, 9, 1))
    rapid = _rapid_review(bu_user, is_restricted=True)
    Review.objects.filter(pk=rapid.pk).update(stage=S.CLOSED, closed_on=D(2026, 11, 30))
    client.force_login(bu_user)
    for review in (death, rapid):
        response = client.post(
            reverse("reviews:section", args=[review.uuid, "reviewer"]),
            {"lead_reviewer": reviewer.pk},
        )
        assert response.status_code == 302
        review.refresh_from_db()
        assert review.lead_reviewer is None
    with pytest.raises(ValidationError, match="has no independent lead reviewer"):
        services.review_appoint_reviewer(review=rapid, by=bu_user, lead_reviewer=reviewer)
    client.force_login(reviewer)
    assert client.get(reverse("reviews:detail", args=[rapid.uuid])).status_code == 404


# 8. A closed review's clocks are not held; a met clock is never paused ---------------------


def _closed_scr_not_initiated(by):
    """As the demo's SCR-2017-001: not initiated, the national panel told, closed."""
    scr = open_review(by=by, kind=K.SCR, referred_on=D(2017, 11, 6), notified_on=D(2017, 11, 6))
    at_decision(scr, by, on=D(2017, 11, 13))
    services.review_record_decision(
        review=scr,
        by=by,
        decision=DECISION.NOT_INITIATE,
        decided_on=D(2017, 11, 28),
        decision_reasons="No serious harm.",
        alternative_route=Review.AlternativeRoute.DEEP_DIVE,
        national_panel_told_on=D(2017, 12, 5),
    )
    scr.refresh_from_db()
    _move(scr, S.CLOSED, D(2017, 12, 8), by)
    return scr


def test_no_process_can_start_holding_a_closed_reviews_clocks(client, bu_user):
    scr = _closed_scr_not_initiated(bu_user)
    before = list(scr.clocks.values_list("kind", "due_on", "paused_on", "met_on"))
    client.force_login(bu_user)
    url = reverse("reviews:formset", args=[scr.uuid, "processes"])
    response = client.post(
        url, _processes_data(kind="criminal", started_on="2017-11-01", holds_clock="on")
    )
    assert response.status_code == 200
    assert (
        f"{scr.reference} closed on 8 December 2017: its clocks no longer run, so no parallel "
        "process can start or stop holding them now" in _body(response)
    )
    assert not ParallelProcess.objects.filter(review=scr).exists()
    assert not ClockPause.objects.filter(clock__review=scr).exists()
    assert list(scr.clocks.values_list("kind", "due_on", "paused_on", "met_on")) == before

    # Recorded without holding the clocks, it is saved and holds nothing.
    response = client.post(url, _processes_data(kind="criminal", started_on="2017-11-01"))
    assert response.status_code == 302
    assert ParallelProcess.objects.filter(review=scr).count() == 1
    assert not ClockPause.objects.filter(clock__review=scr).exists()


def test_a_hold_ends_the_day_its_clock_was_met(client, bu_user):
    """A process still running holds a clock until the clock is met, never past it: a met clock
    is not paused and has no pause still running."""
    scr = open_review(
        by=bu_user, kind=K.SCR, referred_on=D(2017, 11, 6), notified_on=D(2017, 11, 6)
    )
    at_decision(scr, bu_user, on=D(2017, 11, 13))
    services.review_record_decision(
        review=scr,
        by=bu_user,
        decision=DECISION.INITIATE,
        decided_on=D(2017, 11, 28),
        decision_reasons="Criteria met.",
    )
    ParallelProcess.objects.create(
        review=scr, kind="criminal", started_on=D(2017, 11, 1), holds_clock=True
    )
    services.review_clocks_sync(review=scr)
    decision = scr.clocks.get(kind=ReviewClock.Kind.SCR_DECISION)
    completion = scr.clocks.get(kind=ReviewClock.Kind.SCR_COMPLETION)
    assert (decision.met_on, decision.paused_on) == (D(2017, 11, 28), None)
    assert list(decision.pauses.values_list("paused_on", "resumed_on")) == [
        (D(2017, 11, 6), D(2017, 11, 28))
    ]
    assert completion.paused_on == D(2017, 11, 28)  # still running: held
    client.force_login(bu_user)
    page = _text(client.get(reverse("reviews:detail", args=[scr.uuid])))
    assert (
        "28 Nov 2017 — clock “Decide whether to initiate an SCR” met while Police "
        "investigation / CPS / criminal trial held it" in page
    )


# 9. A history never says "the the" ----------------------------------------------------------


def test_a_history_names_the_boards_response_once(bu_user):
    scr = _published_scr(bu_user)
    _publish(scr, bu_user, D(2017, 4, 10))
    services.review_record_publication(
        review=scr,
        by=bu_user,
        published_on=D(2017, 4, 10),
        published_where="Partnership website, case reviews page",
        board_response="The Board accepts every recommendation and reports on them yearly.",
    )
    said = [
        str(change)
        for _version, changes in review_history(bu_user, scr, reads_case_file=True)
        for change in changes
    ]
    assert "changed the Board's written response" in said
    assert not [words for words in said if "the the" in words]
    # A history says only that text changed ("changed the ..."): no text is named with "the".
    doubled = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("reviews").get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField) and str(field.verbose_name).startswith("the ")
    ]
    assert doubled == []
