"""A small partnership with one of everything, twice: agency A's ("own") and agency B's ("other").

Built by ``build_world()`` for the access-matrix test (``test_access_matrix.py``): people in each
role, reviews open and restricted, audits, Section 11 returns and the learning loop's records,
each reachable by a name (``world.reviews["open_A"]``).
"""

import datetime
from contextlib import contextmanager
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from audits import services as audit_services
from audits.models import Audit, CaseAuditEntry
from audits.tests.conftest import full_answers
from audits.tests.factories import AuditFactory, CaseAuditEntryFactory, section_11, section_175
from learning import services as learning_services
from learning.models import LearningOutcome, PracticeCheck, TrainingEvaluationStage
from learning.tests.factories import (
    ActionFactory,
    ActivityFactory,
    CheckFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ThemeFactory,
)
from reviews import casefile
from reviews import services as review_services
from reviews.models import ClockPause, ParallelProcess, Review, ReviewAct, ReviewTeamMember
from reviews.tests.factories import ReviewAgencyFactory, open_review
from sscb.dates import financial_year_bounds, financial_year_label, financial_year_of
from sscb.models import SubGroup
from sscb.tests.factories import (
    AgencyFactory,
    StrategicPriorityFactory,
    SubGroupFactory,
    SubGroupMembershipFactory,
    UserFactory,
    install_beat_schedule,
)

# Text that only one record holds, so that a page can be searched for a leak.
OWN_CONCERNS = "Police concerns: strategy discussion held late"
OTHER_CONCERNS = "Social care concerns: no visit for six weeks"
RESTRICTED_TITLE = "Restricted matter under the Case Review Panel"
# open_A's chronology: an entry by each agency; agency A's lead reads only A's.
OWN_CHRONOLOGY = "Police attended the home after a neighbour called"
OTHER_CHRONOLOGY = "Social worker visit cancelled at short notice"
# open_A's documents: a draft only the Business Unit may read there (it has no panel or
# reviewer), an agency report of each agency and the final report.
DRAFT_TITLE = "Overview report, first draft"
# Training registers: agency A's practitioner and agency B's; agency A's lead reads only A's.
OWN_ATTENDEE = "Sam Patel"
OTHER_ATTENDEE = "Alex Morgan"


def build_world() -> SimpleNamespace:
    """Every record the matrix asks about; see the module docstring."""
    today = timezone.localdate()
    agency_a = AgencyFactory(name="West Mercia Police", short_name="Police", kind="police")
    agency_b = AgencyFactory(name="Children's Social Care", short_name="CSC", kind="csc")
    crp = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL)
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    qap = SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE)
    cdop = SubGroupFactory(code=SubGroup.Code.CDOP)

    bu = UserFactory(username="bu", role="business_unit", is_staff=True)
    member = UserFactory(username="member", role="subgroup_member")
    for subgroup in (crp, li, qap):
        SubGroupMembershipFactory(subgroup=subgroup, user=member)
    users = {
        "anonymous": None,
        "business_unit": bu,
        "subgroup_member": member,
        "outside_member": UserFactory(username="outsider", role="subgroup_member"),
        "executive": UserFactory(username="executive", role="executive"),
        "agency_lead": UserFactory(username="agencylead", role="agency_lead", agency=agency_a),
        "independent_reviewer": UserFactory(username="reviewer", role="independent_reviewer"),
    }
    lead, reviewer = users["agency_lead"], users["independent_reviewer"]

    # Reviews -----------------------------------------------------------------------------------
    def review(title, agency, **fields):
        made = open_review(
            by=bu, kind=Review.Kind.RAPID_REVIEW, subgroup=crp, title=title, **fields
        )
        ReviewAgencyFactory(review=made, agency=agency)
        return made

    # Notified and at its rapid review: a meeting may record its decision (held_open below).
    open_a = review("Neglect of a toddler", agency_a, notified_on=today)
    review_services.review_move(review=open_a, to_stage=Review.Stage.RAPID_REVIEW, by=bu)
    open_a.refresh_from_db()
    restricted_panel = review(
        "Injury to an infant", agency_a, is_restricted=True, panel_members=[lead, member]
    )
    # A follow-on of open_A, so that open_A's page names it (as "a restricted review").
    restricted = review(
        RESTRICTED_TITLE,
        agency_a,
        is_restricted=True,
        lead_reviewer=reviewer,
        source_review=open_a,
    )
    # And open_B arose from it, so that open_B's page names its source.
    open_b = review("Exploitation of a teenager", agency_b, source_review=restricted)
    reviews = {
        "open_A": open_a,
        "open_B": open_b,
        "restricted_panel": restricted_panel,
        "restricted": restricted,
    }
    clocks = {name: made.clocks.order_by("pk").first() for name, made in reviews.items()}

    # The case file: agency B takes part in open_A too, and each agency has an entry in it.
    ReviewAgencyFactory(review=open_a, agency=agency_b)
    chronology = {
        name: casefile.chronology_entry_save(
            review=open_a,
            by=bu,
            agency=agency,
            happened_on=datetime.date(2025, 3, 10),
            what_happened=text,
            source="Case record",
        )
        for name, agency, text in (
            ("own", agency_a, OWN_CHRONOLOGY),
            ("other", agency_b, OTHER_CHRONOLOGY),
        )
    }
    team = {
        name: casefile.team_member_add(
            review=made, by=bu, person=bu, role=ReviewTeamMember.Role.BUSINESS_UNIT_SUPPORT
        )
        for name, made in reviews.items()
    }
    documents = {
        name: casefile.document_add(
            review=open_a,
            by=bu,
            kind=kind,
            title=title,
            agency=agency,
            file=SimpleUploadedFile(f"{name}.txt", f"contents of {name}".encode()),
        )
        for name, kind, title, agency in (
            ("draft", "draft_report", DRAFT_TITLE, None),
            ("own_report", "agency_report", "Police agency report", agency_a),
            ("other_report", "agency_report", "Social care agency report", agency_b),
            ("final", "final_report", "Final overview report", None),
        )
    }
    casefile.terms_of_reference_add(
        review=open_a,
        by=bu,
        scope_from=datetime.date(2024, 9, 1),
        scope_to=datetime.date(2025, 3, 10),
        lines_of_enquiry="How was the toddler's daily life seen?",
    )

    # Audits: a case-file audit both agencies take part in, and a themed one for B alone -------
    audit_own = AuditFactory(
        kind=Audit.Kind.CASE_FILE,
        title="Case file audit of strategy discussions",
        lead_subgroup=qap,
        reports_to=qap,
        agencies=[agency_a, agency_b],
    )
    CaseAuditEntryFactory(
        audit=audit_own,
        agency=agency_a,
        pseudonym="Child P",
        grade=CaseAuditEntry.Grade.GOOD,
        concerns=OWN_CONCERNS,
    )
    CaseAuditEntryFactory(
        audit=audit_own,
        agency=agency_b,
        pseudonym="Child Q",
        grade=CaseAuditEntry.Grade.GOOD,
        concerns=OTHER_CONCERNS,
    )
    audit_other = AuditFactory(
        title="Themed audit of neglect in social care",
        lead_subgroup=qap,
        reports_to=qap,
        agencies=[agency_b],
    )

    # Section 11: A's return is a draft, B's is submitted (so it can be moderated) -----------
    # This year's cycle, due within the year (as every cycle is) and not yet past due.
    year = financial_year_of(today)
    cycle = audit_services.audit_cycle_open(
        framework=section_11(),
        title=f"Section 11 audit {financial_year_label(year)}",
        financial_year=year,
        opened_on=today - datetime.timedelta(days=30),
        deadline=min(today + datetime.timedelta(days=60), financial_year_bounds(year)[1]),
        agencies=[agency_a, agency_b],
        by=bu,
    )
    return_own = cycle.returns.get(agency=agency_a)
    return_other = cycle.returns.get(agency=agency_b)
    audit_services.self_assessment_save_draft(
        self_assessment=return_other, answers=full_answers(return_other), by=bu
    )
    audit_services.self_assessment_submit(self_assessment=return_other, by=bu)

    # The learning loop --------------------------------------------------------------------------
    priority = StrategicPriorityFactory(title="Neglect")
    theme_own = ThemeFactory(
        title="Hearing the voice of the child", subgroup=li, priorities=[priority]
    )
    theme_other = ThemeFactory(
        title="Exploitation outside the home", subgroup=li, priorities=[priority]
    )
    # The Child Death Overview Panel's, on which the member does not sit.
    theme_cdop = ThemeFactory(title="Safer sleep", subgroup=cdop, priorities=[priority])
    findings = {
        "own": FindingFactory(
            title="Police did not hear the toddler",
            review=open_a,
            recorded_by=bu,
            subgroup=li,
            theme=theme_own,
            agencies=[agency_a],
        ),
        "other": FindingFactory(
            title="Social care missed the exploitation",
            review=open_b,
            recorded_by=bu,
            subgroup=li,
            theme=theme_other,
            agencies=[agency_b],
        ),
        # Unthemed, from the restricted review: what collate must not let others move.
        "restricted": FindingFactory(
            title="Restricted finding about the police",
            review=restricted,
            recorded_by=bu,
            subgroup=li,
            agencies=[agency_a],
        ),
        # Themed, from the restricted review: how its reviewer sees theme_other.
        "reviewer": FindingFactory(
            title="Restricted finding about social care",
            review=restricted,
            recorded_by=bu,
            subgroup=li,
            theme=theme_other,
            agencies=[agency_b],
        ),
        # Unthemed and visible to members: a finding they may collate.
        "unthemed_own": FindingFactory(
            title="Police chronology was late",
            review=open_a,
            recorded_by=bu,
            subgroup=li,
            agencies=[agency_a],
        ),
    }
    # Agreed by the Executive: its briefing may be published (learning.briefings).
    outcome_own = OutcomeFactory(
        theme=theme_own,
        title="Practitioners record the child's words",
        decision=LearningOutcome.Decision.AGREED,
        decided_on=today - datetime.timedelta(days=30),
    )
    outcome_other = OutcomeFactory(theme=theme_other, title="Exploitation screening in use")
    activities = {
        "own": ActivityFactory(outcome=outcome_own, title="Voice of the child briefing"),
        "other": ActivityFactory(outcome=outcome_other, title="Exploitation briefing"),
    }
    # Both checks under outcome_own: the agency lead sees the theme but only A's check.
    checks = {
        "own": CheckFactory(
            outcome=outcome_own, agency=agency_a, way=PracticeCheck.Way.TRAINING_EVALUATION
        ),
        "other": CheckFactory(
            outcome=outcome_own, agency=agency_b, way=PracticeCheck.Way.TRAINING_EVALUATION
        ),
    }
    stages = {
        name: TrainingEvaluationStage.objects.create(
            practice_check=check,
            stage=TrainingEvaluationStage.Stage.BASELINE,
            due_on=today,
            due_by=today + datetime.timedelta(days=14),
        )
        for name, check in checks.items()
    }
    # Both received, so that the sub-group may judge them; both under outcome_own.
    evidence = {
        name: EvidenceFactory(
            outcome=outcome_own, agency=agency, title=title, received_on=today, summary="Report"
        )
        for name, agency, title in (
            ("own", agency_a, "Police assurance"),
            ("other", agency_b, "CSC assurance"),
        )
    }
    actions = {
        "own": ActionFactory(
            review=open_a, owner_agency=agency_a, subgroup=li, title="Police to retrain officers"
        ),
        # It answers the restricted review's finding: its page must not name that finding to
        # those who may not open the review.
        "other": ActionFactory(
            review=open_b,
            owner_agency=agency_b,
            subgroup=li,
            title="CSC to audit visits",
            finding=findings["restricted"],
        ),
        # Agency A's, under a restricted review the agency lead may not open.
        "restricted_plan": ActionFactory(
            review=restricted, owner_agency=agency_a, subgroup=li, title="Police to review custody"
        ),
    }
    attachments = {}
    for name, parent in (
        ("action_own", actions["own"]),
        ("action_other", actions["other"]),
        ("evidence_own", evidence["own"]),
        ("evidence_other", evidence["other"]),
    ):
        attachments[name] = learning_services.attachment_add(
            parent=parent,
            upload=SimpleUploadedFile(f"{name}.txt", f"contents of {name}".encode()),
            uploaded_by=bu,
        )

    meetings, items, papers = _meetings(
        bu, member, crp, reviews, theme_own, outcome_own, return_other
    )
    indicator_set, indicators = _performance(bu, agency_a, agency_b)
    briefings = _briefings(bu, member, li, outcome_own)
    child_death = _child_death(bu, cdop, agency_a)
    inspection, recommendations, scrutiny_work = _scrutiny(bu, li, agency_a)
    training = _training(li, outcome_own, agency_a, agency_b)

    return SimpleNamespace(
        indicator_set=indicator_set,
        indicators=indicators,
        briefings=briefings,
        cascades={
            "own": briefings["published"].cascades.get(agency=agency_a),
            "other": briefings["published"].cascades.get(agency=agency_b),
        },
        child_death=child_death,
        inspection=inspection,
        recommendations=recommendations,
        scrutiny_work=scrutiny_work,
        training=training,
        meetings=meetings,
        items=items,
        papers=papers,
        agency_a=agency_a,
        agency_b=agency_b,
        subgroups={"crp": crp, "li": li, "qap": qap, "cdop": cdop},
        users=users,
        reviews=reviews,
        clocks=clocks,
        chronology=chronology,
        team=team,
        documents=documents,
        document_versions={name: doc.versions.get() for name, doc in documents.items()},
        audits={"own": audit_own, "other": audit_other},
        frameworks={"section_11": section_11(), "section_175": section_175()},
        cycle=cycle,
        returns={"own": return_own, "other": return_other},
        priority=priority,
        themes={"own": theme_own, "other": theme_other, "cdop": theme_cdop},
        findings=findings,
        outcomes={"own": outcome_own, "other": outcome_other},
        activities=activities,
        checks=checks,
        stages=stages,
        evidence=evidence,
        actions=actions,
        attachments=attachments,
    )


def _performance(bu, agency_a, agency_b):
    """A scorecard with an indicator of each agency, and a value returned for A's long ago:
    agency A's lead sees and submits only A's."""
    from audits.performance.models import Indicator, IndicatorSet, IndicatorValue

    indicator_set = IndicatorSet.objects.create(name="QAP core dataset")
    indicators = {
        name: Indicator.objects.create(
            indicator_set=indicator_set,
            agency=agency,
            name=title,
            unit=Indicator.Unit.PERCENT,
            polarity=Indicator.Polarity.HIGHER,
            target=90,
            tolerance=5,
        )
        for name, agency, title in (
            ("own", agency_a, "Strategy discussions within a working day"),
            ("other", agency_b, "Assessments within 45 working days"),
        )
    }
    IndicatorValue.objects.create(
        indicator=indicators["own"], year=2024, quarter=1, value=88, submitted_by=bu
    )
    return indicator_set, indicators


def _meetings(bu, member, crp, reviews, theme, outcome, submitted_return):
    """Case Review Panel meetings: one planned (an open review and a restricted one on its
    agenda, each with a paper), one held today (items to minute and decide) and an earlier one
    whose circulated minutes the held one approves."""
    from learning.meetings import services as meetings
    from learning.meetings.models import Meeting

    today = timezone.localdate()
    planned = meetings.meeting_schedule(
        body=crp,
        held_on=today + datetime.timedelta(days=14),
        place="Shirehall",
        papers_due_on=today + datetime.timedelta(days=7),
    )
    earlier = meetings.meeting_schedule(
        body=crp, held_on=today - datetime.timedelta(days=42), place="Shirehall"
    )
    held = meetings.meeting_schedule(body=crp, held_on=today, place="Shirehall")
    items = {
        "open": meetings.item_add(
            meeting=planned,
            subject="referral",
            title=reviews["open_B"].title,
            review=reviews["open_B"],
            presenter=member,
        ),
        "restricted": meetings.item_add(
            meeting=planned, title=RESTRICTED_TITLE, review=reviews["restricted"]
        ),
        "held_open": meetings.item_add(
            meeting=held, subject="rapid_review", title="Rapid review", review=reviews["open_A"]
        ),
        "held_restricted": meetings.item_add(
            meeting=held, title=RESTRICTED_TITLE, review=reviews["restricted"]
        ),
        "held_outcome": meetings.item_add(meeting=held, title=outcome.title, outcome=outcome),
        "held_theme": meetings.item_add(meeting=held, title=theme.title, theme=theme),
        "held_minutes": meetings.item_add(
            meeting=held, subject="minutes", title="Minutes", minutes_of=earlier
        ),
        "held_return": meetings.item_add(
            meeting=held, subject="return", title="A return", self_assessment=submitted_return
        ),
    }
    papers = {
        name: meetings.paper_add(
            item=items[name],
            upload=SimpleUploadedFile(f"{name}.txt", f"paper for {name}".encode()),
            uploaded_by=bu,
        )
        for name in ("open", "restricted")
    }
    for meeting in (earlier, held):
        meetings.meeting_move(meeting=meeting, to=Meeting.Status.HELD)
    # Minutes are circulated once an item has them.
    meetings.item_minute(
        item=meetings.item_add(meeting=earlier, title="Notifications received"),
        notes="Two notifications discussed.",
        decision="",
    )
    meetings.meeting_move(meeting=earlier, to=Meeting.Status.MINUTES_CIRCULATED)
    meetings.attendance_record(
        meeting=held, rows=[{"person": member, "agency": None, "status": "present"}]
    )
    return {"planned": planned, "held": held, "earlier": earlier}, items, papers


def _briefings(bu, member, li, outcome) -> dict:
    """L&I's briefings, written by the member, at each stage: a draft, one awaiting approval,
    one approved, and one published (sent to agencies A and B, neither confirmed yet)."""
    from learning.briefings import services as briefings

    def write(title, *steps):
        made = briefings.briefing_write(
            by=member,
            subgroup=li,
            theme=outcome.theme,
            outcome=outcome,
            title=title,
            what_happened="Child M told a teacher that nobody listened.",
            why_it_matters="A child's words are evidence.",
            what_to_do="Write down what the child said.",
            questions="When did you last hear a child?",
        )
        for step in steps:
            step(made)
        return made

    def submit(made):
        briefings.briefing_submit(briefing=made, by=member)

    def reword(made):
        # Edited after submission: its first version is kept, and it goes back to draft.
        briefings.briefing_edit(
            briefing=made,
            by=member,
            outcome=outcome,
            **{name: getattr(made, name) for name in ("what_happened", "why_it_matters")},
            what_to_do="Write down what the child said, in their words.",
            questions="When did you last hear a child?",
            title=made.title,
            further_reading="",
        )

    def approve(made):
        briefings.briefing_approve(briefing=made, by=bu)

    def publish(made):
        briefings.briefing_publish(briefing=made, by=member)

    return {
        "draft": write("Draft briefing on hearing Child M"),
        "submitted": write("Briefing awaiting the chair", submit, reword, submit),
        "approved": write("Briefing ready to publish", submit, approve),
        "published": write("Published briefing on hearing children", submit, approve, publish),
    }


def _child_death(bu, cdop, agency):
    """A child death review at CDOP (agency A involved), with CDOP's record of the death."""
    from reviews.child_death_data import install
    from reviews.models import AgeBand, DeathCategory

    install(DeathCategory, AgeBand)  # a browser test's emptied database has lost them
    for reference in (DeathCategory.objects.get(number=10), AgeBand.objects.get(position=2)):
        reference.save()  # an edit, as the Business Unit makes in the admin: its history page
    made = open_review(
        by=bu, kind=Review.Kind.CHILD_DEATH, subgroup=cdop, title="Death of an infant (Child E)"
    )
    ReviewAgencyFactory(review=made, agency=agency)
    from learning.meetings.models import Meeting

    panel = Meeting.objects.create(
        body=cdop, held_on=made.referred_on, status=Meeting.Status.HELD
    )  # the panel reviewed the death: its category is the panel's
    review_services.child_death_record(
        review=made,
        by=bu,
        notified_on=made.referred_on,
        meeting=panel,
        category=DeathCategory.objects.get(number=10),
        modifiable_factors="insufficient",
        expectedness="unexpected",
        age_band=AgeBand.objects.get(position=2),
        ncmd_reference="NCMD-0001",
    )
    return made


def _scrutiny(bu, li, agency):
    """A JTAI monitored by L&I with two recommendations: one already a finding and an action of
    agency A ("done"), one not yet anything ("open")."""
    from learning.scrutiny import services as scrutiny

    inspection = scrutiny.inspection_save(
        kind="jtai",
        title="JTAI: the response to children living with neglect",
        carried_out_by="Ofsted, CQC, HMICFRS and HMIP",
        started_on=datetime.date(2025, 5, 12),
        reported_on=datetime.date(2025, 7, 1),
        scope="The multi-agency response to neglect.",
        judgement="Not graded",
        subgroup=li,
        agencies=[agency],
    )
    done = scrutiny.recommendation_save(
        inspection=inspection, text="Police to share information sooner.", agency=agency
    )
    pending = scrutiny.recommendation_save(
        inspection=inspection, text="Partners to hear the child's voice.", agency=None
    )
    finding = scrutiny.recommendation_to_finding(recommendation=done, by=bu)
    action = scrutiny.recommendation_to_action(
        recommendation=done,
        owner_agency=agency,
        due_on=timezone.localdate() + datetime.timedelta(days=60),
    )
    return inspection, {"done": done, "open": pending}, {"finding": finding, "action": action}


def _training(li, outcome, agency_a, agency_b):
    """A course of the L&I sub-group serving outcome_own: a session delivered yesterday (an
    attendee of each agency; A's after-session questionnaire open by its link, B's answered), one
    held today not yet recorded as delivered, and one in a fortnight with a booking."""
    from learning.training import services as training
    from learning.training.models import Attendee, Questionnaire

    today = timezone.localdate()
    course = training.course_save(
        title="Hearing the child: core module",
        kind="core_training",
        subgroup=li,
        summary="Multi-agency core module.",
        learning_points="Recording the child's own words\nAsking about daily life",
        outcomes=[outcome],
    )

    def session(days):
        return training.session_save(
            course=course,
            held_on=today + datetime.timedelta(days=days),
            trainer="Dana Reid",
            venue="Shirehall, Shrewsbury",
            places=12,
        )

    def attendee(on, agency, name, status=Attendee.Status.ATTENDED):
        first = name.split()[0].lower()
        return training.attendee_add(
            session=on,
            agency=agency,
            name=name,
            email=f"{first}@{agency.short_name.lower()}.example",
            manager_email=f"manager.{first}@{agency.short_name.lower()}.example",
            status=status,
        )

    sessions = {"delivered": session(-1), "held": session(0), "upcoming": session(14)}
    attendees = {
        "own": attendee(sessions["delivered"], agency_a, OWN_ATTENDEE),
        "other": attendee(sessions["delivered"], agency_b, OTHER_ATTENDEE),
        "held": attendee(sessions["held"], agency_a, "Chris Lee"),
        "booked": attendee(sessions["upcoming"], agency_a, "Robin Shaw", Attendee.Status.BOOKED),
    }
    training.session_deliver(session=sessions["delivered"])
    tokens = {}
    for name in ("own", "other"):
        questionnaire = Questionnaire.objects.create(
            attendee=attendees[name], stage=Questionnaire.Stage.IMMEDIATE
        )
        tokens[name] = training.link_issue(
            questionnaire=questionnaire, sent_to=attendees[name].email
        )
    training.questionnaire_answer(
        link=Questionnaire.objects.get(attendee=attendees["other"]).links.get(),
        ratings=[4, 5],
        doing_differently="Ask each child about their day.",
    )
    return SimpleNamespace(
        course=course,
        sessions=sessions,
        attendees=attendees,
        tokens={"open": tokens["own"], "answered": tokens["other"]},
    )


def add_admin_rows(world) -> None:
    """A row for each model the Django admin lists that the world has none of, so that every
    admin page for one record can be opened."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django_celery_beat.models import ClockedSchedule, IntervalSchedule, SolarSchedule

    from audits.models import Framework, Standard, StandardAssessment
    from sscb.models import (
        AccessLogEntry,
        DisposalCandidate,
        DisposalRecord,
        Reminder,
        ReminderSweep,
        RetentionRule,
    )

    install_beat_schedule()  # the migrations' rows, should a flush have taken them
    now = timezone.now()
    bu = world.users["business_unit"]
    someone = UserFactory(username="someone-else", role="subgroup_member")
    Group.objects.create(name="Matrix group")
    IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    SolarSchedule.objects.create(event="sunrise", latitude="52.7", longitude="-2.7")
    ClockedSchedule.objects.create(clocked_time=now)
    visit = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "someone-else"}
    AccessAttempt.objects.create(
        **visit,
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    AccessLog.objects.create(**visit, http_accept="*/*", path_info="/accounts/login/")
    AccessFailureLog.objects.create(**visit, http_accept="*/*", path_info="/accounts/login/")
    EmailAddress.objects.create(user=someone, email="someone-else@example.org")
    Authenticator.objects.create(user=someone, type=Authenticator.Type.TOTP, data={})
    world.someone_elses_key = Authenticator.objects.create(
        user=someone, type=Authenticator.Type.WEBAUTHN, data={"name": "Their key"}
    )
    # Rows installed without history (reference data, answers made in bulk) get a history row.
    for model in (Framework, Standard, StandardAssessment):
        model.objects.order_by("pk").first().save()
    # A pause for the admin's list of pauses. The world's reviews are rapid reviews, whose
    # deadline nothing pauses any more (reviews.clocks.ClockRule.never_paused): a row as one
    # recorded before that rule would stand.
    ClockPause.objects.create(
        clock=world.clocks["restricted_panel"],
        paused_on=timezone.localdate(),
        reason="Inquest listed",
        paused_by=bu,
    )
    review = world.reviews["open_A"]
    ParallelProcess.objects.create(
        review=review, kind=ParallelProcess.Kind.CORONER, description="Inquest opened"
    )
    review_services.review_record_act(
        review, ReviewAct.Kind.PANEL_TOLD, timezone.localdate(), bu, summary="By email"
    )
    Reminder.objects.create(
        key="matrix",
        recipient=bu,
        kind=Reminder.Kind.choices[0][0],
        subject_type=ContentType.objects.get_for_model(review),
        subject_id=review.pk,
        title="A reminder",
        url="/",
        due_on=timezone.localdate(),
    )
    ReminderSweep.objects.create(day=timezone.localdate(), token="matrix")
    if not AccessLogEntry.objects.exists():
        AccessLogEntry.objects.create(user=bu, username="bu", action="view", record="x")
    # The retention schedule (installed by a migration, which a flushed database has lost) with
    # a history row, a record listed for disposal and an entry in the disposal log.
    rule, _ = RetentionRule.objects.get_or_create(
        kind="review", defaults={"years": 15, "counted_from": "review_closed", "source": "x"}
    )
    rule.save()
    world.disposal_candidate = DisposalCandidate.objects.create(
        kind="review",
        object_id=review.pk,
        reference=review.reference,
        counted_from_on=timezone.localdate(),
        due_on=timezone.localdate(),
    )
    DisposalRecord.objects.create(
        kind="finding",
        object_id=0,
        reference="Finding 0",
        rule="6 years from the finding was recorded",
        counted_from_on=timezone.localdate(),
        disposed_on=timezone.localdate(),
        disposed_by=bu,
        username="bu",
    )


@contextmanager
def world_with_admin_rows(django_db_blocker, media_root: str):
    """The world with every admin's inline rows, built once for a module's tests (its
    ``world`` fixture) in a transaction rolled back after them."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        built = build_world()
        add_admin_rows(built)
        yield built
        transaction.set_rollback(True)
