"""Demo data for the learning loop: two reviews and an audit followed round to assured evidence.

The story: an SCR (Child A) and a learning review (three siblings) both found that cumulative
neglect was missed; a QAP themed audit found the child's voice seldom recorded. The L&I
sub-group collated these into themes, the Executive agreed an outcome, training and a briefing
were delivered, practice was checked, and assurance evidence was judged — with some actions
overdue, some due soon, and evidence still awaited from the police, so that every screen has
something to show.
"""

import datetime

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from audits.models import Audit
from audits.performance.demo import CORE_DATASET
from audits.performance.models import IndicatorSet
from audits.performance.selectors import last_ended_quarter
from audits.selectors import standards_not_met
from reviews.models import Review
from sscb.models import Agency, StrategicPriority, SubGroup, User
from sscb.reminders import reminders_sweep

from . import services
from .models import Action, DeliveryActivity, Finding, PracticeCheck, PriorityTheme

NEGLECT_THEME = "Seeing cumulative harm in chronic neglect"


@transaction.atomic
def load():
    if PriorityTheme.objects.filter(title=NEGLECT_THEME).exists():
        return
    today = timezone.localdate()

    def days(n):
        return today + datetime.timedelta(days=n)

    users = {user.username: user for user in User.objects.all()}
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    groups = {group.code: group for group in SubGroup.objects.all()}
    priorities = {p.title: p for p in StrategicPriority.objects.all()}
    member, executive, qapchair = users["member"], users["executive"], users["qapchair"]
    li, qap = groups[SubGroup.Code.LEARNING_IMPROVEMENT], groups[SubGroup.Code.QUALITY_ASSURANCE]
    scr = Review.objects.filter(kind=Review.Kind.SCR).order_by("referred_on").first()
    siblings = Review.objects.filter(title="Chronic neglect across three siblings").first()
    audit = Audit.objects.filter(title__startswith="Neglect: ").first()

    def finding(title, detail, source, agency_names, **extra):
        return services.finding_save(
            recorded_by=member,
            title=title,
            detail=detail,
            source=source,
            subgroup=li,
            identified_on=extra.pop("identified_on", days(-150)),
            agencies=[agencies[name] for name in agency_names],
            **extra,
        )

    missed = finding(
        "Health visitor concerns about home conditions were not shared",
        "Child A's health visitor recorded poor home conditions on four visits; none was "
        "shared with children's social care until the hospital admission.",
        Finding.Source.SERIOUS_CASE_REVIEW,
        ["ICB", "CSC"],
        review=scr,
    )
    cumulative = finding(
        "Cumulative harm missed because each referral was assessed alone",
        "Eleven referrals about the three siblings over four years were each closed at the "
        "front door; no one read them together.",
        Finding.Source.LEARNING_REVIEW,
        ["CSC", "Police"],
        review=siblings,
    )
    tool = finding(
        "Health visitors use the neglect assessment tool well",
        "The audit found the tool completed and acted on in 9 of 10 health visiting cases.",
        Finding.Source.QUALITY_ASSURANCE,
        ["ICB"],
        nature=Finding.Nature.STRENGTH,
        audit=audit,
    )
    voice = finding(
        "The child's own words were seldom recorded",
        "In 14 of 20 cases audited, records said what adults thought the child felt; the "
        "child's own words were absent.",
        Finding.Source.QUALITY_ASSURANCE,
        ["CSC", "Police", "Education"],
        audit=audit,
    )
    finding(
        "Practitioners unsure how to escalate a disagreement",
        "At the practitioner event, staff from three agencies did not know the escalation "
        "policy existed.",
        Finding.Source.PRACTITIONER_FEEDBACK,
        ["CSC", "Police"],
        identified_on=days(-20),
    )
    finding(
        "Police did not share domestic abuse notifications with schools",
        "Two of the eight case files showed no Operation Encompass notification.",
        Finding.Source.QUALITY_ASSURANCE,
        ["Police"],
        audit=audit,
        identified_on=days(-12),
    )

    neglect = services.theme_save(
        title=NEGLECT_THEME,
        description="Agencies see single incidents; children live with the accumulation.",
        subgroup=li,
        priorities=[priorities["Neglect"]],
    )
    services.theme_collate(theme=neglect, findings=[missed, cumulative, tool])
    services.theme_move(theme=neglect, to=PriorityTheme.Status.AGREED, on=days(-140))
    services.theme_move(theme=neglect, to=PriorityTheme.Status.ACTIVE, on=days(-120))

    child_voice = services.theme_save(
        title="Hearing and recording the voice of the child",
        description="What children say should shape what we do.",
        subgroup=li,
        priorities=[priorities["Voice of the child"]],
    )
    services.theme_collate(theme=child_voice, findings=[voice])
    services.theme_move(theme=child_voice, to=PriorityTheme.Status.AGREED, on=days(-30))
    services.outcome_save(
        theme=child_voice,
        title="Every assessment records the child's own words and what was done about them",
        schedule="Briefing in the next quarter; practice standard agreed with all agencies.",
        impact_measure="Re-audit of 20 cases in nine months: the child's words in 16 or more.",
        executive_on=days(12),
        evaluate_on=days(270),
    )

    outcome = services.outcome_save(
        theme=neglect,
        title="Practitioners read the history and name cumulative harm in every neglect case",
        schedule="1. Update the core neglect module (Training sub-group).\n"
        "2. Publish a 7-minute briefing.\n3. Multi-agency event for front-door managers.",
        impact_measure="Training evaluation at three stages; QAP re-audit of neglect cases; "
        "feedback from parents.",
        executive_on=days(-110),
        evaluate_on=days(60),
        follow_up_on=days(180),
    )
    services.outcome_decide(
        outcome=outcome,
        decision="agreed",
        notes="Agreed. Partners to release front-door managers for the event.",
        decided_by=executive,
        decided_on=days(-110),
    )
    module = services.activity_save(
        outcome=outcome,
        way=DeliveryActivity.Way.CORE_TRAINING,
        title="Neglect module: chronologies and cumulative harm",
        audience="All practitioners attending core training",
        planned_on=days(-80),
        delivered_on=days(-75),
        reach=126,
    )
    services.activity_save(
        outcome=outcome,
        way=DeliveryActivity.Way.BRIEFING,
        title="7-minute briefing: seeing the whole history",
        audience="All partner agency staff",
        planned_on=days(-90),
        delivered_on=days(-88),
        reach=430,
    )
    services.activity_save(
        outcome=outcome,
        way=DeliveryActivity.Way.THEMED_EVENT,
        title="Front-door managers' event on cumulative harm",
        audience="MASH and early help managers",
        planned_on=days(25),
    )

    evaluation = services.practice_check_save(
        outcome=outcome,
        activity=module,
        agency=agencies["CSC"],
        way=PracticeCheck.Way.TRAINING_EVALUATION,
        baseline_on=days(-82),
    )
    baseline, immediate, _follow_up = evaluation.stages.all()
    services.evaluation_stage_complete(
        stage=baseline, completed_on=days(-82), responses=31, confidence=4
    )
    services.evaluation_stage_complete(
        stage=immediate, completed_on=days(-75), responses=29, confidence=8
    )
    services.practice_check_save(
        outcome=outcome,
        agency=agencies["ICB"],
        way=PracticeCheck.Way.SINGLE_AGENCY_AUDIT,
        checked_on=days(-30),
        result=PracticeCheck.Result.IMPROVED,
        summary="Health visiting audit: history considered in 17 of 20 records, up from 8.",
    )

    # The performance framework's measures of neglect, and QAP's reading of its scorecard.
    core = IndicatorSet.objects.filter(name=CORE_DATASET).first()
    if core is not None:
        services.practice_check_save(
            outcome=outcome,
            agency=agencies["CSC"],
            way=PracticeCheck.Way.PERFORMANCE,
            checked_on=days(-10),
            result=PracticeCheck.Result.PARTLY,
            summary="Fewer plans last two years or more; repeat plans still above target.",
            indicators=list(
                core.indicators.filter(
                    name__in=[
                        "Child protection plans lasting 2 years or more",
                        "Children subject to a second or subsequent child protection plan",
                    ]
                )
            ),
        )
        year, quarter = last_ended_quarter()
        services.evidence_save(
            outcome=outcome,
            way="performance_data",
            title="QAP scorecard: neglect measures for the last quarter",
            scorecard=core,
            scorecard_year=year,
            scorecard_quarter=quarter,
        )
    audited = services.evidence_save(
        outcome=outcome,
        way="multi_agency_audit",
        agency=agencies["CSC"],
        title="QAP re-audit of neglect cases",
        requested_on=days(-60),
        due_on=days(-20),
    )
    services.evidence_provide(
        evidence=audited,
        summary="Chronologies present and analysed in 15 of 18 cases (5 of 18 last year).",
        received_on=days(-22),
    )
    services.evidence_judge(
        evidence=audited,
        judgement="assured",
        reason="A clear, sustained improvement across agencies.",
        judged_by=qapchair,
    )
    feedback = services.evidence_save(
        outcome=outcome,
        way="service_user_feedback",
        title="Parents' feedback on the neglect pathway",
        requested_on=days(-40),
    )
    services.evidence_provide(
        evidence=feedback,
        summary="9 of 12 parents said workers understood their family's history.",
        received_on=days(-5),
    )
    services.evidence_save(
        outcome=outcome,
        way="agency_report",
        agency=agencies["Police"],
        title="Police assurance report on neglect referrals",
        requested_on=days(-30),
        due_on=days(7),
    )

    def action(title, agency, due, description, **plan):
        return services.action_create(
            title=title,
            description=description,
            owner_agency=agencies[agency],
            owner=users["agency"] if agency == "Police" else None,
            subgroup=plan.pop("subgroup", li),
            due_on=due,
            **plan,
        )

    def backdate(item, **fields):
        # Demo only: actions are created today, so move their dates into the past directly,
        # in the action's newest version too, so that its history starts from what it holds.
        Action.objects.filter(pk=item.pk).update(**fields)
        newest = Action.history.filter(id=item.pk).order_by("-history_date", "-history_id")
        Action.history.filter(pk=newest.values("pk")[:1]).update(**fields)
        item.refresh_from_db()

    shared = action(
        "Add a home-conditions prompt to health visiting records",
        "ICB",
        days(30),
        "Health visitors record the home's conditions at every visit, so that a slow decline "
        "is seen across visits rather than judged one visit at a time.",
        review=scr,
        finding=missed,
    )
    backdate(shared, due_on=days(-100), created_at=timezone.now() - datetime.timedelta(days=200))
    services.action_report_progress(
        action=shared,
        progress="Prompt added to the record template.",
        at_risk=False,
        completed_on=days(-105),
        completion_evidence="Template change notice and screenshot of the new prompt.",
    )
    services.action_sign_off(action=shared, signed_off_by=member, follow_up_on=days(1))
    backdate(shared, signed_off_on=days(-95))
    services.action_update(action=shared, follow_up_on=days(-3))

    chronology = action(
        "Chronology training for every team manager",
        "CSC",
        days(30),
        "A half-day session for every team manager on building and reading a chronology, "
        "with the siblings' case as the worked example; attendance recorded by team.",
        review=siblings,
        finding=cumulative,
    )
    backdate(chronology, due_on=days(-14))
    services.action_report_progress(
        action=chronology, progress="Two of five sessions delivered.", at_risk=True
    )
    long_overdue = action(
        "Publish the revised escalation policy",
        "CSC",
        days(30),
        "The policy names who escalates a disagreement about a child's plan, to whom and "
        "within how many days; published on the partnership's procedures site.",
        review=siblings,
    )
    backdate(long_overdue, due_on=days(-35))  # past every escalation step: owner, chair, BU
    action(
        "Share domestic abuse notifications with schools within 24 hours",
        "Police",
        days(9),
        "Operation Encompass: the school's designated safeguarding lead hears of a domestic "
        "abuse incident at the child's home before the next school day.",
        audit=audit,
        subgroup=qap,
    )
    action(
        "Record the child's own words in every domestic abuse report",
        "Police",
        days(60),
        "Officers attending a domestic abuse incident write down what each child said, in the "
        "child's words, in the report shared with children's social care.",
        audit=audit,
        subgroup=qap,
    )
    done = action(
        "Refresh the neglect strategy",
        "CSC",
        days(20),
        "Rewrite the strategy around cumulative harm and the graded care profile, with the "
        "partners' leads, for the Executive's approval.",
        outcome=outcome,
    )
    services.action_report_progress(
        action=done,
        progress="Strategy refreshed and approved.",
        at_risk=False,
        completed_on=today,
        completion_evidence="Strategy v3 approved by the Executive.",
    )
    not_met = standards_not_met().select_related("self_assessment__agency").first()
    if not_met is not None:
        action(
            f"Meet Section 11 standard {not_met.standard.number}: {not_met.standard.title}",
            not_met.self_assessment.agency.short_name,
            days(45),
            f"Moderation found this standard not met: {not_met.moderation_comment}"
            if not_met.moderation_comment
            else "Moderation found this standard not met.",
            standard_assessment=not_met,
            subgroup=qap,
        )

    # Run the first reminder sweep, so that every item and every person has reminders to show.
    # The demo keeps these emails in memory rather than printing them all at start-up.
    reminders_sweep(
        today=today,
        email_connection=get_connection("django.core.mail.backends.locmem.EmailBackend"),
    )
