"""The step a page says its loop waits for: the step itself for a reader who may take it, and
for anyone else who takes it, never a page that would refuse them (fagency #12)."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from learning.models import LoopStage
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory, SubGroupMembershipFactory

from .factories import (
    ActivityFactory,
    CheckFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def next_step(response) -> str:
    page = response.content.decode()
    start = page.index('data-testid="loop-next-step"')
    return " ".join(
        strip_tags(page[page.index(">", start) + 1 : page.index("</p>", start)]).split()
    )


@pytest.fixture
def li(db):
    return SubGroupFactory(
        code=SubGroup.Code.LEARNING_IMPROVEMENT, name="Learning and Improvement sub-group"
    )


def test_a_finding_not_yet_themed_names_who_themes_it_to_an_agency_lead(
    client, agency_user, agency, li, member_user
):
    finding = FindingFactory(review=None, source="practitioner", agencies=[agency], subgroup=li)
    client.force_login(agency_user)
    said = next_step(client.get(finding.get_absolute_url()))
    assert said == (
        "To reach “Themed”: the Learning and Improvement sub-group puts the finding into a "
        "priority theme."
    )
    assert client.get(reverse("learning:collate")).status_code == 403  # why it is not named
    # Its sub-group's member is told the step, and the page that takes it, which opens.
    SubGroupMembershipFactory(subgroup=li, user=member_user)
    client.force_login(member_user)
    said = next_step(client.get(finding.get_absolute_url()))
    assert said == "To reach “Themed”: put the finding into a priority theme (Collate findings)."
    assert client.get(reverse("learning:collate")).status_code == 200


def _theme_at(stage: LoopStage, li, agency):
    """A theme of ``li`` at ``stage``, with a finding about ``agency`` (so its lead reads it)
    and evidence asked of ``agency``; the theme and the evidence."""
    today = timezone.localdate()
    theme = ThemeFactory(subgroup=li)
    FindingFactory(theme=theme, review=None, source="practitioner", agencies=[agency])
    agreed = stage >= LoopStage.OUTCOME_AGREED
    outcome = OutcomeFactory(
        theme=theme,
        decision="agreed" if agreed else "pending",
        decided_on=today if agreed else None,
    )
    if stage >= LoopStage.DELIVERED:
        ActivityFactory(outcome=outcome, planned_on=today, delivered_on=today, reach=20)
    if stage >= LoopStage.PRACTICE_CHECKED:
        CheckFactory(outcome=outcome, agency=agency, checked_on=today, result="improved")
    return theme, EvidenceFactory(outcome=outcome, agency=agency)


@pytest.mark.parametrize(
    ("stage", "theirs"),
    [
        (
            LoopStage.THEMED,
            "the Learning and Improvement sub-group proposes a learning outcome for the theme, "
            "and the Executive agrees it.",
        ),
        (
            LoopStage.OUTCOME_AGREED,
            "the Learning and Improvement sub-group records the delivery of an agreed outcome, "
            "with the day it was delivered.",
        ),
        (
            LoopStage.DELIVERED,
            "the Learning and Improvement sub-group records a practice development check of a "
            "delivered outcome, with the day it was checked and what it found.",
        ),
        (
            LoopStage.PRACTICE_CHECKED,
            "the Learning and Improvement sub-group judges assurance evidence on that outcome "
            "“Assured”, with practice checks that saw practice improve.",
        ),
    ],
)
def test_each_stage_names_who_takes_its_step_to_a_reader_who_may_not(
    client, agency_user, agency, bu_user, li, stage, theirs
):
    theme, evidence = _theme_at(stage, li, agency)
    label = LoopStage(stage + 1).label
    client.force_login(agency_user)
    for url in (theme.get_absolute_url(), evidence.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert next_step(response) == f"To reach “{label}”: {theirs}"
    client.force_login(bu_user)  # who may take it reads the step itself
    said = next_step(client.get(theme.get_absolute_url()))
    assert said == f"To reach “{label}”: {stage.next_step_for()}"
    assert "sub-group" not in said
