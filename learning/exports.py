"""CSV and XLSX writers (the dashboard's exports use them too), and the action tracker's export."""

import csv
import datetime
import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from sscb.access_log import Action, access_log_record

from . import selectors
from .filters import ActionFilter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell that starts with one of these as a formula, even after leading
# spaces (OWASP, "CSV Injection"): never let data do that.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe(value):
    """A cell's value as data: text that a spreadsheet would run as a formula gets a quote."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    if value is None:
        return ""
    return value


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(tables, name) -> HttpResponse:
    """Tables one after another, each headed by its title and separated by a blank line."""
    response = _attachment(HttpResponse(content_type="text/csv; charset=utf-8"), f"{name}.csv")
    response.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    for index, (title, header, rows) in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe(value) for value in row])
    return response


def _sheet_title(title, used):
    # Excel allows 31 characters and no []:*?/\ in a sheet's name.
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]} {n}"
        n += 1
    used.add(candidate)
    return candidate


def xlsx_response(tables, name) -> HttpResponse:
    """One sheet per table with a bold header row, written row by row (write-only workbook)."""
    workbook = Workbook(write_only=True)
    used = set()
    for title, header, rows in tables:
        sheet = workbook.create_sheet(_sheet_title(title, used))
        sheet.append([_bold(sheet, value) for value in header])
        for row in rows:
            sheet.append([safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX), f"{name}.xlsx")


def _bold(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


ACTION_HEADER = [
    "Reference",
    "Action",
    "Owner agency",
    "Owner",
    "Sub-group",
    "Due on",
    "Status",
    "At risk",
    "RAG",
    "Completed on",
    "Completed on time",
    "Follow-up on",
    "Progress",
]


def action_rows(actions, today: datetime.date):
    for action in actions:
        on_time = {"on_time": "Yes", "late": "No"}.get(action.completion, "")
        yield [
            action.reference,
            action.title,
            action.owner_agency.name,
            str(action.owner) if action.owner_id else "",
            action.subgroup.name,
            action.due_on,
            action.get_status_display(),
            "Yes" if action.at_risk else "No",
            action.rag_state.capitalize(),
            action.completed_on,
            on_time,
            action.follow_up_on,
            action.progress,
        ]


def action_export(request, fmt):
    """The action tracker, as its list page filters it, as CSV or XLSX."""
    actions = (
        ActionFilter(
            request.GET, queryset=selectors.action_list(request.user).select_related("subgroup")
        )
        .qs.with_completion()
        .order_by("due_on", "pk")
    )
    today = timezone.localdate()
    rows = action_rows(actions.iterator(chunk_size=2000), today)
    name = f"actions-{today.isoformat()}"
    # The filters are in the logged path's query string.
    access_log_record(request, None, Action.EXPORT, label=f"Action tracker: {name}.{fmt}")
    if fmt == "xlsx":
        return xlsx_response([("Actions", ACTION_HEADER, rows)], name)
    return csv_response([("Actions", ACTION_HEADER, rows)], name)
