"""Working days and months: weekends, Christmas, New Year and Easter, 2016 to 2027."""

import datetime

import pytest

from reviews.clock import add_months, add_working_days

D = datetime.date

# Good Friday and Easter Monday, from the published bank holiday lists.
EASTER = {
    2016: (D(2016, 3, 25), D(2016, 3, 28)),
    2017: (D(2017, 4, 14), D(2017, 4, 17)),
    2018: (D(2018, 3, 30), D(2018, 4, 2)),
    2019: (D(2019, 4, 19), D(2019, 4, 22)),
    2020: (D(2020, 4, 10), D(2020, 4, 13)),
    2021: (D(2021, 4, 2), D(2021, 4, 5)),
    2022: (D(2022, 4, 15), D(2022, 4, 18)),
    2023: (D(2023, 4, 7), D(2023, 4, 10)),
    2024: (D(2024, 3, 29), D(2024, 4, 1)),
    2025: (D(2025, 4, 18), D(2025, 4, 21)),
    2026: (D(2026, 4, 3), D(2026, 4, 6)),
    2027: (D(2027, 3, 26), D(2027, 3, 29)),
}


def _substitute(day, taken):
    """England's rule: a bank holiday on a weekend moves to the next free weekday."""
    while day.weekday() >= 5 or day in taken:
        day += datetime.timedelta(days=1)
    return day


def _winter_holidays(year):
    """Christmas, Boxing Day and the next New Year's Day with their substitute days."""
    taken = set()
    for day in (D(year, 12, 25), D(year, 12, 26), D(year + 1, 1, 1)):
        taken.add(_substitute(day, taken))
    return taken


def _naive_add(start, days, holidays):
    day = start
    while days:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            days -= 1
    return day


@pytest.mark.parametrize("year", range(2016, 2028))
@pytest.mark.parametrize("days", [1, 5, 15])
def test_working_days_skip_christmas_and_new_year(year, days):
    start = D(year, 12, 20)
    assert add_working_days(start, days) == _naive_add(start, days, _winter_holidays(year))


@pytest.mark.parametrize("year", range(2016, 2028))
def test_working_days_skip_easter(year):
    good_friday, easter_monday = EASTER[year]
    maundy_thursday = good_friday - datetime.timedelta(days=1)
    assert add_working_days(maundy_thursday, 1) == easter_monday + datetime.timedelta(days=1)


def test_known_christmas_cases():
    # 2025: Thu 25 and Fri 26 are bank holidays, then the weekend, then New Year's Day.
    assert add_working_days(D(2025, 12, 23), 5) == D(2026, 1, 2)
    # 2021: Christmas on Saturday, so Mon 27 and Tue 28 are both bank holidays.
    assert add_working_days(D(2021, 12, 24), 1) == D(2021, 12, 29)
    # 2022: New Year's Day on Saturday is observed on Monday 3 January.
    assert add_working_days(D(2021, 12, 31), 1) == D(2022, 1, 4)


def test_weekends_are_not_working_days():
    friday = D(2025, 6, 6)
    assert add_working_days(friday, 1) == D(2025, 6, 9)
    assert add_working_days(D(2025, 6, 7), 1) == D(2025, 6, 9)  # from a Saturday
    assert add_working_days(D(2025, 6, 2), 5) == D(2025, 6, 9)  # Monday + 5 = next Monday


def test_the_start_day_is_not_counted_and_zero_days_is_the_start():
    assert add_working_days(D(2025, 6, 4), 0) == D(2025, 6, 4)
    assert add_working_days(D(2025, 6, 4), 1) == D(2025, 6, 5)


def test_may_and_august_bank_holidays_are_skipped():
    # Early May (Mon 5 May 2025) and late summer (Mon 25 Aug 2025).
    assert add_working_days(D(2025, 5, 2), 1) == D(2025, 5, 6)
    assert add_working_days(D(2025, 8, 22), 1) == D(2025, 8, 26)


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (D(2025, 1, 15), 1, D(2025, 2, 15)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 8, 31), 6, D(2025, 2, 28)),
        (D(2025, 3, 31), 6, D(2025, 9, 30)),
        (D(2025, 12, 15), 1, D(2026, 1, 15)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2016, 10, 4), 6, D(2017, 4, 4)),
    ],
)
def test_add_months_uses_calendar_months(start, months, expected):
    assert add_months(start, months) == expected
