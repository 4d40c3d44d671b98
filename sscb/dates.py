"""Dates: the Board's financial year (1 April to 31 March, named by its first year, "2025/26"),
and the rule that a record's dates come in the order they can happen."""

import contextlib
import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone


def financial_year_of(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def financial_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of the financial year that starts in April of ``year``."""
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def financial_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


# The Board's records start in this financial year: no page offers an earlier one.
FIRST_FINANCIAL_YEAR = 2015


def financial_year_choices(today: datetime.date | None = None, *, ahead: int = 0) -> list:
    """Financial years to pick from, newest first, as (value, "2025/26"); ``ahead`` adds years
    after this one (an action may be due next year; nothing has happened in it yet)."""
    this_year = financial_year_of(today or timezone.localdate())
    return [
        (str(year), financial_year_label(year))
        for year in range(this_year + ahead, FIRST_FINANCIAL_YEAR - 1, -1)
    ]


# A quarter of the financial year as a person picks it.
QUARTERS = [
    (1, "Q1 (April–June)"),
    (2, "Q2 (July–September)"),
    (3, "Q3 (October–December)"),
    (4, "Q4 (January–March)"),
]


def quarter_of(day: datetime.date) -> int:
    """The quarter of its financial year a day falls in: Q1 is April to June."""
    return (day.month - 4) % 12 // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of ``quarter`` (1-4) of the financial year that starts in ``year``."""
    month = 4 + 3 * (quarter - 1)  # 4, 7, 10, 13
    start = datetime.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    after = month + 3
    end = datetime.date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1)
    return start, end - datetime.timedelta(days=1)


# Dates that cannot be true --------------------------------------------------------------------

# No record of the Board's needs a date outside these: a date typed as 0001 or 9999 is a slip,
# and counting from one (a meeting every eight weeks) would fail past the calendar's end.
EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)
OUT_OF_RANGE = "Give a date between 1900 and 2100."


def validate_plausible_date(day) -> None:
    """Refuse a date no record needs (``EARLIEST`` to ``LATEST``); a time is not a date."""
    is_date = isinstance(day, datetime.date) and not isinstance(day, datetime.datetime)
    if is_date and not EARLIEST <= day <= LATEST:
        raise ValidationError(OUT_OF_RANGE, code="date_out_of_range")


@contextlib.contextmanager
def narrower_range_said(*fields: str):
    """Around a record's ``clean_fields()``: drop the refusal of a date in ``fields`` as outside
    1900 to 2100, because the record's ``clean()`` keeps that date within a narrower range of its
    own (``within_years``) and gives that range with its dates. A date outside both is then
    refused once, in the range that helps, not twice in two ranges."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        kept = {}
        for field, errors in error.error_dict.items():
            left = [e for e in errors if field not in fields or e.messages != [OUT_OF_RANGE]]
            if left:
                kept[field] = left
        if kept:
            raise ValidationError(kept) from error


def say(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def not_before(later, earlier, *, what: str, than: str, strictly: bool = False) -> str | None:
    """A message naming both dates when ``later`` comes before ``earlier`` (or on the same day,
    ``strictly``); None when either is unknown or they are in order."""
    if later is None or earlier is None:
        return None
    if later > earlier or (later == earlier and not strictly):
        return None
    when = "on or before" if strictly else "before"
    return f"{what} ({say(later)}) cannot be {when} {than} ({say(earlier)})."


def not_future(day, *, what: str) -> str | None:
    today = timezone.localdate()
    if day is None or day <= today:
        return None
    return f"{what} ({say(day)}) cannot be in the future: today is {say(today)}."


def not_past(day, *, what: str) -> str | None:
    """For a day planned ahead, when it is set: not one that has already gone."""
    today = timezone.localdate()
    if day is None or day >= today:
        return None
    return f"{what} ({say(day)}) cannot be in the past: today is {say(today)}."


def _years_from(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year without one
        return day.replace(year=day.year + years, day=28)


def within_years(day, *, of: datetime.date, years: int, what: str, than: str) -> str | None:
    """A message naming the dates when ``day`` is more than ``years`` years from ``of``."""
    if day is None:
        return None
    earliest, latest = _years_from(of, -years), _years_from(of, years)
    if earliest <= day <= latest:
        return None
    return (
        f"{what} ({say(day)}) is more than {years} years from {than} ({say(of)}): give a date "
        f"between {say(earliest)} and {say(latest)}."
    )


def happened_after(day, earlier, *, what: str, than: str) -> list[str | None]:
    """A day something happened: not before ``earlier`` and not in the future."""
    return [not_future(day, what=what), not_before(day, earlier, what=what, than=than)]


def recorded_on(instance) -> datetime.date:
    """The day a record was first saved; today for one being created."""
    created_at = getattr(instance, "created_at", None)
    return timezone.localdate(created_at) if created_at else timezone.localdate()


def check_dates(**checks: list[str | None] | str | None) -> None:
    """Raise one ValidationError holding, per field, every message that applies."""
    errors = {}
    for field, messages in checks.items():
        found = [m for m in (messages if isinstance(messages, list) else [messages]) if m]
        if found:
            errors[field] = found
    if errors:
        raise ValidationError(errors)
