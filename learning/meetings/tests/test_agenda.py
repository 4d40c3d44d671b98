"""The agenda proposed to each body: the referrals and the work of its own sub-group."""

import pytest
from django.utils import timezone

from learning.models import AssuranceEvidence
from learning.tests.factories import EvidenceFactory, FindingFactory, OutcomeFactory, ThemeFactory
from reviews.models import Review
from reviews.tests.factories import open_review
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory

from .. import agenda
from ..models import AgendaItem
from .factories import MeetingFactory

pytestmark = pytest.mark.django_db

Subject = AgendaItem.Subject


@pytest.fixture
def li(db):
    return SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)


def test_each_body_is_offered_the_referrals_of_its_own_reviews(bu_user, crp, li, referral):
    """A learning review L&I is responsible for goes on L&I's agenda, not the Panel's (fn #5)."""
    own = open_review(
        by=bu_user, kind=Review.Kind.LEARNING_REVIEW, subgroup=li, title="Neglect of a toddler"
    )
    for body, expected in ((li, own), (crp, referral)):
        proposals = agenda.proposals(bu_user, MeetingFactory(body=body))
        referrals = [p.record for p in proposals if p.subject == Subject.REFERRAL]
        assert referrals == [expected], body


def test_learning_and_improvement_is_offered_its_unthemed_findings_and_evidence_to_judge(
    bu_user, li
):
    """What its members' home pages show them: findings to collate and evidence to judge."""
    qap = SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE)
    meeting = MeetingFactory(body=li)
    assert agenda.proposals(bu_user, meeting) == []
    FindingFactory.create_batch(2, subgroup=li, theme=None)
    FindingFactory(subgroup=qap, theme=None)  # another sub-group's
    FindingFactory(subgroup=li, theme=ThemeFactory(subgroup=li, status="agreed"))
    received = timezone.localdate()
    judge = EvidenceFactory(
        outcome=OutcomeFactory(theme=ThemeFactory(subgroup=li)), received_on=received
    )
    EvidenceFactory(outcome=OutcomeFactory(theme=ThemeFactory(subgroup=li)))  # awaited
    EvidenceFactory(outcome=OutcomeFactory(theme=ThemeFactory(subgroup=qap)), received_on=received)
    EvidenceFactory(
        outcome=OutcomeFactory(theme=ThemeFactory(subgroup=li)),
        received_on=received,
        judgement=AssuranceEvidence.Judgement.ASSURED,
        judged_by=bu_user,
        judged_on=received,
    )
    found = {
        (p.subject, p.title, p.record)
        for p in agenda.proposals(bu_user, meeting)
        if p.subject != Subject.REFERRAL  # the findings' reviews, L&I's too
    }
    assert found == {
        (Subject.FINDINGS, "2 findings not yet in a priority theme", None),
        (Subject.ASSURANCE, judge.title, judge),
    }
