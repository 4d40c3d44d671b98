"""Editing a record never drops a link its editor did not mean to drop (``sscb.forms.keep_links``):
a link to a record the editor may not open is kept, unnamed, and the page says so; one to an
archived record (an agency, a strategic priority, an indicator) stays offered, marked, and may be
taken off; and nothing hidden or archived can be put on by sending its key. Each page is saved
here as a browser sends it: what it shows, and nothing it does not."""

import pytest
from django.urls import reverse

from audits.performance.tests.factories import IndicatorFactory, IndicatorSetFactory
from learning.models import AssuranceEvidence, PracticeCheck
from learning.tests.factories import (
    ActionFactory,
    CheckFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ReviewFactory,
    ThemeFactory,
)
from sscb.tests.factories import AgencyFactory, StrategicPriorityFactory, UserFactory
from sscb.tests.posting import from_page

pytestmark = pytest.mark.django_db

KEPT = "also has 1 link not open to you, kept."


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def hidden_finding(li):
    """A finding of a restricted review whose panel the L&I member is not on."""
    return FindingFactory(
        review=ReviewFactory(subgroup=li, is_restricted=True),
        subgroup=li,
        title="Exploitation risk not shared between agencies",
        detail="Young person D was known to three agencies as missing.",
    )


def test_an_edit_keeps_the_actions_finding_the_editor_may_not_open_and_never_names_it(
    client, li, li_member, hidden_finding
):
    action = ActionFactory(review=ReviewFactory(subgroup=li), subgroup=li, finding=hidden_finding)
    shown = FindingFactory(review=action.review, subgroup=li, title="Fathers not seen")
    client.force_login(li_member)
    url = reverse("learning:action_edit", args=[action.uuid])
    html = page(client, url)
    assert "Exploitation risk" not in html and "Young person D" not in html
    assert f"This action {KEPT}" in html
    assert client.post(url, from_page(html, title="Share screening")).status_code == 302
    action.refresh_from_db()
    assert (action.title, action.finding) == ("Share screening", hidden_finding)
    # The field is fixed: another finding sent in its place is not taken.
    assert client.post(url, from_page(html, finding=str(shown.pk))).status_code == 302
    action.refresh_from_db()
    assert action.finding == hidden_finding


def test_an_action_cannot_be_tied_to_a_finding_its_editor_may_not_open(
    client, li, li_member, hidden_finding
):
    action = ActionFactory(review=ReviewFactory(subgroup=li), subgroup=li)
    client.force_login(li_member)
    url = reverse("learning:action_edit", args=[action.uuid])
    html = page(client, url)
    assert "This action also has" not in html
    response = client.post(url, from_page(html, finding=str(hidden_finding.pk)))
    assert response.status_code == 400
    assert "Exploitation risk" not in response.content.decode()
    action.refresh_from_db()
    assert action.finding is None


def test_an_owner_who_may_no_longer_own_an_action_is_shown_and_must_be_replaced(
    client, li, bu_user
):
    """The owner is not dropped unseen: the edit says why it cannot keep them."""
    police = AgencyFactory(name="West Mercia Police")
    owner = UserFactory(username="left", first_name="Sam", last_name="Lee", agency=police)
    action = ActionFactory(
        review=ReviewFactory(subgroup=li), subgroup=li, owner_agency=police, owner=owner
    )
    owner.is_active = False
    owner.save()
    client.force_login(bu_user)
    url = reverse("learning:action_edit", args=[action.uuid])
    html = page(client, url)
    assert "Sam Lee (West Mercia Police) (no longer offered)" in html
    refused = client.post(url, from_page(html, title="Renamed"))
    assert refused.status_code == 400
    assert "Sam Lee may no longer own an action" in refused.content.decode()
    assert client.post(url, from_page(html, title="Renamed", owner="")).status_code == 302
    action.refresh_from_db()
    assert (action.title, action.owner) == ("Renamed", None)


def test_an_edit_keeps_an_archived_agency_offers_it_marked_and_never_adds_one(
    client, li, li_member
):
    police = AgencyFactory(name="West Mercia Police")
    archived = AgencyFactory(name="Education Access", is_active=False)
    other = AgencyFactory(name="Closed Trust", is_active=False)
    finding = FindingFactory(
        review=ReviewFactory(subgroup=li),
        subgroup=li,
        agencies=[police, archived],
        recorded_by=li_member,
    )
    client.force_login(li_member)
    url = reverse("learning:finding_edit", args=[finding.uuid])
    html = page(client, url)
    assert "Education Access (archived)" in html and "Closed Trust" not in html
    assert client.post(url, from_page(html)).status_code == 302  # saved as it is
    assert set(finding.agencies.all()) == {police, archived}
    refused = client.post(url, from_page(html, agencies=[str(police.pk), str(other.pk)]))
    assert refused.status_code == 400
    assert set(finding.agencies.all()) == {police, archived}
    # The editor may take an archived agency off, knowingly.
    assert client.post(url, from_page(html, agencies=str(police.pk))).status_code == 302
    assert list(finding.agencies.all()) == [police]
    # A new finding is not offered one.
    assert "Education Access" not in page(client, reverse("learning:finding_new"))


def test_a_theme_whose_only_priority_is_archived_still_saves_and_keeps_it(client, li, li_member):
    archived = StrategicPriorityFactory(title="Neglect and the home", is_active=False)
    theme = ThemeFactory(subgroup=li, priorities=[archived])
    second = ThemeFactory(subgroup=li, priorities=[archived, StrategicPriorityFactory()])
    client.force_login(li_member)
    url = reverse("learning:theme_edit", args=[theme.uuid])
    html = page(client, url)
    assert "Neglect and the home (archived)" in html
    assert client.post(url, from_page(html, title="Neglect")).status_code == 302
    theme.refresh_from_db()
    assert (theme.title, list(theme.priorities.all())) == ("Neglect", [archived])
    url = reverse("learning:theme_edit", args=[second.uuid])
    assert client.post(url, from_page(page(client, url))).status_code == 302
    assert second.priorities.count() == 2
    assert "Neglect and the home" not in page(client, reverse("learning:theme_new"))


def test_a_check_keeps_indicators_its_editor_may_not_see_and_an_archived_one(
    client, li, li_member, bu_user
):
    """Only QAP, the Business Unit and the Executive see indicators: an L&I member edits a
    performance framework check without being shown the ones it relies on."""
    agency = AgencyFactory(name="West Mercia Police")
    relied_on = IndicatorFactory(agency=agency, name="Strategy discussions within a day")
    archived = IndicatorFactory(agency=agency, name="Return interviews offered", is_active=False)
    check = CheckFactory(
        outcome=OutcomeFactory(theme=ThemeFactory(subgroup=li)),
        way=PracticeCheck.Way.PERFORMANCE,
        agency=agency,
    )
    check.indicators.set([relied_on, archived])
    url = reverse("learning:check_edit", args=[check.uuid])
    client.force_login(li_member)
    html = page(client, url)
    assert "Strategy discussions" not in html and "Return interviews" not in html
    assert "This practice check also has 2 links not open to you, kept." in html
    assert client.post(url, from_page(html, summary="Seen at audit")).status_code == 302
    assert set(check.indicators.all()) == {relied_on, archived}

    client.force_login(bu_user)
    html = page(client, url)
    assert "Return interviews offered (archived)" in html
    assert "not open to you" not in html
    assert client.post(url, from_page(html)).status_code == 302
    assert set(check.indicators.all()) == {relied_on, archived}


def test_evidence_keeps_a_scorecard_its_editor_may_not_see_and_an_archived_agency(
    client, li, li_member
):
    agency = AgencyFactory(name="Education Access", is_active=False)
    scorecard = IndicatorSetFactory(name="Police scorecard")
    IndicatorFactory(indicator_set=scorecard)
    evidence = EvidenceFactory(
        outcome=OutcomeFactory(theme=ThemeFactory(subgroup=li)),
        way=AssuranceEvidence.Way.PERFORMANCE_DATA,
        agency=agency,
        scorecard=scorecard,
        scorecard_year=2025,
        scorecard_quarter=1,
    )
    client.force_login(li_member)
    url = reverse("learning:evidence_edit", args=[evidence.uuid])
    html = page(client, url)
    assert "Police scorecard" not in html
    assert f"This assurance evidence {KEPT}" in html
    assert "Education Access (archived)" in html
    assert client.post(url, from_page(html, title="Audit report")).status_code == 302
    evidence.refresh_from_db()
    assert (evidence.title, evidence.agency, evidence.scorecard) == (
        "Audit report",
        agency,
        scorecard,
    )
    new = reverse("learning:evidence_new", args=[evidence.outcome.uuid])
    assert "Education Access" not in page(client, new)


@pytest.mark.parametrize("kind", ["finding", "action", "check"])
def test_an_edit_page_runs_the_same_queries_for_2_or_30_kept_links(
    client, li, li_member, count_queries, django_assert_max_num_queries, kind
):
    """Kept links, archived or hidden, cost the same whatever their number."""
    client.force_login(li_member)
    review = ReviewFactory(subgroup=li)
    restricted = ReviewFactory(subgroup=li, is_restricted=True)
    check = CheckFactory(
        outcome=OutcomeFactory(theme=ThemeFactory(subgroup=li)), way=PracticeCheck.Way.PERFORMANCE
    )
    finding = FindingFactory(review=review, subgroup=li, recorded_by=li_member)
    action = ActionFactory(review=review, subgroup=li, finding=FindingFactory(review=restricted))

    def links(count):
        agencies = [AgencyFactory(is_active=False) for _ in range(count)]
        finding.agencies.add(*agencies)
        check.indicators.add(*[IndicatorFactory() for _ in range(count)])
        action.owner_agency = agencies[0]
        action.save()

    url = {
        "finding": reverse("learning:finding_edit", args=[finding.uuid]),
        "action": reverse("learning:action_edit", args=[action.uuid]),
        "check": reverse("learning:check_edit", args=[check.uuid]),
    }[kind]
    links(2)
    small = count_queries(url)
    links(28)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200


def test_a_finding_moves_to_another_open_theme_or_out_of_one_and_never_into_a_closed_one(
    client, li, li_member
):
    first, second = ThemeFactory(subgroup=li, title="First"), ThemeFactory(subgroup=li)
    closed = ThemeFactory(subgroup=li, title="Long closed", status="closed")
    finding = FindingFactory(
        review=ReviewFactory(subgroup=li), subgroup=li, theme=first, recorded_by=li_member
    )
    client.force_login(li_member)
    url = reverse("learning:finding_edit", args=[finding.uuid])
    assert "Long closed" not in page(client, url)
    assert client.post(url, from_page(page(client, url), theme=str(second.pk))).status_code == 302
    finding.refresh_from_db()
    assert finding.theme == second
    refused = client.post(url, from_page(page(client, url), theme=str(closed.pk)))
    assert refused.status_code == 400
    assert client.post(url, from_page(page(client, url), theme="")).status_code == 302
    finding.refresh_from_db()
    assert finding.theme is None
