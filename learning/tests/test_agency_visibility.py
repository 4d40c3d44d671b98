"""Least privilege for a partner agency lead, and restricted reviews reached through relations."""

from html import unescape

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils.html import strip_tags

from audits.tests.factories import AuditFactory, CaseAuditEntryFactory
from learning import selectors
from learning.tests.factories import (
    ActionFactory,
    CheckFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ThemeFactory,
)
from reviews.tests.factories import ReviewAgencyFactory, ReviewFactory
from sscb.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def text(response):
    assert response.status_code == 200, response.status_code
    return " ".join(unescape(strip_tags(response.content.decode())).split())


@pytest.fixture
def other_agency():
    return AgencyFactory(name="Shropshire Children's Services", short_name="CSC", kind="csc")


@pytest.fixture
def involved_review(agency):
    review = ReviewFactory(title="Neglect of a toddler")
    ReviewAgencyFactory(review=review, agency=agency)
    return review


def test_findings_are_those_about_the_agency_from_reviews_it_may_open(
    agency_user, agency, other_agency, involved_review
):
    ours = FindingFactory(review=involved_review, agencies=[agency])
    theirs = FindingFactory(review=involved_review, agencies=[other_agency])
    # About the agency, but from a review the agency is not involved in.
    elsewhere = FindingFactory(review=ReviewFactory(), agencies=[agency])
    visible = set(selectors.findings_visible_to(agency_user))
    assert ours in visible
    assert theirs not in visible and elsewhere not in visible


def test_themes_are_those_that_ask_something_of_the_agency(
    agency_user, agency, other_agency, involved_review
):
    by_finding = ThemeFactory(title="Voice of the child")
    FindingFactory(review=involved_review, agencies=[agency], theme=by_finding)
    by_action = OutcomeFactory().theme
    ActionFactory(outcome=by_action.outcomes.get(), review=None, plan="", owner_agency=agency)
    by_evidence = EvidenceFactory(agency=agency).outcome.theme
    by_check = CheckFactory(agency=agency).outcome.theme
    not_ours = CheckFactory(agency=other_agency).outcome.theme
    visible = set(selectors.themes_visible_to(agency_user))
    assert visible == {by_finding, by_action, by_evidence, by_check}
    assert not_ours not in visible


def test_a_themes_page_says_how_many_of_its_findings_the_agency_may_not_open(
    client, agency_user, agency, other_agency, involved_review
):
    """The theme list counts the theme's findings the agency may open; the theme's page lists
    them and says how many more there are, as a number only."""
    theme = ThemeFactory(title="Voice of the child")
    FindingFactory(review=involved_review, agencies=[agency], theme=theme, title="Ours")
    FindingFactory(review=involved_review, agencies=[other_agency], theme=theme, title="Theirs")
    FindingFactory(review=ReviewFactory(), agencies=[agency], theme=theme, title="Elsewhere")
    client.force_login(agency_user)
    page = text(client.get(reverse("learning:theme", args=[theme.uuid])))
    assert "Ours" in page and "Theirs" not in page and "Elsewhere" not in page
    assert "2 more findings in this theme are not open to you" in page
    assert "No findings yet" not in page
    listed = client.get(reverse("learning:index")).context["page_obj"].object_list
    assert [(t.title, t.finding_count) for t in listed] == [("Voice of the child", 1)]


def test_practice_checks_are_the_agencys_own(client, agency_user, agency, other_agency):
    outcome = OutcomeFactory()
    ours = CheckFactory(outcome=outcome, agency=agency)
    CheckFactory(outcome=outcome, agency=other_agency)
    client.force_login(agency_user)
    response = client.get(reverse("learning:checks"))
    assert list(response.context["page_obj"].object_list) == [ours]
    page = client.get(reverse("learning:outcome", args=[outcome.uuid]))
    assert list(page.context["outcome"].checks.all()) == [ours]


def test_a_case_file_audit_shows_other_agencies_cases_as_counts_only(
    client, agency_user, member_user, agency, other_agency
):
    audit = AuditFactory(kind="case_file", title="Neglect case files")
    audit.agencies.set([agency, other_agency])
    CaseAuditEntryFactory(audit=audit, agency=agency, pseudonym="Family A", concerns="Late visit")
    CaseAuditEntryFactory(
        audit=audit,
        agency=other_agency,
        pseudonym="Family B",
        grade="inadequate",
        concerns="case closed without a safety plan",
    )
    client.force_login(agency_user)
    page = text(client.get(reverse("audits:detail", args=[audit.uuid])))
    assert "Family A" in page and "Late visit" in page
    assert "Family B" not in page and "safety plan" not in page
    assert "Inadequate: 1" in page and "Good: 1" in page
    client.force_login(member_user)
    assert "safety plan" in text(client.get(reverse("audits:detail", args=[audit.uuid])))


def test_collate_is_neither_offered_nor_open_to_an_agency_lead(client, agency_user):
    client.force_login(agency_user)
    assert "Collate into themes" not in text(client.get(reverse("learning:findings")))
    assert client.get(reverse("learning:collate")).status_code == 403


def test_a_restricted_review_reached_from_another_shows_no_reference(client, member_user, bu_user):
    restricted = ReviewFactory(reference="SCR-2025-007", is_restricted=True)
    follow_on = ReviewFactory(reference="LR-2025-900", source_review=restricted)
    ReviewFactory(reference="LR-2025-901", source_review=follow_on, is_restricted=True)
    client.force_login(member_user)
    page = text(client.get(reverse("reviews:detail", args=[follow_on.uuid])))
    assert "SCR-2025-007" not in page and "LR-2025-901" not in page
    assert "Arose from a review not open to you" in page
    assert "Follow-on: a review not open to you" in page
    raw = client.get(reverse("reviews:detail", args=[follow_on.uuid])).content.decode()
    assert str(restricted.uuid) not in raw
    client.force_login(bu_user)
    page = text(client.get(reverse("reviews:detail", args=[follow_on.uuid])))
    assert "Arose from SCR-2025-007" in page and "LR-2025-901" in page


def test_an_agency_action_from_a_restricted_review_hides_the_review(client, agency_user, agency):
    restricted = ReviewFactory(reference="SCR-2025-008", is_restricted=True, title="Secret")
    ReviewAgencyFactory(review=restricted, agency=agency)
    finding = FindingFactory(review=restricted, agencies=[agency])
    action = ActionFactory(
        review=restricted, owner_agency=agency, finding=finding, title="Train call handlers"
    )
    client.force_login(agency_user)
    page = text(client.get(action.get_absolute_url()))
    assert "Train call handlers" in page
    assert "SCR-2025-008" not in page and "Secret" not in page
    assert "a review not open to you" in page and "a finding about other agencies" in page
    listing = text(client.get(reverse("learning:actions")))
    assert "Train call handlers" in listing and "SCR-2025-008" not in listing
    export = client.get(reverse("learning:actions_csv")).getvalue().decode()
    assert "Train call handlers" in export and "SCR-2025-008" not in export
    # On its panel, the review is theirs to open again.
    restricted.panel_members.add(agency_user)
    assert "SCR-2025-008" in text(client.get(action.get_absolute_url()))


def test_an_action_names_its_finding_where_the_reader_may_open_it(
    client, agency_user, agency, count_queries
):
    """The finding an action answers is linked where the reader may open it, named only as
    "a finding about other agencies" where not; an action answering none asks nothing more."""
    review = ReviewFactory()
    ReviewAgencyFactory(review=review, agency=agency)
    ours = FindingFactory(review=review, agencies=[agency], title="Handover at shift change")
    theirs = FindingFactory(review=review, agencies=[AgencyFactory()], title="Other agency's")
    answers_ours = ActionFactory(review=review, owner_agency=agency, finding=ours)
    answers_theirs = ActionFactory(review=review, owner_agency=agency, finding=theirs)
    answers_none = ActionFactory(review=review, owner_agency=agency)
    client.force_login(agency_user)
    page = client.get(answers_ours.get_absolute_url()).content.decode()
    assert f'href="{ours.get_absolute_url()}"' in page and "Handover at shift change" in page
    page = text(client.get(answers_theirs.get_absolute_url()))
    assert "a finding about other agencies" in page and "Other agency's" not in page
    assert "Answers finding" not in text(client.get(answers_none.get_absolute_url()))
    # The finding, read through the reader's visibility, is one query more, for an action that
    # answers one only (each page made afresh, not kept for its reader).
    with override_settings(FIGURES_CACHE_SECONDS=0):
        assert count_queries(answers_ours.get_absolute_url()) == (
            count_queries(answers_none.get_absolute_url()) + 1
        )
