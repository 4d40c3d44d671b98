"""Reports by reporting line, as the framework's table of review types routes them.

QAP quarterly report (the audits reported to QAP, their findings, and Section 11 returns), the
annual CDOP report (child death reviews, their themes and actions), the Education Assurance Report
(Section 175/157 returns) and the Learning and Improvement sub-group report (with the audits
reported to L&I). An audit is in the report of the sub-group it reports to (``Audit.reports_to``),
not of the one that leads it. Each takes a period and runs a fixed number of queries.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse

from audits.models import CaseAuditEntry, Framework
from audits.performance.selectors import last_ended_quarter, scorecards
from audits.selectors import audits_visible_to, cycles_with_progress, heat_map, standards_not_met
from learning.models import Action, Finding
from learning.selectors import (
    findings_with_loop_stage,
    themes_visible_to,
    with_loop_stage,
)
from reviews.models import Review
from sscb.access import subgroup_ids
from sscb.dates import say
from sscb.models import SubGroup

from .actions import action_counts, action_figures
from .assurance import assurance_totals
from .cdop import cdop_annual_figures, cdop_tables
from .figure import link
from .loop import delivery, outcomes_agreed, practice, theme_list, themes_by_stage
from .reviews import review_counts, review_figures, reviews_by_kind_in_period
from .scope import Period, Scope


@dataclass(frozen=True)
class ReportingLine:
    slug: str
    title: str
    subgroup_code: str
    quarterly: bool  # opens on this quarter
    purpose: str
    # Whether it may be read for a quarter: a report made for a financial year (CDOP's deaths
    # reviewed in the year, a year's Section 175 cycle) is offered, and labelled, by year only.
    quarters: bool = True


LINES = {
    line.slug: line
    for line in [
        ReportingLine(
            "qap",
            "QAP quarterly report",
            SubGroup.Code.QUALITY_ASSURANCE,
            True,
            "Multi-agency themed, single agency and case file audits, their findings and "
            "actions, the Section 11 self-assessments and the performance scorecard, as the "
            "Quality Assurance and Performance sub-group reports them to the Board each quarter.",
        ),
        ReportingLine(
            "cdop",
            "Annual CDOP report",
            SubGroup.Code.CDOP,
            False,
            "Child death reviews, the themes their learning joined and the actions that "
            "followed, as the Child Death Overview Panel reports them to the Board each year.",
            quarters=False,
        ),
        ReportingLine(
            "education",
            "Education Assurance Report",
            SubGroup.Code.QUALITY_ASSURANCE,
            False,
            "Schools' Section 175/157 self-assessments: returns, the standards heat map and the "
            "standards not met with their actions.",
            quarters=False,
        ),
        ReportingLine(
            "li",
            "Learning and Improvement sub-group report",
            SubGroup.Code.LEARNING_IMPROVEMENT,
            False,
            "The sub-group's reviews, the audits reported to it (deep-dive audits among them), "
            "priority themes and how far round the loop they have come, learning outcomes, "
            "delivery, practice checks and assurance.",
        ),
    ]
}


def can_read_report(user, line: ReportingLine) -> bool:
    """The Executive and the Business Unit read every report; members read their sub-group's."""
    if user.is_business_unit or user.is_executive:
        return True
    if not user.is_subgroup_member:
        return False
    ids = subgroup_ids(user)
    return bool(ids) and SubGroup.objects.filter(pk__in=ids, code=line.subgroup_code).exists()


def _scope_for(line: ReportingLine, period: Period, today) -> Scope:
    subgroup = SubGroup.objects.filter(code=line.subgroup_code).first()
    ids = frozenset([subgroup.pk]) if subgroup else frozenset()
    return Scope(period, subgroup, ids, today, frozenset([line.subgroup_code]))


def _as_they_stand(period: Period, today) -> str:
    """When a report's audit stages and returns are counted, in words beside them (as the L&I
    report's ``Scope.stage_when``): they have no dated history to count them at the period's
    end, so they are as they stand today, and a period that has ended says so."""
    scope = Scope(period, None, None, today)
    if scope.ended_on is None:
        return scope.stage_when
    period_name = "quarter" if period.quarter else "year"
    return f"today ({say(today)}), not at the {period_name}'s end ({say(scope.ended_on)})"


def _overlaps(period: Period) -> Q:
    first, last = period.bounds
    return Q(period_start__lte=last, period_end__gte=first)


def _audits_reported_to(user, code: str, period: Period) -> tuple[list, list]:
    """The audits whose report goes to the sub-group ``code`` (``Audit.reports_to``, whoever
    leads them) and whose audit period overlaps ``period``, with their findings, actions and
    graded cases counted, and their findings: two queries."""
    audits = list(
        audits_visible_to(user)
        .filter(_overlaps(period), reports_to__code=code)
        .select_related("lead_subgroup")
        .annotate(
            finding_count=Count("findings", distinct=True),
            action_count=Count("actions", distinct=True),
            **{
                f"grade_{grade}": Count("cases", filter=Q(cases__grade=grade), distinct=True)
                for grade in CaseAuditEntry.Grade.values
            },
        )
        .order_by("kind", "period_start", "reference")
    )
    findings = list(
        findings_with_loop_stage(Finding.objects.filter(audit__in=[a.pk for a in audits]))
        .select_related("audit", "theme")
        .order_by("audit__reference", "title")
    )
    return audits, findings


def qap_report(user, period: Period, today) -> dict:
    """Audits reported to QAP whose audit period overlaps the quarter, with their findings,
    graded cases and actions; and the year's Section 11 returns with the heat map."""
    audits, findings = _audits_reported_to(user, SubGroup.Code.QUALITY_ASSURANCE, period)
    return {
        "audits": audits,
        "grades": CaseAuditEntry.Grade.choices,
        "findings": findings,
        "as_they_stand": _as_they_stand(period, today),
        "cycles": _cycles(period, Framework.Code.SECTION_11, today),
        "scorecards": scorecards(user, *_scorecard_quarter(period, today)),
    }


def _scorecard_quarter(period: Period, today) -> tuple[int, int]:
    """The quarter the report's scorecard reads: the period's, or for a whole year its last
    quarter that has ended."""
    if period.quarter:
        return period.year, period.quarter
    return min((period.year, 4), last_ended_quarter(today))


def _cycles(period: Period, framework_code, today) -> list[dict]:
    """The period's cycles of a framework, each with the audits app's own heat map."""
    cycles = list(
        cycles_with_progress(today).filter(
            financial_year=period.year, framework__code=framework_code
        )
    )
    return [
        {
            "cycle": cycle,
            "url": reverse("audits:cycle", args=[cycle.uuid]),
            "heat_map": heat_map(cycle),
            "not_met": list(standards_not_met(cycle).annotate(action_count=Count("actions"))[:200]),
        }
        for cycle in cycles  # one or two cycles a year (one per framework)
    ]


def cdop_report(user, period: Period, today) -> dict:
    """The CDOP annual report for the financial year (cdop.py: suppressed counts, the year
    before beside it), the themes the panel's learning joined and the actions that followed."""
    first, last = Period(period.year).bounds
    cdop_findings = Q(source=Finding.Source.CDOP) | Q(review__kind=Review.Kind.CHILD_DEATH)
    themes = list(
        with_loop_stage(
            themes_visible_to(user).filter(
                pk__in=Finding.objects.filter(cdop_findings).values("theme_id")
            )
        ).order_by("title")
    )
    actions = (
        Action.objects.filter(review__kind=Review.Kind.CHILD_DEATH, due_on__range=(first, last))
        .with_rag(today)
        .aggregate(
            due=Count("pk"),
            red=Count("pk", filter=Q(rag_state="red")),
            amber=Count("pk", filter=Q(rag_state="amber")),
            green=Count("pk", filter=Q(rag_state="green")),
            done=Count("pk", filter=Q(status__in=Action.DONE)),
        )
    )
    return {
        "annual": cdop_annual_figures(period),
        "themes": themes,
        "actions": actions,
        "actions_url": link(
            "learning:actions", review_kind=Review.Kind.CHILD_DEATH, financial_year=period.year
        ),
    }


def education_report(user, period: Period, today) -> dict:
    return {
        "cycles": _cycles(period, Framework.Code.SECTION_175, today),
        "as_they_stand": _as_they_stand(period, today),
    }


def li_report(user, period: Period, today) -> dict:
    scope = _scope_for(LINES["li"], period, today)
    # Deep-dive audits report to the Board through L&I (the framework's table of review types).
    audits, findings = _audits_reported_to(user, SubGroup.Code.LEARNING_IMPROVEMENT, period)
    return {
        "scope": scope,
        "audits": audits,
        "findings": findings,
        "as_they_stand": _as_they_stand(period, today),
        "reviews": review_figures(scope, review_counts(scope)),
        "reviews_by_kind": reviews_by_kind_in_period(scope),
        "themes_by_stage": themes_by_stage(scope),
        "themes": theme_list(scope, limit=100),
        "outcomes_agreed": outcomes_agreed(scope),
        "delivery": delivery(scope),
        "practice": practice(scope),
        "assurance": assurance_totals(scope),
        "actions": action_figures(scope, action_counts(scope, outstanding=False)),
    }


BUILDERS = {
    "qap": qap_report,
    "cdop": cdop_report,
    "education": education_report,
    "li": li_report,
}


def report(user, line: ReportingLine, period: Period, today) -> dict:
    return BUILDERS[line.slug](user, period, today)


# The reports that are exported as CSV and XLSX: each line's tables as its page shows them.
EXPORTS = {
    "cdop": cdop_tables,
}
