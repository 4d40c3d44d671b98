"""The review pages as each kind of person uses them."""

import datetime
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Review, ReviewAgency
from reviews.tests.factories import (
    ReviewAgencyFactory,
    ReviewFactory,
    at_decision,
    open_review,
)
from sscb.tests.factories import AgencyFactory, SubGroupFactory

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2025, 11, 6)


def _body(response):
    """The page's text as a reader sees it: entities decoded, whitespace collapsed."""
    return " ".join(unescape(response.content.decode()).split())


@pytest.fixture
def review(crp, bu_user):
    return open_review(
        by=bu_user,
        kind=Review.Kind.RAPID_REVIEW,
        subgroup=crp,
        title="Serious injury to a baby",
        pseudonym="Baby C",
        referred_on=D(2025, 10, 20),
        incident_known_on=D(2025, 10, 16),
        notified_on=D(2025, 10, 20),
    )


@pytest.fixture
def lcspr(crp, bu_user):
    """An LCSPR decided on 6 January 2025: its six months to publication can be paused."""
    return open_review(
        by=bu_user,
        kind=Review.Kind.LCSPR,
        subgroup=crp,
        referred_on=D(2025, 1, 6),
        decision=Review.Decision.INITIATE,
        decided_on=D(2025, 1, 6),
        decision_reasons="Rapid review recommended it.",
    )


def _urls(review):
    return [
        reverse("reviews:list"),
        reverse("reviews:create"),
        reverse("reviews:detail", args=[review.uuid]),
        reverse("reviews:section", args=[review.uuid, "decision"]),
        reverse("reviews:formset", args=[review.uuid, "agencies"]),
    ]


def test_anonymous_people_are_sent_to_sign_in(client, review):
    for url in _urls(review):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(reverse("reviews:move", args=[review.uuid]), {"to_stage": "closed"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.stage == Review.Stage.REFERRAL


@pytest.mark.parametrize("role", ["executive", "agency_lead"])
def test_readers_see_reviews_but_cannot_change_them(client, users_by_role, review, role):
    ReviewAgencyFactory(review=review, agency=users_by_role["agency_lead"].agency)
    client.force_login(users_by_role[role])
    assert client.get(reverse("reviews:list")).status_code == 200
    detail = client.get(reverse("reviews:detail", args=[review.uuid]))
    assert detail.status_code == 200
    assert "Move to" not in _body(detail)
    assert client.get(reverse("reviews:create")).status_code == 403
    assert client.get(reverse("reviews:section", args=[review.uuid, "decision"])).status_code == 403
    response = client.post(
        reverse("reviews:move", args=[review.uuid]), {"to_stage": "rapid_review"}
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.stage == Review.Stage.REFERRAL


def test_the_reviewer_sees_only_the_review_they_lead(client, reviewer_user, review, crp):
    led = ReviewFactory(subgroup=crp, lead_reviewer=reviewer_user, title="The one I lead")
    client.force_login(reviewer_user)
    body = _body(client.get(reverse("reviews:list")))
    assert "The one I lead" in body and "Serious injury to a baby" not in body
    assert client.get(reverse("reviews:detail", args=[review.uuid])).status_code == 404
    assert client.get(reverse("reviews:detail", args=[led.uuid])).status_code == 200


def test_restricted_review_is_404_for_someone_off_the_panel(client, executive_user, crp):
    restricted = ReviewFactory(subgroup=crp, is_restricted=True, title="Restricted matter")
    client.force_login(executive_user)
    assert client.get(reverse("reviews:detail", args=[restricted.uuid])).status_code == 404
    assert "Restricted matter" not in _body(client.get(reverse("reviews:list")))


def test_a_sub_group_member_opens_a_review(client, crp_member, crp):
    client.force_login(crp_member)
    form = client.get(reverse("reviews:create"))
    assert form.status_code == 200
    response = client.post(
        reverse("reviews:create"),
        {
            "kind": "scr",
            "title": "Death of a toddler",
            "pseudonym": "Child Z",
            "subgroup": crp.pk,
            "referred_on": "2017-06-02",
            "notified_on": "2017-06-02",
        },
    )
    review = Review.objects.get(title="Death of a toddler")
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:detail", args=[review.uuid])
    assert review.reference == "SCR-2017-001"
    assert review.clocks.get().kind == "scr_decision"


def test_an_empty_review_form_names_each_field_it_needs_above_the_form(client, crp_member):
    client.force_login(crp_member)
    page = _body(client.post(reverse("reviews:create"), {"kind": "", "title": ""}))
    summary = page.split('data-testid="error-summary"', 1)[1].split("</div>", 1)[0]
    for label in ("Kind", "Title", "Responsible sub-group"):
        assert f"{label}: " in summary, label


def test_an_scr_referred_after_2019_needs_the_reason_it_is_recorded(client, crp_member, crp):
    client.force_login(crp_member)
    fields = {"kind": "scr", "title": "Late SCR", "subgroup": crp.pk, "referred_on": "2025-06-02"}
    page = client.post(reverse("reviews:create"), fields).content.decode()
    assert Review.objects.count() == 0
    assert "29 September 2019" in page and "open a Rapid Review instead" in page
    reason = "Entered from the LSCB's papers; the referral date is the day the file was found."
    response = client.post(reverse("reviews:create"), fields | {"regime_reason": reason})
    assert response.status_code == 302
    assert Review.objects.get().regime_reason == reason


def test_bad_input_changes_nothing_and_says_why(client, crp_member, crp):
    client.force_login(crp_member)
    other = SubGroupFactory(code="cdop")
    response = client.post(
        reverse("reviews:create"),
        {"kind": "scr", "title": "", "subgroup": other.pk, "referred_on": "2025-06-02"},
    )
    assert response.status_code == 200
    assert Review.objects.count() == 0
    assert "This field is required." in _body(response)
    assert "Choose one of the options shown." in _body(response)  # not their sub-group


def test_the_detail_page_tells_the_whole_story(client, crp_member, review):
    client.force_login(crp_member)
    with time_machine.travel(TODAY, tick=False):
        body = _body(client.get(reverse("reviews:detail", args=[review.uuid])))
    assert "RR-2025-001" in body and "Baby C" in body
    assert "Send the rapid review to the national Panel" in body
    assert "10 Nov 2025" in body  # 15 working days from 20 Oct
    # Thursday 6 to Monday 10 November: 4 days, 2 of them working days.
    assert "Due soon" in body and "2 working days left" in body
    assert "opened at “Referral”" in body
    assert "Move to “Rapid review”" in body


def test_recording_the_decision_shows_the_criteria_explanation(client, crp_member, crp, bu_user):
    scr = at_decision(open_review(by=bu_user, kind="scr", subgroup=crp, referred_on=D(2025, 3, 3)))
    client.force_login(crp_member)
    response = client.post(
        reverse("reviews:section", args=[scr.uuid, "decision"]),
        {
            "abuse_or_neglect": "on",
            "child_died": "on",
            "decision": "initiate",
            "decided_on": "2025-03-20",
            "decision_reasons": "Criteria met.",
        },
    )
    assert response.status_code == 302
    body = _body(client.get(reverse("reviews:detail", args=[scr.uuid])))
    assert (
        "Criteria met because abuse or neglect is known or suspected and the child died (after "
        "a death, regulation 5(2)(b)(i) does not ask for concern about how agencies worked "
        "together)." in body
    )
    assert "Initiate the review on 20 Mar 2025" in body
    # The rule and its source, and where the Board's Framework reads differently.
    assert "So the concern about working together belongs to serious harm only." in body
    assert "Regulation 5(1)(e) and (2) of the Local Safeguarding Children Boards" in body
    assert "Read that way, a death would need the concern too." in body


def test_a_decision_without_reasons_is_refused_in_plain_words(client, crp_member, review):
    at_decision(review)
    client.force_login(crp_member)
    response = client.post(
        reverse("reviews:section", args=[review.uuid, "decision"]),
        {"decision": "initiate", "decided_on": "2025-10-30"},
    )
    assert response.status_code == 200
    assert "Give the reasons for the decision." in _body(response)
    review.refresh_from_db()
    assert review.decision == "pending"


def test_a_refused_move_is_explained(client, crp_member, crp, bu_user, reviewer_user):
    lcspr = open_review(by=bu_user, kind="lcspr", subgroup=crp)
    Review.objects.filter(pk=lcspr.pk).update(
        stage="reviewer_appointed", lead_reviewer=reviewer_user
    )
    client.force_login(crp_member)
    response = client.post(
        reverse("reviews:move", args=[lcspr.uuid]), {"to_stage": "chronologies"}, follow=True
    )
    assert "cannot move past 'reviewer appointed' until the lead reviewer has declared" in _body(
        response
    )
    lcspr.refresh_from_db()
    assert lcspr.stage == "reviewer_appointed"


def test_an_allowed_move_is_recorded_on_the_timeline(client, crp_member, review):
    client.force_login(crp_member)
    response = client.post(
        reverse("reviews:move", args=[review.uuid]),
        {"to_stage": "rapid_review", "note": "Panel met today"},
        follow=True,
    )
    body = _body(response)
    assert "Moved to 'Rapid review'." in body
    assert "moved from “Referral” to “Rapid review” by" in body and "Panel met today" in body


def test_pause_and_resume_from_the_page(client, crp_member, lcspr):
    clock = lcspr.clocks.get(kind="lcspr_publication")
    assert clock.due_on == D(2025, 7, 6)
    client.force_login(crp_member)
    url = reverse("reviews:clock-pause", args=[lcspr.uuid, clock.uuid])
    body = _body(client.post(url, {"reason": "Inquest opened", "on": "2025-03-03"}, follow=True))
    assert "Clock paused" in body and "paused by" in body and "Inquest opened" in body
    url = reverse("reviews:clock-resume", args=[lcspr.uuid, clock.uuid])
    client.post(url, {"on": "2025-03-10"})
    clock.refresh_from_db()
    assert clock.paused_days == 7 and clock.due_on == D(2025, 7, 13)


def test_agencies_are_recorded_with_their_dates(client, crp_member, review):
    police = AgencyFactory(name="West Mercia Police", short_name="Police")
    client.force_login(crp_member)
    url = reverse("reviews:formset", args=[review.uuid, "agencies"])
    prefix = "agencies"
    data = {
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-agency": police.pk,
        f"{prefix}-0-chronology_requested_on": "2025-10-21",
    }
    assert client.post(url, data).status_code == 302
    assert ReviewAgency.objects.get(review=review).chronology_requested_on == D(2025, 10, 21)
    # Received without requested: refused, nothing saved.
    data[f"{prefix}-0-chronology_requested_on"] = ""
    data[f"{prefix}-0-chronology_received_on"] = "2025-10-25"
    data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Give the date the chronology was asked for" in _body(response)
    # Arrived before it was asked for, or on a day that has not come: refused in words.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for requested, received, said in (
        ("2025-10-21", "2025-02-09", "cannot be before the date it was asked for"),
        ("2025-10-21", tomorrow.isoformat(), "cannot be in the future"),
        ("2025-10-21", "9999-12-31", "Give a date between 1900 and 2100."),
    ):
        data[f"{prefix}-0-chronology_requested_on"] = requested
        data[f"{prefix}-0-chronology_received_on"] = received
        response = client.post(url, data)
        assert response.status_code == 200 and said in _body(response)
    assert ReviewAgency.objects.get(review=review).chronology_received_on is None


def test_a_clock_refuses_a_pause_or_restart_on_a_day_that_has_not_come(client, crp_member, lcspr):
    review = lcspr
    clock = review.clocks.get(kind="lcspr_publication")
    client.force_login(crp_member)
    pause = reverse("reviews:clock-pause", args=[review.uuid, clock.uuid])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for data, said in (
        ({"reason": "Inquest opened", "on": tomorrow.isoformat()}, "cannot be in the future"),
        ({"reason": "Inquest opened", "on": "2026-02-30"}, "Give the day the clock is paused"),
        ({"reason": "Inquest opened", "on": "0001-01-01"}, "Give a date between 1900 and 2100."),
        ({"reason": "", "on": "2025-10-27"}, "Say why the clock is paused."),
    ):
        assert said in _body(client.post(pause, data, follow=True))
    clock.refresh_from_db()
    assert not clock.is_paused
    client.post(pause, {"reason": "Inquest opened", "on": "2025-10-27"})
    resume = reverse("reviews:clock-resume", args=[review.uuid, clock.uuid])
    body = _body(client.post(resume, {"on": tomorrow.isoformat()}, follow=True))
    assert "cannot be in the future" in body
    clock.refresh_from_db()
    assert clock.is_paused


def test_list_filters(client, bu_user, crp, review):
    late = open_review(
        by=bu_user, kind="lcspr", subgroup=crp, title="Late LCSPR", referred_on=D(2024, 1, 5)
    )
    services.review_record_decision(
        review=late,
        by=bu_user,
        decision="initiate",
        decided_on=D(2024, 1, 5),
        decision_reasons="Rapid review said so.",
    )
    ReviewFactory(subgroup=crp, title="Excellent practice", referred_on=D(2023, 6, 1))
    client.force_login(bu_user)
    url = reverse("reviews:list")

    def titles(**params):
        with time_machine.travel(TODAY, tick=False):
            body = _body(client.get(url, params))
        return {t for t in ("Serious injury", "Late LCSPR", "Excellent practice") if t in body}

    assert titles() == {"Serious injury", "Late LCSPR", "Excellent practice"}
    assert titles(kind="lcspr") == {"Late LCSPR"}
    assert titles(clock="red") == {"Late LCSPR"}
    assert titles(clock="amber") == {"Serious injury"}
    assert titles(clock="none") == {"Excellent practice"}
    assert titles(financial_year="2023") == {"Late LCSPR", "Excellent practice"}
    assert titles(q="baby c") == {"Serious injury"}
    assert titles(stage="scoping") == {"Late LCSPR"}
    with time_machine.travel(TODAY, tick=False):
        body = _body(client.get(url, {"q": "nothing like this"}))
    assert "No review matches these filters." in body


def test_empty_register_says_what_to_do(client, crp_member):
    client.force_login(crp_member)
    body = _body(client.get(reverse("reviews:list")))
    assert "There are no reviews here yet." in body and "Open a review" in body


def test_home_page_shows_clocks_at_risk_and_decisions_waiting(
    client, crp_member, review, bu_user, crp
):
    waiting = open_review(by=bu_user, kind="learning_review", subgroup=crp, title="Waiting one")
    services.review_move(review=waiting, to_stage="decision", by=bu_user)
    client.force_login(crp_member)
    with time_machine.travel(TODAY, tick=False):
        body = _body(client.get(reverse("home")))
    assert "RR-2025-001: Send the rapid review to the national Panel — due soon" in body
    assert f"{waiting.reference} is waiting for a decision" in body


def test_home_page_keeps_a_persons_items_until_a_record_changes(
    client, crp_member, make_user, bu_user, crp
):
    """What needs attention is kept for its person and day (sscb.attention): asked again, the
    page says the same in fewer queries; another person, another day or a save makes it afresh."""
    from django.test import Client

    from sscb.models import SubGroupMembership
    from sscb.tests.factories import SubGroupMembershipFactory
    from sscb.tests.kept import made_then_kept, main_of

    waiting = open_review(by=bu_user, kind="learning_review", subgroup=crp, title="Waiting one")
    services.review_move(review=waiting, to_stage="decision", by=bu_user)
    line = f"{waiting.reference} is waiting for a decision"
    outsider = make_user(role="subgroup_member", username="outsider")
    SubGroupMembershipFactory(subgroup=SubGroupFactory(), user=outsider)
    url = reverse("home")
    late = datetime.datetime(2025, 11, 6, 23, 59, 30, tzinfo=datetime.UTC)  # London is on UTC

    other = Client()  # signed in first: a sign-in saves the person, a record
    other.force_login(outsider)
    client.force_login(crp_member)
    with time_machine.travel(late, tick=False):
        main_of(other, url)
        made, afresh, kept = made_then_kept(client, url)
        assert line in made and kept < afresh
        assert line not in main_of(other, url)[0]  # what was kept for crp_member is theirs alone
    with time_machine.travel(late + datetime.timedelta(seconds=40), tick=False):
        assert main_of(client, url)[1] == afresh  # the next day
        SubGroupMembership.objects.filter(user=crp_member).delete()  # who sees what is a record
        assert line not in main_of(client, url)[0]


def test_home_page_shows_the_most_urgent_clocks_and_counts_the_rest(
    client, crp_member, bu_user, crp
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.models import ReviewClock
    from sscb import figures_cache
    from sscb.attention import SHOWN_OF_EACH_KIND

    def late_reviews(count):
        for n in range(count):
            open_review(
                by=bu_user,
                kind=Review.Kind.RAPID_REVIEW,
                subgroup=crp,
                title=f"Late {n}",
                referred_on=D(2025, 9, 1),
                incident_known_on=D(2025, 8, 28),
                notified_on=D(2025, 9, 1),
            )

    def home():
        figures_cache.bump()  # the page made afresh each time, not what was kept for it
        with time_machine.travel(TODAY, tick=False), CaptureQueriesContext(connection) as sql:
            response = client.get(reverse("home"))
        return response.content.decode(), len(sql.captured_queries)

    client.force_login(crp_member)
    late_reviews(1)
    home()  # the first request after signing in saves the session
    _, few_queries = home()
    late_reviews(11)
    with time_machine.travel(TODAY, tick=False):
        red = sum(clock.state == "red" for clock in ReviewClock.objects.all())
    assert red > SHOWN_OF_EACH_KIND
    html, many_queries = home()
    body = " ".join(unescape(html).split())
    assert body.count("— past due") == SHOWN_OF_EACH_KIND
    assert f"{red - SHOWN_OF_EACH_KIND} more clocks past due" in body
    assert 'href="/reviews/?clock=red"' in html
    assert many_queries == few_queries


def test_reviewer_home_page_shows_their_review(client, reviewer_user, crp):
    ReviewFactory(subgroup=crp, lead_reviewer=reviewer_user, title="The one I lead")
    client.force_login(reviewer_user)
    body = _body(client.get(reverse("home")))
    assert (
        "The review you lead" in body and "independence declaration has not been recorded" in body
    )


def test_reviewer_home_says_the_draft_and_a_deadline_are_waiting(
    client, bu_user, reviewer_user, crp, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reviews import casefile

    settings.MEDIA_ROOT = tmp_path
    review = open_review(
        by=bu_user,
        kind=Review.Kind.RAPID_REVIEW,
        subgroup=crp,
        title="Late one",
        referred_on=D(2025, 9, 1),
        incident_known_on=D(2025, 8, 28),
        notified_on=D(2025, 9, 1),
    )
    Review.objects.filter(pk=review.pk).update(
        lead_reviewer=reviewer_user, stage=Review.Stage.ANALYSIS
    )
    client.force_login(reviewer_user)
    body = _body(client.get(reverse("home")))
    assert "your draft report has not been uploaded" in body
    assert "a statutory deadline has passed" in body
    review.refresh_from_db()
    casefile.document_add(
        review=review,
        by=reviewer_user,
        kind="draft_report",
        title="Draft 1",
        file=SimpleUploadedFile("draft.txt", b"Draft."),
    )
    assert "your draft report" not in _body(client.get(reverse("home")))


def _populate(n, crp, bu_user, reviewer_user):
    police = AgencyFactory(name="West Mercia Police", short_name="Police")
    for i in range(n):
        review = open_review(
            by=bu_user,
            kind=Review.Kind.SCR if i % 2 else Review.Kind.RAPID_REVIEW,
            subgroup=crp,
            title=f"Review {i}",
            referred_on=D(2025, 9, 1),
            incident_known_on=D(2025, 8, 28),
            notified_on=D(2025, 9, 1),
            is_restricted=bool(i % 3 == 0),
            panel_members=[bu_user],
        )
        Review.objects.filter(pk=review.pk).update(lead_reviewer=reviewer_user)
        ReviewAgency.objects.create(review=review, agency=AgencyFactory(), notes=f"{i}")
        ReviewAgency.objects.get_or_create(review=review, agency=police)
    return review


@pytest.mark.parametrize("who", ["bu_user", "crp_member"])
def test_list_runs_the_same_queries_for_2_or_50_reviews(
    request, client, crp, bu_user, reviewer_user, count_queries, django_assert_max_num_queries, who
):
    client.force_login(request.getfixturevalue(who))
    _populate(2, crp, bu_user, reviewer_user)
    url = reverse("reviews:list") + "?clock=&kind="
    small = count_queries(url)
    _populate(48, crp, bu_user, reviewer_user)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count >= 25
    # The link to the next page keeps the filters.
    assert 'href="?clock=&amp;kind=&amp;page=2"' in response.content.decode()


def test_detail_runs_the_same_queries_for_2_or_50_related_rows(
    client, crp, bu_user, reviewer_user, count_queries, django_assert_max_num_queries
):
    client.force_login(bu_user)
    review = _populate(2, crp, bu_user, reviewer_user)
    url = reverse("reviews:detail", args=[review.uuid])
    small = count_queries(url)
    for i in range(48):
        ReviewAgency.objects.create(review=review, agency=AgencyFactory())
        services.review_move  # noqa: B018
        review.stage_changes.create(
            from_stage="referral", to_stage="referral", moved_by=bu_user, note=str(i)
        )
    _populate(48, crp, bu_user, reviewer_user)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200


def test_the_review_forms_leave_validation_to_the_server(client, bu_user):
    """A missing field is explained on the page in words, not by a browser tooltip."""
    client.force_login(bu_user)
    page = client.get(reverse("reviews:create")).content.decode()
    assert "<form" in page and "novalidate" in page
    response = client.post(reverse("reviews:create"), {"title": ""})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()


def test_the_register_past_its_count_says_more_than_and_its_pages_stop(
    client, bu_user, monkeypatch
):
    """Past ``COUNTED_UP_TO`` the register says "more than", and its last page says why it
    stops (templates/_pagination.html)."""
    from sscb import figures_cache, lists

    monkeypatch.setattr(lists, "COUNTED_UP_TO", 26)
    ReviewFactory.create_batch(28)
    client.force_login(bu_user)
    first = _body(client.get(reverse("reviews:list")))
    assert "More than 26 reviews" in first
    assert "Page 1 (more than 26 in all)" in first and "Page 1 of" not in first
    last = _body(client.get(reverse("reviews:list"), {"page": "2"}))
    assert "The list stops here: narrow it with its filters to see the rest" in last
    monkeypatch.setattr(lists, "COUNTED_UP_TO", 1000)
    figures_cache.bump()  # no record changed: the page kept for this reader is let go by hand
    counted = _body(client.get(reverse("reviews:list"), {"page": "2"}))
    assert "Page 2 of 2 (28 in all)" in counted and "The list stops here" not in counted


def test_the_register_is_kept_for_its_reader_and_filters_until_a_record_changes(
    client, bu_user, crp_member, crp
):
    """A list is kept for its reader, day and query string ({% kept_for_reader %}): asked
    again, the same list in fewer queries; another person never gets it; a filter of the list
    is kept too, any other query string is made afresh, and a new record shows at once."""
    from sscb.tests.kept import kept_beside_another, main_of

    ReviewFactory(subgroup=crp, kind="scr", reference="SCR-2025-101")
    ReviewFactory(subgroup=crp, kind="scr", reference="SCR-2025-102", is_restricted=True)
    url = reverse("reviews:list")
    for query in ("", "?kind=scr", "?kind=scr&page=1"):
        made, _, kept, member = kept_beside_another(client, bu_user, crp_member, url + query)
        assert "SCR-2025-102" in made
        seen = main_of(member, url + query)[0]
        assert "SCR-2025-101" in seen and "SCR-2025-102" not in seen
    for other_query in ("?kind=scr&sort=x", "?page=x"):
        assert main_of(client, url + other_query)[1] == main_of(client, url + other_query)[1]
        assert main_of(client, url + other_query)[1] > kept
    ReviewFactory(subgroup=crp, kind="scr", reference="SCR-2025-103")
    assert "SCR-2025-103" in main_of(client, url + "?kind=scr")[0]


def test_a_reviews_page_is_kept_for_its_reader_with_their_own_form_token_and_still_logged(
    bu_user, crp, make_user
):
    """All of a review's page but its access log is kept for its reader ({% kept_for_reader %}):
    asked again, the same page in fewer queries; another reader, who may not move it, never
    gets the copy; each opening of a restricted review is still logged and shown; and a form on
    the kept page posts with the reader's own token, so the move it asks for is made."""
    import re

    from django.test import Client

    from sscb import figures_cache
    from sscb.models import AccessLogEntry
    from sscb.tests.kept import kept_beside_another, main_of

    review = open_review(by=bu_user, kind="learning_review", subgroup=crp, title="Kept one")
    outsider = make_user(role="subgroup_member", username="outsider-kept")  # may not move it
    url = reverse("reviews:detail", args=[review.uuid])
    browser = Client(enforce_csrf_checks=True)
    made, afresh, kept, other = kept_beside_another(browser, bu_user, outsider, url)
    assert "Move to" in made and "Kept one" in main_of(other, url)[0]
    assert "Move to" not in main_of(other, url)[0]
    review.is_restricted = True
    review.save()
    opened = AccessLogEntry.objects.filter(object_id=review.pk).count()
    main_of(browser, url)
    text = browser.get(url).content.decode()
    assert AccessLogEntry.objects.filter(object_id=review.pk).count() == opened + 2
    assert figures_cache.token_standin() not in text
    form = text[text.index('class="move-form"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    stage = re.search(r'name="to_stage" value="([^"]+)" class="btn btn-sm btn-primary"', form)[1]
    response = browser.post(
        reverse("reviews:move", args=[review.uuid]),
        {"csrfmiddlewaretoken": token, "to_stage": stage},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.stage == stage


def test_the_review_page_lists_every_change_to_its_record_with_who_made_it(client, crp_member, crp):
    from sscb.tests.posting import as_posted

    review = open_review(by=crp_member, subgroup=crp, title="Serious injury to a baby")
    client.force_login(crp_member)
    edit = reverse("reviews:section", args=[review.uuid, "register"])
    data = as_posted(client.get(edit).context["form"]) | {"title": "Serious injury to an infant"}
    assert client.post(edit, data).status_code == 302
    page = _body(client.get(reverse("reviews:detail", args=[review.uuid])))
    history = page.split('data-testid="review-history"', 1)[1]
    assert "Serious injury to a baby → Serious injury to an infant" in history
    assert str(crp_member) in history and "recorded it" in history
