"""The Board's financial year: 1 April to 31 March, named by its first year ("2025/26")."""

import datetime


def financial_year_of(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def financial_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of the financial year that starts in April of ``year``."""
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def financial_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"
