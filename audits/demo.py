"""Demo data for audits: Section 11 and 175/157 cycles with returns in every state, a themed
audit and a case file audit. Dates are relative to today so deadlines look live.

Schools have no lead user in the demo: the Business Unit fills in their returns for them.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from sscb.dates import financial_year_bounds, financial_year_label, financial_year_of
from sscb.models import Agency, SubGroup, User

from . import frameworks, services
from .models import (
    Audit,
    AuditCycle,
    CaseAuditEntry,
    Framework,
    SelfAssessment,
    Standard,
    StandardAssessment,
)

S11_SCORES = {
    # agency short name: the scores it gives itself for standards 1-8
    "Police": [3, 3, 2, 3, 2, 3, 3, 2],
    "CSC": [4, 3, 3, 3, 3, 3, 4, 3],
    "ICB": [3, 3, 3, 2, 3, 3, 3, 3],
    "SaTH": [3, 2, 3, 2, 1, 3, 3, 2],
    "MPFT": [3, 3, 3, 3, 2, 2, 3, 3],
    "Education": [3, 3, 3, 3, 3, 3, 2, 3],
    "Probation": [2, 3, 3, 2, 3, 3, 3, 1],
    "YJS": [3, 3, 3, 4, 3, 3, 4, 3],
    "SDAS": [2, 2, 2, 3, 2, 1, 3, 2],
}


def _answers(self_assessment, scores, confirmed=True):
    answers = StandardAssessment.objects.filter(self_assessment=self_assessment).select_related(
        "standard"
    )
    return {
        answer.standard_id: {
            "self_score": scores[answer.standard.number - 1],
            "narrative": f"{self_assessment.agency.label} meets standard {answer.standard.number} "
            f"through its safeguarding policy, supervision and audit programme.",
            "evidence": "Safeguarding policy; training records; last internal audit.",
            "confirmed": confirmed,
        }
        for answer in answers
    }


def _submit(self_assessment, scores, by, sign_off=None):
    services.self_assessment_save_draft(
        self_assessment=self_assessment,
        answers=_answers(self_assessment, scores),
        sign_off=sign_off,
        by=by,
    )
    return services.self_assessment_submit(self_assessment=self_assessment, by=by)


def _moderate(self_assessment, by, lower=()):
    for answer in StandardAssessment.objects.filter(self_assessment=self_assessment):
        score = answer.self_score
        if answer.standard.number in lower:
            score = max(1, score - 1)
        services.standard_assessment_moderate(
            standard_assessment=answer,
            moderated_score=score,
            moderation_comment="Agreed at the challenge event."
            if score == answer.self_score
            else "Evidence did not yet show this across the whole agency.",
            challenge_notes="Agency lead presented evidence; QAP members asked for audit results.",
            by=by,
        )


def _section_11(users, agencies, today):
    framework = Framework.objects.get(code=Framework.Code.SECTION_11)
    this_year = financial_year_of(today)
    if AuditCycle.objects.filter(framework=framework, financial_year=this_year).exists():
        return
    section_11_agencies = [agencies[name] for name in S11_SCORES]
    admin, qap = users["admin"], users["qapchair"]
    # Last year's cycle: every agency returned and was moderated, so this year carries forward.
    last = services.audit_cycle_open(
        framework=framework,
        title=f"Section 11 audit {financial_year_label(this_year - 1)}",
        financial_year=this_year - 1,
        opened_on=today - datetime.timedelta(days=400),
        # Due within its own financial year, as every cycle is.
        deadline=min(today - datetime.timedelta(days=340), financial_year_bounds(this_year - 1)[1]),
        agencies=section_11_agencies,
        by=admin,
    )
    for self_assessment in SelfAssessment.objects.filter(cycle=last).select_related("agency"):
        scores = [
            max(1, s - 1) if i % 3 == 0 else s
            for i, s in enumerate(S11_SCORES[self_assessment.agency.short_name])
        ]
        _submit(self_assessment, scores, admin)
        _moderate(self_assessment, qap)
    # This year's cycle: opened six weeks ago, due in ten days (or at the year's end).
    current = services.audit_cycle_open(
        framework=framework,
        title=f"Section 11 audit {financial_year_label(this_year)}",
        financial_year=this_year,
        opened_on=today - datetime.timedelta(days=42),
        deadline=min(today + datetime.timedelta(days=10), financial_year_bounds(this_year)[1]),
        agencies=section_11_agencies,
        by=admin,
    )
    returns = {
        r.agency.short_name: r
        for r in SelfAssessment.objects.filter(cycle=current).select_related("agency")
    }
    # Moderated: CSC and YJS; submitted awaiting moderation: ICB, SaTH (a standard not met),
    # Probation; draft: Police (the demo agency lead finishes it) and MPFT; not started: the rest.
    for name in ("CSC", "YJS", "ICB", "SaTH", "Probation"):
        _submit(returns[name], S11_SCORES[name], admin)
    _moderate(returns["CSC"], qap)
    _moderate(returns["YJS"], qap, lower=(4,))
    police = returns["Police"]
    answers = _answers(police, S11_SCORES["Police"])
    # The police lead has confirmed half of last year's answers so far.
    for standard_id in list(answers)[4:]:
        del answers[standard_id]
    services.self_assessment_save_draft(self_assessment=police, answers=answers, by=users["agency"])
    services.self_assessment_save_draft(
        self_assessment=returns["MPFT"],
        answers=_answers(returns["MPFT"], S11_SCORES["MPFT"], confirmed=False),
        by=admin,
    )


def _section_175(users, agencies, today):
    framework = Framework.objects.get(code=Framework.Code.SECTION_175)
    this_year = financial_year_of(today)
    if AuditCycle.objects.filter(framework=framework, financial_year=this_year).exists():
        return
    admin, qap = users["admin"], users["qapchair"]
    schools = [
        agencies[name] for name in ("Meole Brace", "Priory", "Ludlow CE", "Oswestry Primary")
    ]
    cycle = services.audit_cycle_open(
        framework=framework,
        title=f"Section 175/157 schools audit {financial_year_label(this_year)}",
        financial_year=this_year,
        opened_on=today - datetime.timedelta(days=60),
        # Passed five days ago, but never before the year it is of began.
        deadline=max(today - datetime.timedelta(days=5), financial_year_bounds(this_year)[0]),
        agencies=schools,
        by=admin,
    )
    returns = {
        r.agency.short_name: r
        for r in SelfAssessment.objects.filter(cycle=cycle).select_related("agency")
    }
    sign_off = {
        "head_teacher": "Head teacher",
        "head_teacher_signed_on": today - datetime.timedelta(days=10),
        "safeguarding_governor": "Safeguarding governor",
        "safeguarding_governor_signed_on": today - datetime.timedelta(days=9),
    }
    _submit(returns["Meole Brace"], [3, 3, 3, 3, 3, 3, 3, 3, 4], admin, sign_off)
    _moderate(returns["Meole Brace"], qap, lower=(5,))
    _submit(returns["Priory"], [3, 2, 3, 2, 1, 3, 3, 2, 3], admin, sign_off)
    services.self_assessment_save_draft(
        self_assessment=returns["Ludlow CE"],
        answers=_answers(returns["Ludlow CE"], [3, 3, 2, 3, 3, 3, 3, 3, 3]),
        by=admin,
    )
    # Oswestry Primary has not started, and is now late.


def _audits(users, agencies, subgroups, today):
    if Audit.objects.filter(title__startswith="Neglect: ").exists():
        return
    qap, li = (
        subgroups[SubGroup.Code.QUALITY_ASSURANCE],
        subgroups[SubGroup.Code.LEARNING_IMPROVEMENT],
    )
    services.audit_create(
        kind=Audit.Kind.THEMED,
        title="Neglect: recognising chronic neglect in children under five",
        lead_subgroup=qap,
        reports_to=qap,
        scope="How well agencies recognise and respond to chronic neglect in children under "
        "five, including the use of the neglect assessment tool.",
        period_start=today - datetime.timedelta(days=270),
        period_end=today - datetime.timedelta(days=90),
        agencies=[agencies[n] for n in ("CSC", "Police", "ICB", "Education")],
        stage=Audit.Stage.REPORTING,
        summary="Good use of the neglect tool by health visitors; the voice of the child was "
        "seldom recorded by other agencies.",
        by=users["qapchair"],
    )
    case_file = services.audit_create(
        kind=Audit.Kind.CASE_FILE,
        title="Domestic abuse: children in households referred to MARAC",
        lead_subgroup=qap,
        reports_to=li,
        scope="Eight cases of children living with domestic abuse, audited across agencies.",
        period_start=today - datetime.timedelta(days=200),
        period_end=today - datetime.timedelta(days=30),
        agencies=[agencies[n] for n in ("CSC", "Police", "SDAS")],
        stage=Audit.Stage.IN_PROGRESS,
        by=users["qapchair"],
    )
    for pseudonym, agency, grade, strengths, concerns in [
        ("Child A", "Police", CaseAuditEntry.Grade.GOOD, "Prompt DASH risk assessment.", ""),
        (
            "Child A",
            "CSC",
            CaseAuditEntry.Grade.REQUIRES_IMPROVEMENT,
            "Timely strategy discussion.",
            "The child's own account was not recorded.",
        ),
        (
            "Family B",
            "SDAS",
            CaseAuditEntry.Grade.OUTSTANDING,
            "Safety planning with the mother.",
            "",
        ),
        (
            "Family B",
            "CSC",
            CaseAuditEntry.Grade.INADEQUATE,
            "",
            "No assessment of the children's experience; case closed without a safety plan.",
        ),
    ]:
        services.case_audit_entry_add(
            audit=case_file,
            pseudonym=pseudonym,
            agency=agencies[agency],
            grade=grade,
            strengths=strengths,
            concerns=concerns,
        )


@transaction.atomic
def load():
    frameworks.install(Framework, Standard)
    today = timezone.localdate()
    users = {
        u.username: u for u in User.objects.filter(username__in=["admin", "qapchair", "agency"])
    }
    agencies = {a.short_name: a for a in Agency.objects.all()}
    subgroups = {g.code: g for g in SubGroup.objects.all()}
    _section_11(users, agencies, today)
    _section_175(users, agencies, today)
    _audits(users, agencies, subgroups, today)
