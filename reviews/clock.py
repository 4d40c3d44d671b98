"""Working days, calendar months and the one clock function (DESIGN.md "The statutory clock").

Bank holidays in England come from the maintained ``holidays`` calendar, never a typed list.
Which clocks a review has, and under which guidance, is in ``reviews.clocks``.
"""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, and not a bank holiday in England (substitute days included)."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def add_months(start: datetime.date, months: int) -> datetime.date:
    """``start`` plus calendar months; the last day of a shorter month when the day is missing."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def subtract_working_days(end: datetime.date, days: int) -> datetime.date:
    """The working day ``days`` working days before ``end`` (``end`` itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = end
    remaining = days
    while remaining:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


# ------------------------------------------------------------------------- the one clock function


class Unit:
    """What a clock counts: working days, or calendar days (months are turned into days)."""

    WORKING_DAYS = "working_days"
    DAYS = "days"
    MONTHS = "months"


@dataclass(frozen=True)
class Allowance:
    """The time a rule allows, in the rule's own unit: 5 working days, 14 days, 6 months."""

    amount: int
    unit: str

    def __str__(self):
        words = {Unit.WORKING_DAYS: "working day", Unit.DAYS: "day", Unit.MONTHS: "month"}
        return f"{self.amount} {words[self.unit]}{'' if self.amount == 1 else 's'}"


@dataclass(frozen=True)
class ClockDates:
    due_on: datetime.date
    # From this day 20% or less of the allowed time is left (DESIGN.md "Clock state").
    amber_on: datetime.date
    # How many calendar days the pauses moved the due date.
    moved_days: int


# DESIGN.md "Clock state": amber when 20% or less of the allowed time is left.
AMBER_SHARE = 5  # one fifth


def _paused(day: datetime.date, pauses) -> bool:
    return any(start <= day < end for start, end in pauses)


def _counted_day(start, count, counts, pauses) -> datetime.date:
    """The day on which the ``count``-th counted day after ``start`` falls.

    A day counts when ``counts(day)`` and no pause holds it; ``start`` itself never counts.
    """
    day = start
    remaining = count
    while remaining:
        day += datetime.timedelta(days=1)
        if counts(day) and not _paused(day, pauses):
            remaining -= 1
    return day


def _every_day(day):
    return True


def clock_dates(
    start: datetime.date,
    allowance: Allowance,
    pauses: Iterable[tuple[datetime.date, datetime.date | None]] = (),
) -> ClockDates:
    """A clock's due and amber dates from its start, its allowance and its pauses.

    The one place a statutory clock is computed. A pause ``(paused_on, resumed_on)`` stops the
    clock from ``paused_on`` up to, not including, ``resumed_on``, in the clock's own unit: a
    working-day clock does not count the working days it was paused and resumes counting working
    days; a month (or day) clock moves by the calendar days it was paused. A pause not yet
    resumed does not move the dates (a paused clock is read as it stood the day it paused); a
    pause that starts and ends on the same day changes nothing; pauses that overlap count once.
    """
    closed = [(paused_on, resumed_on) for paused_on, resumed_on in pauses if resumed_on]
    if allowance.unit == Unit.WORKING_DAYS:
        units, counts = allowance.amount, is_working_day
    else:
        end = (
            add_months(start, allowance.amount)
            if allowance.unit == Unit.MONTHS
            else start + datetime.timedelta(days=allowance.amount)
        )
        units, counts = (end - start).days, _every_day
    amber_units = units - units // AMBER_SHARE
    base_due = _counted_day(start, units, counts, [])
    due_on = _counted_day(start, units, counts, closed)
    amber_on = _counted_day(start, amber_units, counts, closed)
    return ClockDates(due_on=due_on, amber_on=amber_on, moved_days=(due_on - base_due).days)


def clock_dates_before(
    start: datetime.date, anchor: datetime.date, allowance: Allowance
) -> ClockDates:
    """A deadline ``allowance`` before a planned ``anchor`` date (the pre-publication clock).

    Amber, as for every clock, when 20% or less of the time from ``start`` to the due date is
    left, counted in working days. A planned date moves the deadline; pauses do not.
    """
    if allowance.unit != Unit.WORKING_DAYS:
        raise ValueError("deadlines before a planned date are counted in working days")
    due_on = subtract_working_days(anchor, allowance.amount)
    units = 0
    day = start
    while day < due_on:
        day += datetime.timedelta(days=1)
        units += is_working_day(day)
    amber_on = (
        _counted_day(start, units - units // AMBER_SHARE, is_working_day, []) if units else due_on
    )
    return ClockDates(due_on=due_on, amber_on=min(amber_on, due_on), moved_days=0)
