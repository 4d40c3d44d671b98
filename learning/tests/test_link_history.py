"""What a record belongs to is in its history (``sscb.history.Link``): a finding's review and
theme, an action's plan and finding. The history names the record to a reader who may open it,
and otherwise says only how the link changed; and a version that changed only fields a page
does not list says which, never "saved it unchanged"."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from learning import services
from learning.tests.factories import ActionFactory, FindingFactory, ReviewFactory, ThemeFactory
from reviews.tests.factories import ReviewAgencyFactory
from sscb.tests.reading import history_entries as history

pytestmark = pytest.mark.django_db


def words(response):
    return " ".join(unescape(strip_tags(response.content.decode())).split())


@pytest.fixture
def involved(agency):
    """A review the agency's lead may open: their agency takes part."""
    review = ReviewFactory(reference="SCR-2016-001")
    ReviewAgencyFactory(review=review, agency=agency)
    return review


@pytest.fixture
def restricted():
    """A restricted review the agency's lead may not open."""
    return ReviewFactory(reference="RR-2026-002", is_restricted=True)


def test_an_action_moved_to_another_plan_says_so_naming_only_what_the_reader_may_open(
    client, bu_user, agency_user, agency, li_member, involved, restricted
):
    action = ActionFactory(review=involved, owner_agency=agency)
    action._history_user = li_member
    action.review = restricted  # as the admin once could
    action.save()
    url = reverse("learning:action", args=[action.uuid])

    client.force_login(bu_user)
    [moved, *_] = history(client.get(url), "action-history")
    assert moved.endswith(f"{li_member}: review SCR-2016-001 → RR-2026-002")

    client.force_login(agency_user)
    response = client.get(url)
    [moved, *_] = history(response, "action-history")
    assert moved.endswith(f"{li_member}: moved from review SCR-2016-001 to another review")
    assert "RR-2026-002" not in words(response)


def test_an_actions_finding_changed_on_its_form_is_in_its_history(
    client, bu_user, agency_user, agency, li_member, involved
):
    unseen = FindingFactory(review=involved, title="Health visitors missed the home's decline")
    seen = FindingFactory(review=involved, agencies=[agency], title="Notifications were late")
    action = ActionFactory(review=involved, owner_agency=agency, finding=unseen)
    action._history_user = li_member
    services.action_update(action=action, finding=seen, title="Share notifications by 9am")
    url = reverse("learning:action", args=[action.uuid])

    client.force_login(bu_user)
    [changed, *_] = history(client.get(url), "action-history")
    assert "finding Health visitors missed the home's decline → Notifications were late" in changed

    # The agency is not concerned by the finding it answered before: its lead may not open it.
    client.force_login(agency_user)
    response = client.get(url)
    [changed, *_] = history(response, "action-history")
    assert changed.endswith("moved to finding Notifications were late from another finding")
    assert unseen.title not in words(response)


def test_a_findings_theme_and_review_are_in_its_history(
    client, bu_user, agency_user, agency, li_member, involved
):
    finding = FindingFactory(review=involved, agencies=[agency], recorded_by=li_member)
    theme = ThemeFactory(title="Voice of the child")
    services.theme_collate(theme=theme, findings=[finding])  # by "the system" here
    finding.refresh_from_db()
    finding._history_user = li_member
    finding.theme = None  # out of the theme, as the admin may
    finding.save()
    url = reverse("learning:finding", args=[finding.uuid])

    client.force_login(bu_user)
    entries = history(client.get(url), "finding-history")
    assert entries[0].endswith(f"{li_member}: theme Voice of the child → none")
    assert entries[1].endswith("the system: theme none → Voice of the child")

    # The theme no longer holds a finding about the agency: its lead may not open it.
    client.force_login(agency_user)
    response = client.get(url)
    entries = history(response, "finding-history")
    assert entries[0].endswith(f"{li_member}: no longer linked to its theme")
    assert entries[1].endswith("the system: linked to a theme")
    assert "Voice of the child" not in words(response)


def test_a_change_to_fields_a_page_does_not_list_is_said_not_called_unchanged(
    client, bu_user, li_member
):
    theme = ThemeFactory()
    theme._history_user = li_member
    theme.save()  # nothing changed
    theme.minutes_label = "Executive, 12 March 2026, item 4"
    theme.save()  # only where it was agreed: a field its page leaves to the meeting's version
    client.force_login(bu_user)
    entries = history(client.get(reverse("learning:theme", args=[theme.uuid])), "theme-history")
    assert entries[0].endswith(f"{li_member}: changed the agreed at")
    assert entries[1].endswith(f"{li_member}: saved it unchanged")


@pytest.mark.parametrize("page", ["finding", "action"])
@pytest.mark.parametrize("reader", ["bu_user", "agency_user"])
def test_a_history_of_moves_runs_the_same_queries_for_2_versions_or_many(
    request,
    client,
    agency,
    count_queries,
    django_assert_num_queries,
    involved,
    restricted,
    reader,
    page,
):
    """Moves between a review the reader may open and one they may not (a finding's), and
    between a finding they may open and one they may not (an action's)."""
    finding = FindingFactory(review=involved, agencies=[agency])
    action = ActionFactory(review=involved, owner_agency=agency, finding=finding)
    hidden = FindingFactory(review=involved)
    record, kept = (finding, "review") if page == "finding" else (action, "finding")
    there = {"review": (restricted, involved), "finding": (hidden, finding)}[kept]

    def move(times):  # ending where it started
        for n in range(times):
            setattr(record, kept, there[n % 2])
            record.save()

    move(2)
    client.force_login(request.getfixturevalue(reader))
    url = reverse(f"learning:{page}", args=[record.uuid])
    client.get(url)  # what the layout keeps between pages is kept already
    move(2)  # and the action's page, kept for its reader, is read afresh each time
    small = count_queries(url)
    move(40)
    with django_assert_num_queries(small):
        response = client.get(url)
    entries = history(response, f"{page}-history")
    assert len(entries) == 20
    assert all("moved" in entry or "→" in entry for entry in entries)
