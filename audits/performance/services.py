"""Writes to the performance framework: an agency's quarterly values, one at a time or from a
file in the template. Every change is in the value's history (a correction keeps the old one)."""

import re
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from sscb.reminders import reminders_cancel_for
from sscb.tabular import ImportResult, cell_text, row_error, row_problems, template_rows

from .models import Indicator, IndicatorValue
from .selectors import can_submit_for

# The upload template: the columns, in order, and what each holds (shown on the upload page).
TEMPLATE_COLUMNS = [
    ("indicator", "The indicator's name exactly as the scorecard shows it."),
    ("financial year", "The year the financial year starts in (2025 for 2025/26), or “2025/26”."),
    ("quarter", "1 to 4, or Q1 to Q4: Q1 is April to June."),
    ("value", "The figure: a number, without the % sign."),
    ("commentary", "What lies behind the figure (optional). No names of children or families."),
]
# The example row for a reader who returns several agencies' values (the Business Unit), or an
# agency none of whose indicators is active: plainly a stand-in, named by no agency's indicator.
TEMPLATE_EXAMPLE = [
    "The indicator's name, as its scorecard shows it",
    "2025",
    "Q1",
    "21.5",
    "Rise linked to a change in the front door's recording; audit planned.",
]


def template_examples(indicators, quarters) -> list[list[str]]:
    """The template's rows below its header for a reader whose ``indicators`` (those they
    return values for) are all one agency's: a row for each, for the last quarter ended in
    which it asks for a value (``quarters(indicator)``), its value and commentary left for them
    to give. So the file, filled in, is one their agency may upload. Anyone else gets
    ``TEMPLATE_EXAMPLE``."""
    if not indicators or len({indicator.agency_id for indicator in indicators}) > 1:
        return [TEMPLATE_EXAMPLE]
    rows = []
    for indicator in indicators:
        asked = quarters(indicator)
        if asked:
            year, quarter = asked[0]
            rows.append([indicator.name, str(year), f"Q{quarter}", "", ""])
    return rows or [TEMPLATE_EXAMPLE]


def _refuse_unless_may_submit(by, indicator: Indicator) -> None:
    if not can_submit_for(by, indicator.agency_id):
        raise ValidationError(
            f"You may submit values only for your own agency's indicators; "
            f"“{indicator}” is {indicator.agency}'s."
        )
    if not indicator.is_active:
        raise ValidationError(f"“{indicator}” is archived: no more values are asked for.")


@transaction.atomic
def indicator_value_submit(
    *, indicator: Indicator, by, year: int, quarter: int, value: Decimal, commentary: str = ""
) -> IndicatorValue:
    """Record (or correct) an indicator's value for a quarter, with the agency's commentary."""
    _refuse_unless_may_submit(by, indicator)
    record = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator, year=year, quarter=quarter)
        .first()
    ) or IndicatorValue(indicator=indicator, year=year, quarter=quarter)
    record.value, record.commentary, record.submitted_by = value, commentary, by
    record.full_clean()
    record._change_reason = "Corrected" if record.pk else "Submitted"
    record.save()
    reminders_cancel_for(indicator)
    return record


def _year(text: str) -> int | None:
    """2025, "2025/26" or "2025-26" as the financial year starting in 2025."""
    head = text.replace("-", "/").split("/")[0].strip()
    if head.isascii() and head.isdigit() and len(head) == 4:
        return int(head)
    return None


def _quarter(text: str) -> int | None:
    text = text.upper().removeprefix("Q").strip()
    return int(text) if text in ("1", "2", "3", "4") else None


# Commas only between groups of three digits: "1,250" is 1250, but "4,5" (a decimal comma)
# is no number, never 45.
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _number(cell) -> Decimal | None:
    text = cell_text(cell).removesuffix("%").strip()
    if "," in text:
        if not _THOUSANDS.fullmatch(text):
            return None
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def indicator_values_import(*, by, agency, upload) -> ImportResult:
    """One agency's quarterly values from a CSV or XLSX in the template: every row is checked, and
    either every row is stored or none is, with a message per bad row saying which and why. A row
    for a quarter already returned corrects it."""
    if not can_submit_for(by, agency.pk):
        return ImportResult(errors=["You may submit values only for your own agency."])
    try:
        body = template_rows(
            upload, columns=TEMPLATE_COLUMNS, required=4, what="the quarterly values"
        )
    except ValidationError as error:
        return ImportResult(errors=error.messages)
    indicators = {
        indicator.name.strip().lower(): indicator
        for indicator in Indicator.objects.filter(agency=agency, is_active=True).select_related(
            "indicator_set"
        )
    }
    existing = {
        (value.indicator_id, value.year, value.quarter): value
        for value in IndicatorValue.objects.filter(indicator__in=list(indicators.values()))
    }
    new, changed, errors, seen = [], [], [], {}
    now = timezone.now()
    for number, (name, year_cell, quarter_cell, value_cell, commentary) in body:
        problems = []
        indicator = indicators.get(cell_text(name).lower())
        if indicator is None:
            problems.append(
                f"“{cell_text(name)}” is not one of {agency}'s indicators"
                if cell_text(name)
                else "the indicator is missing"
            )
        year, quarter = _year(cell_text(year_cell)), _quarter(cell_text(quarter_cell))
        if year is None:
            problems.append(f"the financial year “{cell_text(year_cell)}” is not a year (2025)")
        if quarter is None:
            problems.append(f"the quarter “{cell_text(quarter_cell)}” is not 1 to 4 (or Q1 to Q4)")
        value = _number(value_cell)
        if value is None:
            problems.append(f"the value “{cell_text(value_cell)}” is not a number")
        if indicator and year and quarter:
            key = (indicator.pk, year, quarter)
            if key in seen:
                problems.append(f"row {seen[key]} already gives its value for Q{quarter} {year}")
            seen.setdefault(key, number)
        if problems:
            errors.append(row_error(number, problems))
            continue
        record = existing.get((indicator.pk, year, quarter)) or IndicatorValue(
            indicator=indicator, year=year, quarter=quarter, uuid=uuid.uuid4()
        )
        record.value, record.commentary, record.submitted_by = value, cell_text(commentary), by
        try:
            # Uniqueness is known from ``existing`` and ``seen``: no query per row.
            record.full_clean(
                exclude=["indicator", "submitted_by", "uuid"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors.append(row_error(number, row_problems(error, IndicatorValue)))
            continue
        if record.pk:
            record.updated_at = now
            changed.append(record)
        else:
            new.append(record)
    if errors:
        return ImportResult(errors=errors)
    with transaction.atomic():
        bulk_create_with_history(new, IndicatorValue, default_user=by)
        if changed:
            bulk_update_with_history(
                changed,
                IndicatorValue,
                ["value", "commentary", "submitted_by", "updated_at"],
                default_user=by,
                default_change_reason="Corrected by upload",
            )
        for indicator in {record.indicator for record in [*new, *changed]}:
            reminders_cancel_for(indicator)
    return ImportResult(created=len(new) + len(changed), errors=[])
