"""Demo case reviews: a dozen realistic reviews across every kind and stage (idempotent).

Dates are relative to today so that the clocks look live: some on track, some due soon, one
past due and one paused for a criminal trial. One review is restricted.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from sscb.models import Agency, SubGroup, User

from . import casefile, lifecycle, services
from .child_death_data import install as install_child_death_data
from .models import (
    AgeBand,
    ChildDeathDetails,
    DeathCategory,
    ParallelProcess,
    Review,
    ReviewAgency,
    ReviewTeamMember,
)

K = Review.Kind
S = Review.Stage
D = Review.Decision


def _days(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def _walk(review, to_stage, by, on=None):
    """Move a review along its kind's main path up to ``to_stage``, on the day ``on`` (today).
    Scoping ends with terms of reference agreed that day, unless some are agreed already."""
    path = lifecycle.stages_for(review.kind)
    while review.stage != to_stage:
        here = path.index(review.stage)
        target = (
            to_stage if to_stage in lifecycle.allowed_moves(review.kind, review.stage) else None
        )
        if review.stage == S.SCOPING and lifecycle.terms_refusal(review):
            _terms(review, by, on or timezone.localdate())
        services.review_move(review=review, to_stage=target or path[here + 1], by=by, on=on)
        review.refresh_from_db()
    return review


def _terms(review, by, agreed_on):
    """Terms of reference agreed by the review's sub-group on ``agreed_on``."""
    casefile.terms_of_reference_add(
        review=review,
        by=by,
        scope_from=review.referred_on - datetime.timedelta(days=365),
        scope_to=review.referred_on,
        lines_of_enquiry="How well did agencies share what they knew?\n"
        "Was the child's daily life seen and heard?",
        agreed_by=str(review.subgroup),
        agreed_on=agreed_on,
    )


def _agencies(review, names, requested, received=()):
    for name in names:
        ReviewAgency.objects.get_or_create(
            review=review,
            agency=Agency.objects.get(short_name=name),
            defaults={
                "chronology_requested_on": requested,
                # Three weeks after it was asked for, or today if that has not come yet.
                "chronology_received_on": min(
                    requested + datetime.timedelta(days=21), timezone.localdate()
                )
                if name in received
                else None,
            },
        )


def _criteria(**flags):
    base = {
        "abuse_or_neglect": False,
        "child_died": False,
        "seriously_harmed": False,
        "concern_working_together": False,
        "died_in_custody": False,
        "suspected_suicide": False,
    }
    base.update(flags)
    return base


def _declare(review, reviewer, on, by):
    services.review_appoint_reviewer(
        review=review,
        by=by,
        lead_reviewer=reviewer,
        independence_declared_on=on,
        independence_statement="I have had no involvement in this case or in the management "
        "of any agency whose practice is reviewed, and have no current contract with them.",
    )


def _method(review, by, method=Review.Method.SYSTEMS, why=""):
    services.review_update(
        review=review,
        by=by,
        method=method,
        method_rationale=why
        or "Several agencies were involved over a long period; a systems approach lets "
        "practitioners explain why their actions made sense at the time.",
    )


@transaction.atomic
def load():
    install_child_death_data(DeathCategory, AgeBand)  # the migration's, should they be missing
    users = {user.username: user for user in User.objects.all()}
    groups = {group.code: group for group in SubGroup.objects.all()}
    admin, member, reviewer = users["admin"], users["member"], users["reviewer"]
    crp, li, cdop = groups["crp"], groups["li"], groups["cdop"]

    def exists(title, kind):
        return Review.objects.filter(title=title, kind=kind).exists()

    # 1. A 2016 SCR under WT2015, published, its action plan being monitored.
    title = "Neglect of a young child living with parental substance misuse"
    if not exists(title, K.SCR):
        scr = services.review_create(
            by=admin,
            kind=K.SCR,
            title=title,
            subgroup=li,
            pseudonym="Child A",
            referred_on=datetime.date(2016, 9, 12),
            incident_known_on=datetime.date(2016, 9, 5),
            notified_on=datetime.date(2016, 9, 9),
            summary="Child A (aged 3) was admitted to hospital with severe malnutrition.",
        )
        _walk(scr, S.DECISION, admin, on=datetime.date(2016, 9, 20))
        services.review_record_decision(
            review=scr,
            by=admin,
            decision=D.INITIATE,
            decided_on=datetime.date(2016, 10, 4),
            decision_reasons="Criteria met: neglect, serious harm and concern about how agencies "
            "shared information.",
            **_criteria(
                abuse_or_neglect=True, seriously_harmed=True, concern_working_together=True
            ),
        )
        _method(scr, admin)
        services.review_appoint_reviewer(
            review=scr,
            by=admin,
            lead_reviewer=reviewer,
            independence_declared_on=datetime.date(2016, 10, 20),
            independence_statement="Independent of the case and of every agency reviewed.",
        )
        _agencies(scr, ["CSC", "ICB", "SaTH", "Police"], datetime.date(2016, 10, 25))
        # Entered from the old papers: each move on the day it happened, so the review was
        # completed (Board sign-off) on 20 March 2017, in time, not on the day it was entered.
        _walk(scr, S.CHRONOLOGIES, admin, on=datetime.date(2016, 10, 25))
        _walk(scr, S.ANALYSIS, admin, on=datetime.date(2017, 1, 16))
        _walk(scr, S.BOARD_SIGNOFF, admin, on=datetime.date(2017, 3, 20))
        services.review_record_publication(
            review=scr,
            by=admin,
            published_on=datetime.date(2017, 4, 10),
            published_where="Partnership website, case reviews page",
            board_response="The Board accepts all seven recommendations and has set up a "
            "neglect strategy group to deliver them.",
        )
        _walk(scr, S.PUBLISHED, admin, on=datetime.date(2017, 4, 10))
        _walk(scr, S.ACTION_PLAN, admin, on=datetime.date(2017, 4, 20))

    # 2. A rapid review in progress: 15 working days nearly used up.
    title = "Serious injury to a baby, 7 weeks old"
    if not exists(title, K.RAPID_REVIEW):
        rapid = services.review_create(
            by=member,
            kind=K.RAPID_REVIEW,
            title=title,
            subgroup=crp,
            pseudonym="Baby C",
            incident_known_on=_days(22),
            notified_on=_days(19),
            referred_on=_days(19),
            summary="Baby C was brought to A&E with a skull fracture and unexplained bruising.",
        )
        _walk(rapid, S.RAPID_REVIEW, member)
        _agencies(rapid, ["CSC", "SaTH", "Police", "MPFT"], _days(18), received=["SaTH"])

    # 3 and 4. A rapid review that decided on an LCSPR; the LCSPR is restricted and led by the
    # demo reviewer, its publication clock due soon.
    title = "Child exploitation and going missing from care"
    if not exists(title, K.RAPID_REVIEW):
        # Only the Business Unit restricts a review and names its panel.
        rapid = services.review_create(
            by=admin,
            kind=K.RAPID_REVIEW,
            title=title,
            subgroup=crp,
            pseudonym="Young person D",
            incident_known_on=_days(175),
            notified_on=_days(173),
            referred_on=_days(173),
            is_restricted=True,
            panel_members=[member, users["trainingchair"]],
            summary="D (15) was found seriously injured after repeated missing episodes; a "
            "criminal investigation into exploitation is under way.",
        )
        _walk(rapid, S.DECISION, member, on=_days(165))
        services.review_record_decision(
            review=rapid,
            by=member,
            decision=D.INITIATE,
            decided_on=_days(160),
            decision_reasons="Learning about exploitation across police, social care and "
            "education that other areas could use.",
            **_criteria(abuse_or_neglect=True, seriously_harmed=True),
        )
        _walk(rapid, S.CLOSED, member)
        lcspr = rapid.follow_on_reviews.get()
        _method(lcspr, member, Review.Method.HYBRID)
        _walk(lcspr, S.SCOPING, member)
        _declare(lcspr, reviewer, _days(120), admin)
        _walk(lcspr, S.CHRONOLOGIES, member)
        _agencies(
            lcspr, ["Police", "CSC", "Education", "YJS", "Priory"], _days(110), ["Police", "CSC"]
        )
        ParallelProcess.objects.get_or_create(
            review=lcspr,
            kind=ParallelProcess.Kind.CRIMINAL,
            defaults={
                "description": "Police investigation into exploitation",
                "started_on": _days(170),
            },
        )

    # 5. An LCSPR past its six months, waiting on agency reports.
    title = "Domestic abuse and a child's death at home"
    if not exists(title, K.LCSPR):
        lcspr = services.review_create(
            by=admin,
            kind=K.LCSPR,
            title=title,
            subgroup=crp,
            pseudonym="Child E",
            referred_on=_days(215),
            decision=D.INITIATE,
            decided_on=_days(215),
            decision_reasons="Rapid review recommended an LCSPR on domestic abuse.",
        )
        _method(lcspr, admin, Review.Method.AGENCY_REPORTS, "Few agencies, clear questions.")
        _walk(lcspr, S.SCOPING, admin)
        _declare(lcspr, reviewer, _days(190), admin)
        _case_terms(lcspr, users)
        _walk(lcspr, S.ANALYSIS, admin)
        _agencies(lcspr, ["Police", "SDAS", "CSC", "Probation"], _days(180), ["Police", "SDAS"])
        # Publication planned for three weeks ahead: the final report to the Panel is due soon.
        services.review_plan_final_report(
            review=lcspr, by=admin, planned_publication_on=_days(-21), final_report_sent_on=None
        )

    # 6. An LCSPR whose clock is paused for a criminal trial.
    title = "Sexual abuse by a family friend"
    if not exists(title, K.LCSPR):
        lcspr = services.review_create(
            by=admin,
            kind=K.LCSPR,
            title=title,
            subgroup=crp,
            pseudonym="Sibling group F",
            referred_on=_days(120),
            decision=D.INITIATE,
            decided_on=_days(120),
            decision_reasons="Rapid review recommended an LCSPR.",
        )
        _method(lcspr, admin, Review.Method.APPRECIATIVE, "Family want a small, gentle review.")
        _walk(lcspr, S.SCOPING, admin)
        # The trial holds the review: its clock is paused from the day the CPS asked us to wait.
        ParallelProcess.objects.get_or_create(
            review=lcspr,
            kind=ParallelProcess.Kind.CRIMINAL,
            defaults={
                "description": "Crown Court trial: CPS asked us to wait",
                "started_on": _days(40),
                "holds_clock": True,
            },
        )
        services.review_clocks_sync(review=lcspr)

    # 7. A learning review about excellent multi-agency practice.
    title = "Excellent joint working to protect a disabled child"
    if not exists(title, K.LEARNING_REVIEW):
        review = services.review_create(
            by=member,
            kind=K.LEARNING_REVIEW,
            title=title,
            subgroup=li,
            pseudonym="Child G",
            referred_on=_days(90),
        )
        _walk(review, S.DECISION, member, on=_days(85))
        services.review_record_decision(
            review=review,
            by=member,
            decision=D.INITIATE,
            decided_on=_days(80),
            decision_reasons="Excellent practice in a difficult case, worth learning from.",
        )
        _method(
            review, member, Review.Method.APPRECIATIVE, "Appreciative inquiry suits good practice."
        )
        _walk(review, S.SCOPING, member)
        _declare(review, reviewer, _days(60), admin)
        _walk(review, S.PRACTITIONER_EVENT, member)

    # 8. A learning review referral waiting for its decision.
    title = "Teenager self-harming while on a waiting list"
    if not exists(title, K.LEARNING_REVIEW):
        review = services.review_create(
            by=member,
            kind=K.LEARNING_REVIEW,
            title=title,
            subgroup=li,
            pseudonym="Young person H",
            referred_on=_days(12),
        )
        _walk(review, S.DECISION, member)

    # 9. An SCR referral not initiated: criteria not met, a deep-dive audit instead.
    title = "Chronic neglect across three siblings"
    if not exists(title, K.SCR):
        scr = services.review_create(
            by=admin,
            kind=K.SCR,
            title=title,
            subgroup=li,
            pseudonym="Family J",
            referred_on=datetime.date(2017, 11, 6),
            notified_on=datetime.date(2017, 11, 6),
        )
        _walk(scr, S.DECISION, admin, on=datetime.date(2017, 11, 13))
        services.review_record_decision(
            review=scr,
            by=admin,
            decision=D.NOT_INITIATE,
            decided_on=datetime.date(2017, 11, 28),
            decision_reasons="No serious harm; lessons about chronic neglect can be learned "
            "through a deep-dive audit.",
            alternative_route=Review.AlternativeRoute.DEEP_DIVE,
            national_panel_told_on=datetime.date(2017, 12, 5),
            **_criteria(abuse_or_neglect=True),
        )
        _walk(scr, S.CLOSED, admin)

    # 10. A deep-dive audit gathering chronologies.
    title = "Deep dive: pre-birth assessments"
    if not exists(title, K.DEEP_DIVE):
        review = services.review_create(
            by=member, kind=K.DEEP_DIVE, title=title, subgroup=li, referred_on=_days(45)
        )
        _method(review, member, Review.Method.OTHER, "Case file audit of six pre-birth cases.")
        _walk(review, S.CHRONOLOGIES, member)
        _agencies(review, ["CSC", "SaTH", "MPFT"], _days(30), ["CSC"])

    # 11. A child death review at CDOP.
    title = "Sudden unexpected death in infancy"
    if not exists(title, K.CHILD_DEATH):
        review = services.review_create(
            by=admin,
            kind=K.CHILD_DEATH,
            title=title,
            subgroup=cdop,
            pseudonym="Infant K",
            referred_on=_days(70),
        )
        _walk(review, S.ANALYSIS, admin)
        services.child_death_record(
            review=review,
            by=admin,
            notified_on=_days(70),  # the panel has not reviewed it yet: no category
            modifiable_factors="",
            expectedness=ChildDeathDetails.Expectedness.UNEXPECTED,
            age_band=AgeBand.objects.get(position=2),
            ncmd_reference="NCMD-DEMO-0117",
        )
    _cdop_year(admin, cdop)

    # 12. A Domestic Homicide Review with learning for children, at Board sign-off.
    title = "DHR: mother killed by former partner; two children at home"
    if not exists(title, K.DOMESTIC_HOMICIDE):
        review = services.review_create(
            by=admin,
            kind=K.DOMESTIC_HOMICIDE,
            title=title,
            subgroup=li,
            pseudonym="Family L",
            referred_on=_days(300),
        )
        _walk(review, S.BOARD_SIGNOFF, admin)

    # 13. National research, considered and closed.
    title = "National Panel: Child protection in England (2022) key messages"
    if not exists(title, K.NATIONAL):
        review = services.review_create(
            by=member, kind=K.NATIONAL, title=title, subgroup=li, referred_on=_days(400)
        )
        _walk(review, S.CLOSED, member)

    _case_file(
        Review.objects.filter(title="Domestic abuse and a child's death at home").first(), users
    )


# Agency, days ago, what happened, source, a key practice episode
CHRONOLOGY = [
    (
        "Police",
        420,
        "Call to the home: neighbours heard shouting. No offence recorded.",
        "Incident log",
        False,
    ),
    (
        "SDAS",
        400,
        "Mother referred by her GP; declined support at that time.",
        "Referral form",
        False,
    ),
    (
        "CSC",
        380,
        "Contact from police: no further action after a phone call to mother.",
        "Front door record",
        True,
    ),
    (
        "Police",
        300,
        "Second call to the home; father arrested, released without charge.",
        "Custody record",
        True,
    ),
    (
        "Probation",
        290,
        "Father's supervision ended; no risk assessment of the household shared.",
        "Case notes",
        False,
    ),
    ("CSC", 250, "Strategy discussion not held after the second incident.", "Case notes", True),
    (
        "SDAS",
        230,
        "Mother accepted an outreach worker; two sessions attended.",
        "Case notes",
        False,
    ),
]


# The deaths CDOP reviewed (closed) over the last two years, so that its annual report has a year
# and the year before, with counts large enough to show and small enough to be suppressed:
# (category number, modifiable factors, expected or unexpected, age band position), one a death.
_CDOP_DEATHS = [
    *[(8, "no", "expected", 1)] * 6,
    *[(7, "no", "expected", 2)] * 5,
    (10, "yes", "unexpected", 2),
    (10, "insufficient", "unexpected", 2),
    (3, "yes", "unexpected", 6),
    (4, "no", "expected", 5),
    (5, "no", "unexpected", 3),
    (9, "yes", "expected", 3),
    (2, "yes", "unexpected", 6),
]


def _cdop_year(admin, cdop):
    """Child deaths reviewed by CDOP over the last two years (pseudonyms only), each with its
    category, modifiable factors, expectedness and age band."""
    if Review.objects.filter(kind=K.CHILD_DEATH, title__startswith="CDOP review").exists():
        return
    # The meetings app sits above reviews: its model is reached through the field.
    meeting = ChildDeathDetails._meta.get_field("meeting").related_model
    for i, (category, factors, expected, band) in enumerate(_CDOP_DEATHS):
        # Spread over the last two years: every other death reviewed a year earlier.
        closed = _days(20 + 30 * (i // 2) + (365 if i % 2 else 0))
        review = services.review_create(
            by=admin,
            kind=K.CHILD_DEATH,
            title=f"CDOP review {i + 1:02d}",
            subgroup=cdop,
            pseudonym=f"Child D{i + 1}",
            referred_on=closed - datetime.timedelta(days=150),
        )
        _walk(review, S.ANALYSIS, admin, on=closed - datetime.timedelta(days=60))
        # The panel reviews the death a week before the review closes.
        panel, _ = meeting.objects.get_or_create(
            body=cdop,
            held_on=closed - datetime.timedelta(days=7),
            defaults={"status": meeting.Status.HELD, "place": "Shirehall, Shrewsbury"},
        )
        services.child_death_record(
            review=review,
            by=admin,
            notified_on=closed - datetime.timedelta(days=150),
            meeting=panel,
            category=DeathCategory.objects.get(number=category),
            modifiable_factors=factors,
            expectedness=expected,
            age_band=AgeBand.objects.get(position=band),
            ncmd_reference=f"NCMD-DEMO-{i + 1:04d}",
        )
        _walk(review, S.CLOSED, admin, on=closed)


def _case_terms(review, users):
    """Terms of reference in two versions, the second agreed."""
    if review.terms_versions.exists():
        return
    admin = users["admin"]
    scope = {"scope_from": _days(450), "scope_to": _days(215)}
    casefile.terms_of_reference_add(
        review=review, by=admin, lines_of_enquiry="How did agencies share what they knew?", **scope
    )
    casefile.terms_of_reference_add(
        review=review,
        by=admin,
        lines_of_enquiry="How did agencies share what they knew about domestic abuse?\n"
        "Was Child E's daily life seen and heard?\n"
        "Were repeated police calls recognised as a pattern?",
        agreed_by="Case Review Panel",
        agreed_on=_days(200),
        **scope,
    )


def _case_file(review, users):
    """A team, and a chronology from four agencies (the terms of reference: ``_case_terms``)."""
    if review is None or review.team.exists():
        return
    admin, member, reviewer = users["admin"], users["member"], users["reviewer"]
    for person, role, agency in (
        (member, ReviewTeamMember.Role.CHAIR, None),
        (reviewer, ReviewTeamMember.Role.REVIEWER, None),
        (admin, ReviewTeamMember.Role.BUSINESS_UNIT_SUPPORT, None),
        (users["agency"], ReviewTeamMember.Role.AGENCY_REPRESENTATIVE, users["agency"].agency),
    ):
        casefile.team_member_add(review=review, by=admin, person=person, role=role, agency=agency)
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    for short, days, what, source, key in CHRONOLOGY:
        casefile.chronology_entry_save(
            review=review,
            by=admin,
            agency=agencies[short],
            happened_on=_days(days),
            what_happened=what,
            source=source,
            is_key_episode=key,
        )
