"""CSV and XLSX writers for every export (the action tracker, the dashboard, a review's
chronology): cells that a spreadsheet would run as formulas are written as text. In CSV that
takes a leading quote (a CSV cell has no type); an XLSX cell is typed as text instead and keeps
its words as written."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell that starts with one of these as a formula, even after leading
# spaces (OWASP, "CSV Injection"): never let data do that.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# How much of a CSV file is sent at a time (characters).
CSV_CHUNK = 64 * 1024


def _runnable(value) -> bool:
    return isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS)


def safe(value):
    """A CSV cell's value as data: text that a spreadsheet would run as a formula gets a quote."""
    if _runnable(value):
        return "'" + value
    if value is None:
        return ""
    return value


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(tables, name) -> StreamingHttpResponse:
    """Tables one after another, each headed by its title and separated by a blank line, sent as
    they are written: the Business Unit's whole action tracker at scale 1 (500,000 actions,
    70 MB) never sits in a web server's memory, and its first bytes leave at once."""
    return _attachment(
        StreamingHttpResponse(_csv_chunks(tables), content_type="text/csv; charset=utf-8"),
        f"{name}.csv",
    )


def _csv_chunks(tables):
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer = csv.writer(buffer)
    for index, (title, header, rows) in enumerate(tables):
        if index:
            writer.writerow([])
        # A title or heading may hold a record's name (a scorecard's): data, like every cell.
        writer.writerow([safe(title)])
        writer.writerow([safe(value) for value in header])
        for row in rows:
            writer.writerow([safe(value) for value in row])
            # Sent a chunk at a time: a row at a time would be a write to the network each.
            if buffer.tell() >= CSV_CHUNK:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


def _sheet_title(title, used):
    # Excel allows 31 characters and no []:*?/\ in a sheet's name, nor a quote at either end:
    # each such character becomes a dash, so that "2026/27" reads "2026-27" (not "202627").
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31]
    if clean[:1] == "'":
        clean = "-" + clean[1:]
    if clean[-1:] == "'":
        clean = clean[:-1] + "-"
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
        sheet.append([_cell(sheet, value, bold=True) for value in header])
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX), f"{name}.xlsx")


def _cell(sheet, value, *, bold: bool = False):
    """An XLSX cell's value as data: text a spreadsheet would run as a formula is written as it
    reads, typed as text (openpyxl would store "=..." as a formula) and marked to stay text
    when edited (Excel's quote prefix, which shows no quote); other values as they are."""
    if value is None:
        value = ""
    runnable = _runnable(value)
    if not (runnable or bold):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if runnable:
        cell.data_type = "s"
        cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell
