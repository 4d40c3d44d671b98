"""The one clock function, over random starts and pauses (hypothesis).

``clock_dates`` is the only place a due date is computed; these properties are what a Board
would check by hand: a working-day clock never falls due on a weekend or bank holiday, a pause
that starts and ends on the same day changes nothing, and pauses add up.
"""

import datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from reviews.clock import (
    Allowance,
    Unit,
    add_months,
    add_working_days,
    clock_dates,
    clock_dates_before,
    is_working_day,
)

D = datetime.date
DAY = datetime.timedelta(days=1)

days = st.dates(min_value=D(2015, 1, 1), max_value=D(2030, 12, 31))
working_day_allowances = st.sampled_from([5, 7, 15]).map(lambda n: Allowance(n, Unit.WORKING_DAYS))
calendar_allowances = st.one_of(
    st.sampled_from([1, 6]).map(lambda n: Allowance(n, Unit.MONTHS)),
    st.just(Allowance(14, Unit.DAYS)),
)
allowances = st.one_of(working_day_allowances, calendar_allowances)


@st.composite
def pause(draw, start, longest=60):
    """A closed pause starting on or after ``start``."""
    paused_on = start + draw(st.integers(0, 120)) * DAY
    return paused_on, paused_on + draw(st.integers(0, longest)) * DAY


@st.composite
def clock_with_pauses(draw, allowance=allowances, most=3):
    start = draw(days)
    return start, draw(allowance), draw(st.lists(pause(start), max_size=most))


def _counted(start, end, allowance, pauses):
    """The days a clock counted between ``start`` (excluded) and ``end`` (included)."""
    counted = 0
    day = start
    while day < end:
        day += DAY
        held = any(paused_on <= day < resumed_on for paused_on, resumed_on in pauses)
        if not held and (allowance.unit != Unit.WORKING_DAYS or is_working_day(day)):
            counted += 1
    return counted


def _units(start, allowance):
    """The allowance in counted days: working days, or the calendar days of its months."""
    if allowance.unit == Unit.MONTHS:
        return (add_months(start, allowance.amount) - start).days
    return allowance.amount


@settings(max_examples=300, deadline=None)
@given(clock_with_pauses(allowance=working_day_allowances))
# Resumed on Christmas Eve 2025 with 2 working days left: due after Christmas and the weekend.
@example((D(2025, 12, 1), Allowance(5, Unit.WORKING_DAYS), [(D(2025, 12, 4), D(2025, 12, 24))]))
def test_a_working_day_clock_is_never_due_on_a_weekend_or_bank_holiday(clock):
    start, allowance, pauses = clock
    dates = clock_dates(start, allowance, pauses)
    assert is_working_day(dates.due_on)
    assert is_working_day(dates.amber_on)


@settings(max_examples=300, deadline=None)
@given(clock_with_pauses())
def test_the_clock_counts_exactly_its_allowance_in_its_own_unit(clock):
    start, allowance, pauses = clock
    dates = clock_dates(start, allowance, pauses)
    assert _counted(start, dates.due_on, allowance, pauses) == _units(start, allowance)
    # ... and the due day itself is one it counted: it is not a day the clock was paused.
    assert not any(paused_on <= dates.due_on < resumed_on for paused_on, resumed_on in pauses)


@settings(max_examples=300, deadline=None)
@given(clock_with_pauses(), days)
def test_a_pause_that_starts_and_ends_on_the_same_day_changes_nothing(clock, day):
    start, allowance, pauses = clock
    assert clock_dates(start, allowance, [*pauses, (day, day)]) == clock_dates(
        start, allowance, pauses
    )


@settings(max_examples=300, deadline=None)
@given(clock_with_pauses(most=0), st.data())
def test_two_pauses_add_up(clock, data):
    """Two separate pauses before the due date move it by what each moves it alone."""
    start, allowance, _ = clock
    unpaused = clock_dates(start, allowance)
    # From the day after the start: the start day itself is never counted, so is not held.
    first = data.draw(pause(start + DAY, longest=20))
    second = data.draw(pause(first[1] + DAY, longest=20))
    # Both pauses end before the unpaused due date, so each stops the clock while it runs.
    if second[1] >= unpaused.due_on:
        return
    both = clock_dates(start, allowance, [first, second])
    if allowance.unit == Unit.WORKING_DAYS:
        # Measured in the clock's unit: the working days each pause held back.
        units = allowance.amount
        lost = (units - _counted(start, unpaused.due_on, allowance, [first])) + (
            units - _counted(start, unpaused.due_on, allowance, [second])
        )
        assert both.due_on == add_working_days(unpaused.due_on, lost)
    else:
        moved_first = clock_dates(start, allowance, [first]).moved_days
        moved_second = clock_dates(start, allowance, [second]).moved_days
        assert both.moved_days == moved_first + moved_second
        assert both.moved_days == (first[1] - first[0]).days + (second[1] - second[0]).days


@settings(max_examples=300, deadline=None)
@given(clock_with_pauses(most=0), st.data())
def test_a_pause_split_in_two_is_the_same_as_one_pause(clock, data):
    start, allowance, _ = clock
    paused_on, resumed_on = data.draw(pause(start))
    split = paused_on + data.draw(st.integers(0, (resumed_on - paused_on).days)) * DAY
    assert clock_dates(start, allowance, [(paused_on, split), (split, resumed_on)]) == (
        clock_dates(start, allowance, [(paused_on, resumed_on)])
    )


@settings(max_examples=200, deadline=None)
@given(clock_with_pauses())
def test_the_order_pauses_are_given_in_does_not_matter(clock):
    start, allowance, pauses = clock
    assert clock_dates(start, allowance, pauses) == clock_dates(start, allowance, pauses[::-1])


@settings(max_examples=200, deadline=None)
@given(clock_with_pauses(), days)
def test_a_pause_not_yet_resumed_leaves_the_dates_as_they_stood(clock, day):
    start, allowance, pauses = clock
    assert clock_dates(start, allowance, [*pauses, (day, None)]) == clock_dates(
        start, allowance, pauses
    )


@settings(max_examples=200, deadline=None)
@given(clock_with_pauses())
def test_amber_comes_before_the_due_date_and_after_the_start(clock):
    start, allowance, pauses = clock
    dates = clock_dates(start, allowance, pauses)
    assert start < dates.amber_on <= dates.due_on


@settings(max_examples=200, deadline=None)
@given(days, st.integers(8, 200))
def test_the_final_report_is_due_seven_working_days_before_publication(start, ahead):
    planned = start + ahead * DAY
    dates = clock_dates_before(start, planned, Allowance(7, Unit.WORKING_DAYS))
    assert is_working_day(dates.due_on)
    # Seven working days on from the due date reach publication; six do not.
    assert add_working_days(dates.due_on, 6) < planned <= add_working_days(dates.due_on, 7)


def test_a_resumed_working_day_clock_counts_working_days_not_calendar_days():
    # The case: a 5-working-day clock paused Wed to Mon. Calendar days would put it due
    # on a Saturday; it has 4 working days left when it restarts on Monday.
    start = D(2025, 6, 2)  # Monday
    dates = clock_dates(start, Allowance(5, Unit.WORKING_DAYS), [(D(2025, 6, 4), D(2025, 6, 9))])
    assert dates.due_on == D(2025, 6, 12)  # Thursday: Tue 3 counted, then Mon 9 to Thu 12
    assert dates.moved_days == 3
