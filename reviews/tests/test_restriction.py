"""Only the Business Unit restricts a review or changes its panel; each change is on the record."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reviews import services
from reviews.models import Review
from reviews.tests.factories import at_decision, open_review
from sscb.models import AccessLogEntry
from sscb.tests.posting import as_posted

Action = AccessLogEntry.Action


@pytest.fixture
def review(crp, bu_user):
    return open_review(
        by=bu_user,
        kind=Review.Kind.LEARNING_REVIEW,
        subgroup=crp,
        title="Neglect of a toddler",
        pseudonym="Child E",
        referred_on=datetime.date(2025, 6, 2),
    )


def _register(review, **changes):
    data = {
        "title": review.title,
        "pseudonym": review.pseudonym,
        "summary": review.summary,
        "subgroup": review.subgroup_id,
        "referred_on": review.referred_on.isoformat(),
    }
    data.update(changes)
    return data


def _url(review):
    return reverse("reviews:section", args=[review.uuid, "register"])


# Sub-group members ------------------------------------------------------------------------------


def test_a_member_is_not_offered_restriction_or_panel(client, crp_member, review):
    client.force_login(crp_member)
    for url in (_url(review), reverse("reviews:create")):
        body = client.get(url).content.decode()
        assert 'name="title"' in body
        assert 'name="is_restricted"' not in body
        assert 'name="panel_members"' not in body


def test_a_members_post_with_restriction_and_panel_changes_only_the_rest(
    client, crp_member, review, make_user
):
    other = make_user(role="subgroup_member", username="other")
    client.force_login(crp_member)
    response = client.post(
        _url(review),
        _register(
            review, title="Neglect of a young child", is_restricted="on", panel_members=[other.pk]
        ),
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.title == "Neglect of a young child"  # the rest of the form is saved
    assert review.is_restricted is False
    assert not review.panel_members.exists()
    assert not AccessLogEntry.objects.exists()


def test_a_member_opens_a_review_without_restriction(client, crp_member, crp):
    client.force_login(crp_member)
    response = client.post(
        reverse("reviews:create"),
        {
            "kind": "learning_review",
            "title": "Missing from education",
            "subgroup": crp.pk,
            "referred_on": "2025-06-02",
            "is_restricted": "on",
        },
    )
    assert response.status_code == 302
    assert Review.objects.get(title="Missing from education").is_restricted is False


def test_the_service_refuses_a_member(crp_member, review, crp):
    with pytest.raises(PermissionDenied):
        services.review_update(review=review, by=crp_member, is_restricted=True)
    with pytest.raises(PermissionDenied):
        services.review_update(review=review, by=crp_member, panel_members=[crp_member])
    review.is_restricted = True  # as a bound ModelForm leaves it: the stored value is compared
    with pytest.raises(PermissionDenied):
        services.review_update(review=review, by=crp_member, is_restricted=True)
    with pytest.raises(PermissionDenied):
        open_review(by=crp_member, subgroup=crp, is_restricted=True)
    with pytest.raises(PermissionDenied):
        open_review(by=crp_member, subgroup=crp, panel_members=[crp_member])
    review.refresh_from_db()
    assert review.is_restricted is False and not review.panel_members.exists()
    assert Review.objects.count() == 1


def test_a_member_may_save_the_register_of_a_restricted_review_unchanged(
    crp_member, review, bu_user
):
    services.review_update(
        review=review, by=bu_user, is_restricted=True, panel_members=[crp_member]
    )
    review = Review.objects.get(pk=review.pk)
    services.review_update(
        review=review,
        by=crp_member,
        title="Renamed",
        is_restricted=True,
        panel_members=[crp_member],
    )
    review.refresh_from_db()
    assert review.title == "Renamed" and review.is_restricted


def test_a_follow_on_review_keeps_its_sources_restriction_whoever_decides(crp_member, crp, bu_user):
    rapid = open_review(
        by=bu_user,
        kind=Review.Kind.RAPID_REVIEW,
        subgroup=crp,
        referred_on=datetime.date(2025, 6, 2),
        notified_on=datetime.date(2025, 6, 2),
        is_restricted=True,
        panel_members=[crp_member],
    )
    at_decision(rapid, by=bu_user)
    services.review_record_decision(
        review=rapid,
        by=crp_member,
        decision=Review.Decision.INITIATE,
        decided_on=datetime.date(2025, 6, 20),
        decision_reasons="Learning for the partnership.",
        abuse_or_neglect=True,
        seriously_harmed=True,
    )
    lcspr = rapid.follow_on_reviews.get()
    assert lcspr.is_restricted
    assert list(lcspr.panel_members.all()) == [crp_member]


# The Business Unit -----------------------------------------------------------------------------


def test_the_business_unit_restricts_and_names_the_panel(client, bu_user, crp_member, review):
    client.force_login(bu_user)
    body = client.get(_url(review)).content.decode()
    assert 'name="is_restricted"' in body and 'name="panel_members"' in body
    response = client.post(
        _url(review),
        _register(review, is_restricted="on", panel_members=[crp_member.pk]),
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_restricted
    assert list(review.panel_members.all()) == [crp_member]

    # In the review's history: the restriction, the reason and the panel as it now is.
    latest = review.history.order_by("-history_date", "-history_id").first()
    assert latest.is_restricted
    assert latest.history_user == bu_user
    assert latest.history_change_reason == "Business Unit: restricted, panel changed"
    assert [row.user for row in latest.panel_members.all()] == [crp_member]
    before = review.history.filter(is_restricted=False).order_by("-history_date").first()
    assert before is not None and not before.panel_members.exists()

    # And in the access log, with the new values.
    entries = {e.action: e for e in AccessLogEntry.objects.filter(object_id=review.pk)}
    restriction = entries[Action.RESTRICTION_CHANGED]
    assert (restriction.user, restriction.record, restriction.detail) == (
        bu_user,
        review.reference,
        "restricted",
    )
    assert restriction.ip_address == "198.51.100.7"
    assert entries[Action.PANEL_CHANGED].detail == "panel: member"


def test_lifting_a_restriction_is_recorded_too(bu_user, crp_member, review):
    services.review_update(
        review=review, by=bu_user, is_restricted=True, panel_members=[crp_member]
    )
    AccessLogEntry.objects.all().delete()
    services.review_update(review=review, by=bu_user, is_restricted=False, panel_members=[])
    details = dict(AccessLogEntry.objects.values_list("action", "detail"))
    assert details == {
        Action.RESTRICTION_CHANGED: "not restricted",
        Action.PANEL_CHANGED: "panel: nobody",
    }
    latest = review.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "Business Unit: restriction lifted, panel changed"


def test_an_unchanged_restriction_writes_no_entry(bu_user, review):
    services.review_update(review=review, by=bu_user, title="Same restriction", is_restricted=False)
    assert not AccessLogEntry.objects.exists()


def test_opening_a_restricted_review_records_it(bu_user, crp, crp_member):
    review = open_review(by=bu_user, subgroup=crp, is_restricted=True, panel_members=[crp_member])
    actions = sorted(AccessLogEntry.objects.values_list("action", flat=True))
    assert actions == [Action.PANEL_CHANGED, Action.RESTRICTION_CHANGED]
    assert review.history.filter(is_restricted=True).exists()


# The Django admin -----------------------------------------------------------------------------


def _admin_form_data(response):
    """What the admin's change form would post back unchanged, inlines included."""
    return as_posted(
        response.context["adminform"].form,
        formsets=[inline.formset for inline in response.context["inline_admin_formsets"]],
    )


def test_restriction_and_panel_are_not_changed_in_the_admin(client, bu_user, crp_member, review):
    """Only the review's own page restricts it or changes its panel (review_update, with the
    access log): the admin shows both, and a post that sets them changes nothing."""
    client.force_login(bu_user)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    shown = client.get(url)
    assert not {"is_restricted", "panel_members"} & set(shown.context["adminform"].form.fields)
    data = _admin_form_data(shown)
    data.update({"is_restricted": "on", "panel_members": [crp_member.pk]})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    review.refresh_from_db()
    assert not review.is_restricted and not review.panel_members.exists()
    assert not AccessLogEntry.objects.exclude(action=Action.VIEW).exists()


def test_opening_a_restricted_review_in_the_admin_is_logged(client, bu_user, review):
    client.force_login(bu_user)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    client.get(url)
    assert not AccessLogEntry.objects.exists()  # not restricted: not logged
    Review.objects.filter(pk=review.pk).update(is_restricted=True)
    client.get(url)
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.record, entry.path) == (Action.VIEW, review.reference, url)


def test_a_register_opened_from_the_boards_figures_says_how_many_it_cannot_list(
    client, executive_user, crp, bu_user
):
    """The Board's figures count a restricted review; the register does not list it to those
    off its panel, and says so, as a number only."""
    open_review(by=bu_user, subgroup=crp, title="Listed review")
    open_review(by=bu_user, subgroup=crp, is_restricted=True, title="Unlisted review")
    client.force_login(executive_user)
    page = client.get(reverse("reviews:list")).content.decode()
    assert "Listed review" in page and "Unlisted review" not in page
    assert "1 more review matches these filters and is counted in the Board's figures" in page
    client.force_login(bu_user)
    assert 'data-testid="not-shown"' not in client.get(reverse("reviews:list")).content.decode()


def test_a_search_of_words_says_nothing_of_reviews_the_reader_may_not_open(
    client, executive_user, crp, bu_user
):
    """Else the count would answer, one guess at a time, what a restricted review says."""
    open_review(by=bu_user, subgroup=crp, is_restricted=True, title="Exploitation")
    client.force_login(executive_user)
    for words in ("Exploitation", "Burglary"):
        page = client.get(reverse("reviews:list"), {"q": words}).content.decode()
        assert 'data-testid="not-shown"' not in page
    page = client.get(reverse("reviews:list"), {"subgroup": crp.pk}).content.decode()
    assert 'data-testid="not-shown"' in page  # the Board's own filters still say how many


def test_an_lcspr_never_names_the_restricted_rapid_review_it_arose_from(
    client, bu_user, crp, reviewer_user
):
    rapid = open_review(
        by=bu_user,
        kind=Review.Kind.RAPID_REVIEW,
        subgroup=crp,
        referred_on=datetime.date(2025, 3, 3),
        notified_on=datetime.date(2025, 3, 3),
        is_restricted=True,
    )
    at_decision(rapid)
    services.review_record_decision(
        review=rapid,
        by=bu_user,
        decision=Review.Decision.INITIATE,
        decided_on=datetime.date(2025, 3, 10),
        decision_reasons="Learning about exploitation.",
    )
    lcspr = rapid.follow_on_reviews.get()
    lcspr.lead_reviewer = reviewer_user  # leads the LCSPR; not on the rapid review's panel
    lcspr.save()
    client.force_login(reviewer_user)
    page = client.get(reverse("reviews:detail", args=[lcspr.uuid])).content.decode()
    assert "Learning about exploitation." in page and "a review not open to you" in page
    assert rapid.reference not in page
