"""Records in two financial years (2024/25 and 2025/26) for the dashboard's tests, seen from
15 February 2026. Each figure the tests expect is worked out in the comments beside the records."""

import datetime

from django.contrib.contenttypes.models import ContentType

from audits.models import SelfAssessment, StandardAssessment
from audits.tests.factories import AuditCycleFactory, SelfAssessmentFactory, section_11, section_175
from learning.models import (
    Action,
    AssuranceEvidence,
    LearningOutcome,
    PracticeCheck,
    PriorityTheme,
)
from learning.tests.factories import (
    ActionFactory,
    ActivityFactory,
    CheckFactory,
    EvidenceFactory,
    OutcomeFactory,
    ThemeFactory,
)
from reviews.models import Review, ReviewClock
from reviews.tests.factories import ReviewFactory
from sscb.models import Reminder, SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory, UserFactory

TODAY = datetime.date(2026, 2, 15)
D = datetime.date


def clock(review, kind, *, started, amber, due, paused=None, met=None):
    return ReviewClock.objects.create(
        review=review,
        kind=kind,
        regime=review.regime,
        started_on=started,
        amber_on=amber,
        due_on=due,
        paused_on=paused,
        pause_reason="Criminal trial" if paused else "",
        met_on=met,
    )


def build():
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    crp = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL)
    SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE)
    police = AgencyFactory(name="West Mercia Police", short_name="Police")
    csc = AgencyFactory(name="Children's Social Care", short_name="CSC")

    # Reviews. 2025/26: open during R1 R2 R4; started R2 R4; completed R2; published R2.
    # 2024/25: open during R1 R3; started R1 R3; completed R3.
    r1 = ReviewFactory(
        kind=Review.Kind.SCR, subgroup=crp, referred_on=D(2024, 6, 1), stage="analysis"
    )
    r2 = ReviewFactory(
        subgroup=li,
        referred_on=D(2025, 5, 1),
        completed_on=D(2025, 12, 1),
        published_on=D(2026, 1, 10),
        stage="published",
    )
    r3 = ReviewFactory(
        subgroup=li,
        referred_on=D(2024, 5, 1),
        completed_on=D(2024, 12, 1),
        closed_on=D(2025, 2, 1),
        stage="closed",
    )
    r4 = ReviewFactory(
        kind=Review.Kind.CHILD_DEATH,
        subgroup=crp,
        referred_on=D(2025, 7, 1),
        stage="referral",
        is_restricted=True,
    )
    # Clocks today: R1 red (its amber clock does not count twice); R2 amber (its paused clock
    # was green when it paused, though its due date has since passed).
    clock(r1, "notification", started=D(2025, 7, 1), amber=D(2025, 12, 1), due=D(2026, 1, 1))
    clock(r1, "rapid_review", started=D(2025, 7, 1), amber=D(2026, 2, 1), due=D(2026, 3, 1))
    clock(r2, "notification", started=D(2025, 7, 1), amber=D(2026, 2, 1), due=D(2026, 3, 1))
    clock(
        r2,
        "lcspr_publication",
        started=D(2025, 5, 1),
        amber=D(2025, 11, 1),
        due=D(2025, 12, 1),
        paused=D(2025, 10, 1),
    )
    clock(
        r3,
        "notification",
        started=D(2024, 5, 1),
        amber=D(2024, 5, 5),
        due=D(2024, 5, 8),
        met=D(2024, 5, 7),
    )

    # Actions due in 2025/26: Police a1 on time, a2 late, a3 overdue (red, escalated to chair
    # and Business Unit); CSC a4 amber (due in 5 days), a5 green, a6 cancelled (green), a7
    # amber (at risk). On time: 1 of 3 whose due date has passed or that are done = 33%.
    def action(agency, due, **fields):
        return ActionFactory(review=r2, subgroup=li, owner_agency=agency, due_on=due, **fields)

    action(police, D(2025, 6, 1), status="complete", completed_on=D(2025, 5, 30))
    action(police, D(2025, 7, 1), status="complete", completed_on=D(2025, 7, 10))
    a3 = action(police, D(2026, 1, 10))
    action(csc, D(2026, 2, 20))
    action(csc, D(2026, 3, 30))
    action(csc, D(2025, 9, 1), status="cancelled")
    action(csc, D(2026, 3, 20), at_risk=True)
    # 2024/25: b1 on time, b2 overdue (past both escalation thresholds today). 1 of 2 = 50%.
    action(police, D(2024, 10, 1), status="complete", completed_on=D(2024, 9, 1))
    b2 = action(csc, D(2025, 1, 1))
    chair = UserFactory(username="chair")
    ct = ContentType.objects.get_for_model(Action)
    for subject, level in [(a3, 1), (a3, 2), (b2, 1), (b2, 0)]:
        Reminder.objects.create(
            key=f"overdue:{subject.pk}:{level}",
            recipient=chair,
            kind=Reminder.Kind.ACTION_OVERDUE,
            level=level,
            subject_type=ct,
            subject_id=subject.pk,
            title=subject.title,
            url="/",
            due_on=subject.due_on,
            status=Reminder.Status.SENT,
        )

    # Themes (L&I), one at each loop stage from themed to assured. A stage counts only through
    # the ones before it on the same outcome, so T3-T5 each have one outcome agreed in 2023/24
    # and what T4 and T5 delivered and T5 checked is dated then too: this year's and last year's
    # figures count only the steps named here.
    judge = UserFactory(username="judge")
    ThemeFactory(title="T1 themed", subgroup=li)
    t2 = ThemeFactory(title="T2 outcome agreed", subgroup=li)
    OutcomeFactory(theme=t2, decision=LearningOutcome.Decision.AGREED, decided_on=D(2025, 6, 1))

    def agreed_outcome(theme, delivered=False, checked=False):
        outcome = OutcomeFactory(
            theme=theme, decision=LearningOutcome.Decision.AGREED, decided_on=D(2024, 1, 10)
        )
        if delivered:
            ActivityFactory(
                outcome=outcome, planned_on=D(2024, 1, 15), delivered_on=D(2024, 2, 1), reach=10
            )
        if checked:
            CheckFactory(
                outcome=outcome,
                agency=police,
                checked_on=D(2024, 3, 1),
                result=PracticeCheck.Result.IMPROVED,
            )
        return outcome

    t3 = ThemeFactory(title="T3 delivered", subgroup=li)
    o3 = agreed_outcome(t3)
    ActivityFactory(outcome=o3, delivered_on=D(2025, 6, 1), reach=40)
    ActivityFactory(outcome=o3, delivered_on=D(2024, 6, 1), reach=15)
    t4 = ThemeFactory(title="T4 practice checked", subgroup=li)
    o4 = agreed_outcome(t4, delivered=True)
    CheckFactory(
        outcome=o4,
        agency=police,
        checked_on=D(2025, 8, 1),
        result=PracticeCheck.Result.IMPROVED,
    )
    t5 = ThemeFactory(title="T5 assured", subgroup=li)
    o5 = agreed_outcome(t5, delivered=True, checked=True)
    # Each theme was recorded in 2023/24, before either year the figures count: a past year
    # counts only the themes there by its end (learning.selectors.theme_existed_on).
    PriorityTheme.objects.filter(subgroup=li).update(
        created_at=datetime.datetime(2023, 4, 3, 9, tzinfo=datetime.UTC)
    )

    def evidence(outcome, agency, judgement, judged_on, **fields):
        return EvidenceFactory(
            outcome=outcome,
            agency=agency,
            judgement=judgement,
            received_on=judged_on,
            judged_on=judged_on,
            judged_by=judge,
            **fields,
        )

    # Judged in 2025/26: T5 assured (Police), T4 partly (CSC). In 2024/25: T3 not assured.
    evidence(o5, police, "assured", D(2025, 10, 1), summary="Referrals now name the history.")
    evidence(o4, csc, "partly", D(2025, 11, 1))
    evidence(o3, police, "not_assured", D(2024, 12, 1))
    # Requested and not received: one outstanding.
    EvidenceFactory(outcome__theme=t2, agency=csc, judgement=AssuranceEvidence.Judgement.PENDING)
    # T5's learning came from R2: its assured evidence is impact of that review.
    from learning.tests.factories import FindingFactory

    FindingFactory(review=r2, theme=t5, subgroup=li, title="History was not read")

    # Section 11 in 2025/26: Police returned (standard 1 moderated partly met, standard 2 met),
    # CSC not started and late. Section 175 in 2024/25.
    cycle = AuditCycleFactory(
        framework=section_11(),
        financial_year=2025,
        title="Section 11 audit 2025/26",
        opened_on=D(2025, 5, 1),
        deadline=D(2025, 7, 31),
    )
    returned = SelfAssessmentFactory(
        cycle=cycle,
        agency=police,
        status=SelfAssessment.Status.SUBMITTED,
        submitted_at=datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC),
    )
    standards = list(cycle.framework.standards.order_by("number"))
    StandardAssessment.objects.create(
        self_assessment=returned, standard=standards[0], self_score=1, moderated_score=2
    )
    StandardAssessment.objects.create(self_assessment=returned, standard=standards[1], self_score=3)
    SelfAssessmentFactory(cycle=cycle, agency=csc)
    AuditCycleFactory(
        framework=section_175(),
        financial_year=2024,
        title="Section 175 audit 2024/25",
        opened_on=D(2024, 5, 1),
        deadline=D(2024, 7, 31),
    )
    return {
        "li": li,
        "crp": crp,
        "police": police,
        "csc": csc,
        "reviews": [r1, r2, r3, r4],
        "cycle": cycle,
    }
