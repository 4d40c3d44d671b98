"""The statutory clocks as data: which guidance applies to a review, and which clocks it runs.

The calendar arithmetic and the one function that turns a start, an allowance and pauses into
due and amber dates are in ``reviews.clock``; this module says *which* clocks a review has and
where each timescale comes from. Services only orchestrate: they ask this module, then write.

Sources, cited by paragraph and year where the stored text gave one:

- LSCB Regulations 2006 (SI 2006/90), regulation 5: the Board's serious case reviews; in force
  1 April 2006.
- Working Together to Safeguard Children 2015 (WT2015), chapter 4, "Serious Case Reviews":
  notification of a serious incident within 5 working days; the decision whether to initiate an
  SCR; SCRs completed within 6 months of being initiated; final reports published and on the
  Board's website for at least 12 months.
- National panel of independent experts on SCRs, guidance flowchart 1 (2013, in use under
  WT2015): the Board tells the panel of a decision *not* to initiate an SCR within 14 days.
- Child Safeguarding Practice Review and Relevant Agency (England) Regulations 2018
  (SI 2018/789): made 28 June 2018, in force "the day after the day on which they are made"
  (regulation 1), so 29 June 2018 — the first day of notifications to the national Panel,
  rapid reviews and local child safeguarding practice reviews.
- Working Together 2018 (WT2018), chapter 4, and its transitional guidance (2018): local areas
  moved from LSCBs to safeguarding partners from 29 June 2018 and had to finish by
  29 September 2019; notification within 5 working days, rapid review within 15 working days,
  the LCSPR published within 6 months of the decision to initiate it, and the final report sent
  to the Panel and the Secretary of State at least 7 working days before publication.
- Working Together 2023, chapter 5, keeps the WT2018 timescales, so "WT2018 and later" is one
  regime here.

WT2015 had no timed equivalent of the pre-publication clock that could be found in the stored
guidance text (it required SCR reports to be published, with the panel's advice on publication,
but named no number of days before publication): SCRs get no pre-publication clock.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .clock import (
    Allowance,
    ClockDates,
    Unit,
    clock_dates,
    clock_dates_before,
    is_working_day,
)
from .models import Review, ReviewClock

K = Review.Kind
R = Review.Regime

# ------------------------------------------------------------------------------ regime by date

LSCB_REGULATIONS_IN_FORCE = datetime.date(2006, 4, 1)
# SI 2018/789 regulation 1: in force the day after it was made on 28 June 2018.
WT2018_IN_FORCE = datetime.date(2018, 6, 29)
# WT2018 transitional guidance: every area had moved to safeguarding partners by 29 September
# 2019, so the 28th is the last day a Board could have started an SCR.
LAST_LSCB_DAY = datetime.date(2019, 9, 28)


@dataclass(frozen=True)
class RegimePeriod:
    """A regime that applies to some kinds of review referred between two dates (inclusive)."""

    review_kinds: frozenset | None  # None: every kind not named in another period
    regime: str
    first_day: datetime.date | None
    last_day: datetime.date | None
    source: str
    # Said when a review of these kinds is referred outside the period.
    outside: str = ""

    def covers(self, day: datetime.date) -> bool:
        return (self.first_day is None or day >= self.first_day) and (
            self.last_day is None or day <= self.last_day
        )


REGIME_PERIODS = [
    RegimePeriod(
        frozenset({K.SCR}),
        R.WT2015,
        LSCB_REGULATIONS_IN_FORCE,
        LAST_LSCB_DAY,
        "LSCB Regulations 2006 reg. 5 (in force 1 April 2006); WT2015 chapter 4; WT2018 "
        "transitional guidance (LSCBs replaced by 29 September 2019)",
        outside="A Serious Case Review is a Working Together 2015 review: a Board could start "
        "one from 1 April 2006 until safeguarding partners replaced it, by 29 September 2019 at "
        "the latest. For a serious incident from 29 June 2018 on, open a Rapid Review instead.",
    ),
    RegimePeriod(
        frozenset({K.RAPID_REVIEW, K.LCSPR}),
        R.WT2018,
        WT2018_IN_FORCE,
        None,
        "Child Safeguarding Practice Review and Relevant Agency (England) Regulations 2018, "
        "reg. 1 (in force 29 June 2018); WT2018 chapter 4; WT2023 chapter 5",
        outside="Rapid reviews and local child safeguarding practice reviews began on 29 June "
        "2018, when the Child Safeguarding Practice Review regulations came into force. For an "
        "earlier incident, open a Serious Case Review instead.",
    ),
    # Other kinds have no statutory clock: they are labelled by the guidance of their day.
    RegimePeriod(None, R.WT2015, None, WT2018_IN_FORCE - datetime.timedelta(days=1), "WT2015"),
    RegimePeriod(None, R.WT2018, WT2018_IN_FORCE, None, "WT2018; WT2023"),
]


def _periods_for(kind: str) -> list[RegimePeriod]:
    named = [
        period for period in REGIME_PERIODS if period.review_kinds and kind in period.review_kinds
    ]
    return named or [period for period in REGIME_PERIODS if period.review_kinds is None]


def regime_for(kind: str, referred_on: datetime.date) -> str:
    """The guidance whose clocks apply to a review of ``kind`` referred on ``referred_on``.

    An SCR is always a WT2015 review and a rapid review or LCSPR always a WT2018 one (they have
    no clocks under any other regime); other kinds follow the date.
    """
    periods = _periods_for(kind)
    for period in periods:
        if period.covers(referred_on):
            return period.regime
    return periods[0].regime


def regime_refusal(kind: str, referred_on: datetime.date | None) -> str | None:
    """Why a review of ``kind`` referred on that day is outside its regime; None when it is not."""
    if referred_on is None:
        return None
    periods = _periods_for(kind)
    if any(period.covers(referred_on) for period in periods):
        return None
    return f"This review was referred on {referred_on:%-d %B %Y}. {periods[0].outside}"


def regime_check(review: Review) -> None:
    """Refuse a review outside its regime unless the reason it is recorded so is given."""
    refusal = regime_refusal(review.kind, review.referred_on)
    if refusal and not review.regime_reason.strip():
        raise ValidationError(
            {
                "regime_reason": f"{refusal} To record it as it is (for example a review entered "
                "late from old papers), say why here."
            }
        )


# --------------------------------------------------------------------------- the clock rules


@dataclass(frozen=True)
class ClockRule:
    kind: str
    regime: str
    review_kinds: frozenset
    start: Callable[[Review], datetime.date | None]
    allowance: Allowance
    met: Callable[[Review], datetime.date | None]
    counted_from: str
    source: str
    # For a deadline counted back from publication (the pre-publication clock): the date it is
    # counted back from.
    before: Callable[[Review], datetime.date | None] | None = None
    # Why nothing pauses this clock, by hand or through a parallel process, in plain words; a
    # deadline counted back from publication moves with that date instead.
    never_paused: str = ""
    # A clock that starts from another date when its own is not recorded: (the date's field,
    # what it counts from then), so the page never says "from notification" of a referral.
    counted_from_without: tuple[str, str] | None = None
    # A clock that waits for a date the register asks for: what to record, said while it has
    # not started (the notification's 5 working days wait for the incident's date).
    waits_for: str = ""

    @property
    def describe(self) -> str:
        if self.before:
            return f"{self.allowance} before {self.counted_from}"
        return f"{self.allowance} from {self.counted_from}"

    def describe_for(self, review: Review) -> str:
        """What this clock counts, and from what, for ``review``: from the referral when the
        date it counts from was not recorded."""
        if self.counted_from_without and not getattr(review, self.counted_from_without[0]):
            return f"{self.allowance} from {self.counted_from_without[1]}"
        return self.describe

    @property
    def counts_working_days(self) -> bool:
        return self.allowance.unit == Unit.WORKING_DAYS

    @property
    def pausable(self) -> bool:
        """Whether a pause by hand or a parallel process that holds the clocks stops this one."""
        return self.before is None and not self.never_paused

    @property
    def pause_refusal(self) -> str:
        """Why this clock cannot be paused, in plain words ("" when it can)."""
        if self.before:
            return (
                "This deadline is counted back from the publication date (the planned one "
                "until the report is published): change that date instead."
            )
        return self.never_paused

    def dates(
        self, review: Review, pauses: Iterable[tuple[datetime.date, datetime.date | None]] = ()
    ) -> tuple[datetime.date, ClockDates] | None:
        """(start, dates) of this clock for ``review``, or None when it has not started."""
        start = self.start(review)
        if start is None:
            return None
        if self.before:
            anchor = self.before(review)
            if anchor is None:
                return None
            dates = clock_dates_before(start, anchor, self.allowance)
            return min(start, dates.due_on), dates
        return start, clock_dates(start, self.allowance, pauses)


def _if_decided(decision):
    def start(review):
        return review.decided_on if review.decision == decision else None

    return start


def not_to_be_published(review: Review) -> bool:
    """Whether the Board has decided not to publish ``review``'s report (its reason recorded)."""
    return bool(review.not_published_reason.strip()) and not review.published_on


def _published_or_not_to_be(review: Review) -> datetime.date | None:
    """An LCSPR's six months end with its publication or, once the Board has decided not to
    publish it, with the day its full report went to the Panel and the Secretary of State,
    which Working Together still asks for (recorded before the decision is:
    ``services.review_record_publication``)."""
    if not_to_be_published(review):
        return review.final_report_sent_on
    return review.published_on


WORKING_DAYS_5 = Allowance(5, Unit.WORKING_DAYS)
INCIDENT_DATE_WANTED = "the day the incident became known (under Register, “Edit”)"
NO_NOTIFICATION_DATE = ("notified_on", "referral (no notification date recorded)")

# The notification and the rapid review are statutory deadlines that nothing suspends: almost
# every serious incident has a police investigation beside it, and it does not delay telling
# Ofsted or the Panel (s.16C Children Act 2004; WT2023 ch. 5; the Panel and DfE, 2020).
NOTIFICATION_NEVER_PAUSED = (
    "The notification deadline (5 working days from the incident becoming known) cannot be "
    "paused: the law does not suspend it for a police investigation, a trial or any other "
    "process. Send the notification and record its date."
)
RAPID_REVIEW_NEVER_PAUSED = (
    "The rapid review deadline (15 working days from the notification) cannot be paused: the "
    "law does not suspend it for a police investigation, a trial or any other process."
)

CLOCK_RULES = [
    ClockRule(
        ReviewClock.Kind.NOTIFICATION,
        R.WT2015,
        frozenset({K.SCR}),
        start=lambda r: r.incident_known_on,
        allowance=WORKING_DAYS_5,
        met=lambda r: r.notified_on,
        counted_from="the incident becoming known",
        source="WT2015 chapter 4 (notifiable incidents: Ofsted and the LSCB)",
        never_paused=NOTIFICATION_NEVER_PAUSED,
        waits_for=INCIDENT_DATE_WANTED,
    ),
    ClockRule(
        ReviewClock.Kind.SCR_DECISION,
        R.WT2015,
        frozenset({K.SCR}),
        start=lambda r: r.notified_on or r.referred_on,
        allowance=Allowance(1, Unit.MONTHS),
        met=lambda r: r.decided_on,
        counted_from="notification",
        source="WT2015 chapter 4 (decision whether to initiate an SCR)",
        counted_from_without=NO_NOTIFICATION_DATE,
    ),
    ClockRule(
        ReviewClock.Kind.PANEL_NOT_INITIATED,
        R.WT2015,
        frozenset({K.SCR}),
        start=_if_decided(Review.Decision.NOT_INITIATE),
        allowance=Allowance(14, Unit.DAYS),
        met=lambda r: r.national_panel_told_on,
        counted_from="the decision not to initiate",
        source="National SCR panel guidance, flowchart 1 (2013)",
    ),
    ClockRule(
        ReviewClock.Kind.SCR_COMPLETION,
        R.WT2015,
        frozenset({K.SCR}),
        start=_if_decided(Review.Decision.INITIATE),
        allowance=Allowance(6, Unit.MONTHS),
        met=lambda r: r.completed_on,
        counted_from="the decision to initiate",
        source="WT2015 chapter 4 (SCRs completed within six months of initiation)",
    ),
    ClockRule(
        ReviewClock.Kind.NOTIFICATION,
        R.WT2018,
        frozenset({K.RAPID_REVIEW}),
        start=lambda r: r.incident_known_on,
        allowance=WORKING_DAYS_5,
        met=lambda r: r.notified_on,
        counted_from="the incident becoming known",
        source="WT2018 chapter 4 (serious incident notification to the Panel); WT2023 ch. 5",
        never_paused=NOTIFICATION_NEVER_PAUSED,
        waits_for=INCIDENT_DATE_WANTED,
    ),
    ClockRule(
        ReviewClock.Kind.RAPID_REVIEW,
        R.WT2018,
        frozenset({K.RAPID_REVIEW}),
        start=lambda r: r.notified_on or r.referred_on,
        allowance=Allowance(15, Unit.WORKING_DAYS),
        met=lambda r: r.decided_on,
        counted_from="notification",
        source="WT2018 chapter 4 (rapid review within 15 working days); WT2023 chapter 5",
        never_paused=RAPID_REVIEW_NEVER_PAUSED,
        counted_from_without=NO_NOTIFICATION_DATE,
    ),
    ClockRule(
        ReviewClock.Kind.LCSPR_PUBLICATION,
        R.WT2018,
        frozenset({K.LCSPR}),
        start=_if_decided(Review.Decision.INITIATE),
        allowance=Allowance(6, Unit.MONTHS),
        met=_published_or_not_to_be,
        counted_from="the decision to initiate",
        source="WT2018 chapter 4 (LCSPR published within six months; when the safeguarding "
        "partners decide not to publish it, the full report still goes to the Panel and the "
        "Secretary of State); WT2023 chapter 5",
    ),
    ClockRule(
        ReviewClock.Kind.FINAL_REPORT,
        R.WT2018,
        frozenset({K.LCSPR}),
        start=_if_decided(Review.Decision.INITIATE),
        allowance=Allowance(7, Unit.WORKING_DAYS),
        met=lambda r: r.final_report_sent_on,
        counted_from="publication",
        source="WT2018 chapter 4 (final report to the Panel and the Secretary of State at "
        "least seven working days before publication); WT2023 chapter 5",
        # The actual publication once it is recorded (a report sent the day before is late),
        # the planned one until then; with neither there is no deadline yet, nor once the Board
        # has decided not to publish (the report went to the Panel, ending the six months).
        before=lambda r: (
            None if not_to_be_published(r) else (r.published_on or r.planned_publication_on)
        ),
    ),
]

RULES = {(rule.regime, rule.kind): rule for rule in CLOCK_RULES}
RULE_DESCRIPTIONS = {key: rule.describe for key, rule in RULES.items()}
KINDS_WITH_CLOCKS = frozenset(kind for rule in CLOCK_RULES for kind in rule.review_kinds)


def rules_for(review: Review) -> list[ClockRule]:
    """The clock rules that apply to ``review`` under its regime."""
    return [
        rule
        for rule in CLOCK_RULES
        if review.kind in rule.review_kinds and review.regime == rule.regime
    ]


def rule_of(clock: ReviewClock) -> ClockRule | None:
    return RULES.get((clock.regime, clock.kind))


def has_clocks(kind: str) -> bool:
    """Whether a kind of review has statutory clocks at all (the review page says so)."""
    return kind in KINDS_WITH_CLOCKS


def plans_final_report(kind: str) -> bool:
    """Whether a kind of review has a deadline counted back from its planned publication."""
    return any(kind in rule.review_kinds for rule in CLOCK_RULES if rule.before)


def needs_final_report(review: Review) -> bool:
    """Whether ``review`` sends its final report to the Panel and the Secretary of State before
    it is published (an LCSPR, WT2018 and later): it may not be published until it has."""
    return any(rule.before for rule in rules_for(review))


def waiting(review: Review) -> list[str]:
    """For an open review: each clock of its kind that has not started for want of a date the
    register asks for, with the date to record (a rapid review opened without the day the
    incident became known has no notification clock until it is given)."""
    if review.stage == Review.Stage.CLOSED:
        return []
    return [
        f"“{ReviewClock.Kind(rule.kind).label}” ({rule.describe}) has not started: record "
        f"{rule.waits_for}."
        for rule in rules_for(review)
        if rule.waits_for and rule.dates(review) is None
    ]


def counts_working_days(clock: ReviewClock) -> bool:
    """Whether ``clock`` counts working days (its rule's unit)."""
    rule = rule_of(clock)
    return bool(rule and rule.counts_working_days)


def days_left(clock: ReviewClock, day: datetime.date) -> int:
    """Days from ``day`` to the clock's due date (negative past it), in the clock's own unit:
    working days for a working-day clock, calendar days otherwise."""
    if not counts_working_days(clock):
        return (clock.due_on - day).days
    first, last = sorted((day, clock.due_on))
    counted = sum(
        is_working_day(first + datetime.timedelta(days=n))
        for n in range(1, (last - first).days + 1)
    )
    return counted if clock.due_on >= day else -counted
