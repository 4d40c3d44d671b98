"""What a tester found in briefings, mended: the learning outcome is part of what the chair
approves. Changed after submission, even with the words unchanged, the briefing goes back to
draft with its version kept, as an edit of the words does; publishing it unapproved is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learning.models import DeliveryActivity, LearningOutcome
from learning.tests.factories import OutcomeFactory

from .. import services
from ..models import Briefing
from .factories import TEXT, draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_outcome(theme):
    return OutcomeFactory(
        theme=theme,
        title="Practitioners ask the child about daily life",
        decision=LearningOutcome.Decision.AGREED,
        decided_on=datetime.date(2025, 1, 6),
    )


def _approved(writer, chair, li, outcome):
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    services.briefing_submit(briefing=briefing, by=writer)
    services.briefing_approve(briefing=briefing, by=chair)
    return briefing


def test_changing_an_approved_briefings_outcome_sends_it_back_for_approval(
    client, writer, chair, li, outcome, other_outcome
):
    briefing = _approved(writer, chair, li, outcome)
    client.force_login(writer)

    edited = client.post(
        reverse("briefings:edit", args=[briefing.uuid]), TEXT | {"outcome": other_outcome.pk}
    )

    assert edited.status_code == 302
    briefing.refresh_from_db()
    assert briefing.outcome == other_outcome
    assert briefing.status == Briefing.Status.DRAFT
    assert (briefing.approved_by, briefing.approved_at, briefing.edited_by) == (None, None, writer)
    assert briefing.version == 2
    [kept] = briefing.versions.all()
    assert (kept.number, kept.title, kept.written_by, kept.replaced_by) == (
        1,
        TEXT["title"],
        writer,
        writer,
    )
    # Not published against an outcome nobody approved it for.
    refused = client.post(reverse("briefings:publish", args=[briefing.uuid]), follow=True)
    assert "Only an approved briefing is published." in refused.content.decode()
    assert not DeliveryActivity.objects.exists()
    # Its writer does not approve their own change; the chair approves it, then it is published
    # as the delivery of the outcome approved.
    with pytest.raises(ValidationError, match="You wrote this version"):
        services.briefing_approve(
            briefing=services.briefing_submit(briefing=briefing, by=writer), by=writer
        )
    services.briefing_approve(briefing=briefing, by=chair)
    services.briefing_publish(briefing=briefing, by=writer)
    assert DeliveryActivity.objects.get().outcome == other_outcome


def test_a_submitted_briefings_outcome_changed_goes_back_to_draft(
    writer, chair, li, outcome, other_outcome
):
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    services.briefing_submit(briefing=briefing, by=writer)
    services.briefing_edit(briefing=briefing, by=chair, outcome=other_outcome, **TEXT)
    briefing.refresh_from_db()
    assert (briefing.status, briefing.version, briefing.edited_by) == (
        Briefing.Status.DRAFT,
        2,
        chair,
    )


def test_saving_an_approved_briefing_unchanged_keeps_its_approval(writer, chair, li, outcome):
    briefing = _approved(writer, chair, li, outcome)
    services.briefing_edit(briefing=briefing, by=writer, outcome=outcome, **TEXT)
    briefing.refresh_from_db()
    assert (briefing.status, briefing.approved_by, briefing.version) == (
        Briefing.Status.APPROVED,
        chair,
        1,
    )
    assert not briefing.versions.exists()


def test_a_draft_never_submitted_changes_its_outcome_with_no_version_kept(
    writer, li, outcome, other_outcome
):
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    services.briefing_edit(briefing=briefing, by=writer, outcome=other_outcome, **TEXT)
    briefing.refresh_from_db()
    assert (briefing.outcome, briefing.status, briefing.version) == (
        other_outcome,
        Briefing.Status.DRAFT,
        1,
    )
    assert not briefing.versions.exists()
