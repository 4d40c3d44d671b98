"""The agenda proposed from what is due: for each body, the records that need it now.

Each body's list reads through the same visibility selectors as every other page (so the person
preparing the agenda is offered only what they may open) and runs a fixed number of queries.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, SelfAssessment
from audits.selectors import audits_visible_to, self_assessments_visible_to
from learning.dashboard.reporting_lines import LINES
from learning.models import AssuranceEvidence, LearningOutcome, PriorityTheme, action_escalated
from learning.selectors import (
    actions_visible_to,
    evidence_visible_to,
    findings_visible_to,
    outcomes_visible_to,
    themes_visible_to,
)
from reviews.lifecycle import decides
from reviews.models import Review, ReviewClock
from reviews.selectors import has_clock_in_state, reviews_visible_to
from sscb.lists import count_up_to, how_many
from sscb.models import SubGroup

from .models import AgendaItem, Meeting

Subject = AgendaItem.Subject
Code = SubGroup.Code
OPEN_STAGES = ~Q(stage=Review.Stage.CLOSED)
DECIDING_KINDS = [kind for kind in Review.Kind.values if decides(kind)]


@dataclass
class Proposal:
    """An item the product proposes: what it is about, its record (or a report's page)."""

    subject: str
    title: str
    field: str = ""  # the AgendaItem field naming the record
    record: object = None
    url: str = ""
    on_agenda: bool = False

    @property
    def key(self) -> str:
        return f"{self.field}:{self.record.pk}" if self.record is not None else f"url:{self.url}"

    @property
    def subject_label(self) -> str:
        return Subject(self.subject).label

    def item_fields(self) -> dict:
        fields = {"subject": self.subject, "title": self.title[:200], "url": self.url}
        if self.record is not None:
            fields[self.field] = self.record
        return fields


def _reviews(user, meeting) -> list[Proposal]:
    """The body's own reviews (it is their responsible sub-group): referrals waiting for its
    decision, rapid reviews to send and statutory deadlines near or past."""
    reviews = reviews_visible_to(user).filter(OPEN_STAGES, subgroup=meeting.body)
    found = []
    # Only a kind of review that records a decision to initiate is a referral to decide (the
    # review's own rule, ``lifecycle.decides``): a deep dive or a DHR has none to record.
    referrals = reviews.filter(
        decision=Review.Decision.PENDING,
        stage__in=[Review.Stage.REFERRAL, Review.Stage.DECISION],
        kind__in=DECIDING_KINDS,
    ).exclude(kind=Review.Kind.RAPID_REVIEW)
    for review in referrals.order_by("referred_on", "pk"):
        found.append(
            Proposal(Subject.REFERRAL, f"{review.reference}: {review.title}", "review", review)
        )
    rapid = reviews.filter(kind=Review.Kind.RAPID_REVIEW, decision=Review.Decision.PENDING)
    for review in rapid.order_by("referred_on", "pk"):
        found.append(
            Proposal(Subject.RAPID_REVIEW, f"{review.reference}: {review.title}", "review", review)
        )
    listed = {proposal.record.pk for proposal in found}
    today = timezone.localdate()
    at_risk = reviews.filter(
        has_clock_in_state(ReviewClock.State.AMBER, today)
        | has_clock_in_state(ReviewClock.State.RED, today)
    ).exclude(pk__in=listed)
    for review in at_risk.order_by("referred_on", "pk"):
        found.append(
            Proposal(Subject.CLOCK, f"{review.reference}: {review.title}", "review", review)
        )
    return found


def _quality_assurance(user, meeting) -> list[Proposal]:
    """Returns awaiting QAP's moderation (its audits are its own work, ``_audits_reported``)."""
    returns = self_assessments_visible_to(user).filter(status=SelfAssessment.Status.SUBMITTED)
    return [
        Proposal(Subject.RETURN, str(item), "self_assessment", item)
        for item in returns.select_related("agency", "cycle__framework").order_by("pk")
    ]


def _audits_reported(user, meeting) -> list[Proposal]:
    """The audits whose report goes to this body (``Audit.reports_to``, whoever leads them): a
    deep-dive reported to L&I comes to L&I, never to QAP. Those reporting, then single agency
    audits in progress or reporting; one query."""
    audits = audits_visible_to(user).filter(reports_to=meeting.body)
    single = Q(kind=Audit.Kind.SINGLE_AGENCY)
    due = audits.filter(
        (~single & Q(stage=Audit.Stage.REPORTING))
        | (single & Q(stage__in=[Audit.Stage.IN_PROGRESS, Audit.Stage.REPORTING]))
    )
    found = {Subject.AUDIT: [], Subject.SINGLE_AGENCY_AUDIT: []}
    for audit in due.order_by("pk"):
        subject = (
            Subject.SINGLE_AGENCY_AUDIT if audit.kind == Audit.Kind.SINGLE_AGENCY else Subject.AUDIT
        )
        found[subject].append(
            Proposal(subject, f"{audit.reference}: {audit.title}", "audit", audit)
        )
    return found[Subject.AUDIT] + found[Subject.SINGLE_AGENCY_AUDIT]


def _executive(user, meeting) -> list[Proposal]:
    found = []
    outcomes = outcomes_visible_to(user).filter(decision=LearningOutcome.Decision.PENDING)
    for outcome in outcomes.order_by("pk"):
        found.append(Proposal(Subject.OUTCOME, outcome.title, "outcome", outcome))
    themes = themes_visible_to(user).filter(status=PriorityTheme.Status.PROPOSED)
    for theme in themes.order_by("title"):
        found.append(Proposal(Subject.THEME, theme.title, "theme", theme))
    escalated = actions_visible_to(user).filter(action_escalated("chair", timezone.localdate()))
    for action in escalated.select_related("owner_agency", "review", "audit").order_by(
        "due_on", "pk"
    ):
        title = f"{action.reference}: {action.title} ({action.owner_agency.label})"
        found.append(Proposal(Subject.ACTION, title, "action", action))
    to_judge = evidence_visible_to(user).filter(
        received_on__isnull=False, judgement=AssuranceEvidence.Judgement.PENDING
    )
    for evidence in to_judge.order_by("pk"):
        found.append(Proposal(Subject.ASSURANCE, evidence.title, "evidence", evidence))
    return found


def _board(user, meeting) -> list[Proposal]:
    found = [
        Proposal(Subject.REPORT, line.title, url=reverse("dashboard:report", args=[slug]))
        for slug, line in LINES.items()
    ]
    found.append(Proposal(Subject.REPORT, "Annual report", url=reverse("dashboard:annual-report")))
    return found


def _child_deaths(user, meeting) -> list[Proposal]:
    deaths = reviews_visible_to(user).filter(OPEN_STAGES, kind=Review.Kind.CHILD_DEATH)
    return [
        Proposal(Subject.CHILD_DEATH, f"{review.reference}: {review.title}", "review", review)
        for review in deaths.order_by("referred_on", "pk")
    ]


def _themes_of_body(user, meeting) -> list[Proposal]:
    """Priority themes proposed to this body: the Learning and Improvement sub-group's, and any
    body's the Business Unit adds (its other items are added by hand)."""
    themes = themes_visible_to(user).filter(
        status=PriorityTheme.Status.PROPOSED, subgroup=meeting.body
    )
    return [Proposal(Subject.THEME, theme.title, "theme", theme) for theme in themes]


def _learning_of_body(user, meeting) -> list[Proposal]:
    """What the home page shows the body's members from the learning loop: its findings not
    yet in a theme (one item, the collate page) and the evidence on its themes waiting to be
    judged."""
    found = []
    unthemed = count_up_to(
        findings_visible_to(user).filter(subgroup=meeting.body, theme__isnull=True)
    )
    if unthemed:
        found.append(
            Proposal(
                Subject.FINDINGS,
                f"{how_many(unthemed, 'finding')} not yet in a priority theme",
                url=reverse("learning:collate"),
            )
        )
    to_judge = evidence_visible_to(user).filter(
        outcome__theme__subgroup=meeting.body,
        received_on__isnull=False,
        judgement=AssuranceEvidence.Judgement.PENDING,
    )
    for evidence in to_judge.order_by("pk"):
        found.append(Proposal(Subject.ASSURANCE, evidence.title, "evidence", evidence))
    return found


def _own_work(user, meeting) -> list[Proposal]:
    """A sub-group's own work: its reviews, the audits reported to it, its proposed themes and
    its learning to move on."""
    return (
        _reviews(user, meeting)
        + _audits_reported(user, meeting)
        + _themes_of_body(user, meeting)
        + _learning_of_body(user, meeting)
    )


def _quality_assurance_and_own(user, meeting) -> list[Proposal]:
    return _quality_assurance(user, meeting) + _own_work(user, meeting)


BY_BODY = {
    Code.CASE_REVIEW_PANEL: _own_work,
    Code.QUALITY_ASSURANCE: _quality_assurance_and_own,
    Code.EXECUTIVE: _executive,
    Code.BOARD: _board,
    Code.CDOP: _child_deaths,
    Code.LEARNING_IMPROVEMENT: _own_work,
}


def _minutes_to_approve(meeting) -> list[Proposal]:
    earlier = Meeting.objects.filter(
        body_id=meeting.body_id,
        status=Meeting.Status.MINUTES_CIRCULATED,
        held_on__lte=meeting.held_on,
    ).exclude(pk=meeting.pk)
    return [
        Proposal(Subject.MINUTES, f"Minutes of the meeting on {m.date_label}", "minutes_of", m)
        for m in earlier.order_by("held_on")
    ]


def proposals(user, meeting: Meeting) -> list[Proposal]:
    """What the product proposes for ``meeting``'s agenda, each marked if already on it."""
    found = _minutes_to_approve(meeting)
    found += BY_BODY.get(meeting.body.code, _own_work)(user, meeting)
    on_agenda = set()
    for item in meeting.items.all():
        for name in (*AgendaItem.RECORD_FIELDS, "minutes_of"):
            if getattr(item, f"{name}_id"):
                on_agenda.add(f"{name}:{getattr(item, f'{name}_id')}")
        if item.url:
            on_agenda.add(f"url:{item.url}")
    for proposal in found:
        proposal.on_agenda = proposal.key in on_agenda
    return found
