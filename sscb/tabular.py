"""Records uploaded as a CSV or XLSX file in a documented template (a review's chronology, an
agency's quarterly performance values): the file is checked as a whole, each row is checked, and
the caller adds every row or none, with a message per bad row saying which row and why."""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from .uploads import validate_upload

MAX_ROWS = 2000
MAX_COLUMNS = 64  # every template has fewer; a row of 16,384 empty cells is not read
# What an .xlsx may unpack to: a template of 2,000 rows, each with a long text, is about 2 MB;
# a small file that unpacks to far more (a "zip bomb") would hold a server for minutes.
MAX_UNPACKED = 4 * 1024 * 1024
YES = {"yes", "y", "true", "1", "x"}
NO = {"", "no", "n", "false", "0"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")


@dataclass
class ImportResult:
    created: int = 0
    errors: list[str] | None = field(default=None)


def as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def cell_text(value) -> str:
    return str(value if value is not None else "").strip()


def _as_shown(cell):
    """A cell's value as the person sees it: a number formatted as a percentage ("5%", held by
    Excel as 0.05) as "5%", not 0.05."""
    value = cell.value
    percentage = "%" in (getattr(cell, "number_format", None) or "")
    if percentage and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{(Decimal(str(value)) * 100).normalize():f}%"
    return value


def read_rows(upload, extension: str) -> Iterator[list]:
    """The file's rows as lists of cells (the header row first), each cut to ``MAX_COLUMNS``,
    read as they are asked for: a caller that has enough stops, so a file of a million short
    rows costs no more than the rows it needs. A file that cannot be read as what it says it is
    is refused as a whole, as its rows are read (one holding a NUL character never gets here:
    ``validate_upload`` finds it is not text, and an .xlsx cannot hold one)."""
    upload.seek(0)
    if extension == "xlsx":
        _refuse_oversized(upload)
        # openpyxl reads a sheet as it is iterated, and a damaged file fails in more ways than
        # it documents (a broken zip, truncated XML, a missing part): each is the same refusal.
        try:
            workbook = load_workbook(upload, read_only=True, data_only=True)
            try:
                for row in workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS):
                    yield [_as_shown(cell) for cell in row]
            finally:
                workbook.close()
        except Exception as error:  # noqa: BLE001 - an outside file: see above
            raise ValidationError(
                "The spreadsheet could not be read. Save it again from Excel as an .xlsx "
                "workbook, or upload it as a CSV file."
            ) from error
        return
    data = upload.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        for row in csv.reader(io.StringIO(text)):
            yield row[:MAX_COLUMNS]
    except csv.Error as error:  # a cell past the reader's limit, a stray NUL
        raise ValidationError(
            "The CSV file could not be read. Check that it is the template saved as CSV, "
            "with no cell longer than a page or two of text."
        ) from error


def _refuse_oversized(upload) -> None:
    """Refuse a workbook that unpacks to more than ``MAX_UNPACKED``, before reading any of it
    (the sizes are the archive's own: Python unpacks no more than an entry says it holds)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError):
        return  # not a readable zip: openpyxl's refusal says so
    finally:
        upload.seek(0)
    if unpacked > MAX_UNPACKED:
        raise ValidationError(
            f"This spreadsheet holds far more than a template of {MAX_ROWS:,} rows needs (it "
            f"unpacks to {unpacked / 1024 / 1024:,.0f} MB; at most "
            f"{MAX_UNPACKED // 1024 // 1024} MB is read). Copy the rows into a new template, or "
            "upload them as a CSV file."
        )


def row_error(number: int, problems: list[str]) -> str:
    """A row's problems as one sentence: "Row 3: the date is missing; the agency is unknown." """
    return f"Row {number}: " + "; ".join(problem.rstrip(".") for problem in problems) + "."


def row_problems(error: ValidationError, model) -> list[str]:
    """A row's refusal by ``model.full_clean()`` in words that name the column."""
    problems = []
    for name, errors in error.error_dict.items():
        label = model._meta.get_field(name).verbose_name if name != "__all__" else ""
        for problem in errors:
            if problem.code in ("blank", "null", "required"):
                problems.append(f"“{label}” is empty")
            else:
                problems += [f"{label}: {message}" if label else message for message in problem]
    return problems


def header_problem(header, columns: list[tuple[str, str]], required: int) -> str | None:
    """Unless the first row names the template's columns: the first ``required`` exactly, the
    others (optional, at the end) by name or not at all."""
    wanted = [name for name, _ in columns]
    names = [str(cell or "").strip().lower().replace("_", " ") for cell in header[: len(wanted)]]
    optional = names[required:]
    if names[:required] != wanted[:required] or any(
        name not in ("", wanted[required + index]) for index, name in enumerate(optional)
    ):
        return (
            "The first row must name the template's columns: "
            + ", ".join(f"“{name}”" for name in wanted)
            + ". Download the template and copy your entries into it."
        )
    return None


def template_rows(
    upload, *, columns: list[tuple[str, str]], required: int, what: str
) -> list[tuple[int, list]]:
    """The rows below the header of an uploaded CSV or XLSX in the template, as (row number as
    the spreadsheet shows it, cells padded to the template's width), empty rows left out.

    Raises ValidationError saying what is wrong with the file as a whole.
    """
    _name, extension = validate_upload(upload)
    if extension not in ("csv", "xlsx"):
        raise ValidationError(f"Upload {what} as a CSV or an Excel (.xlsx) file.")
    with closing(read_rows(upload, extension)) as rows:
        header = next(rows, None)
        if header is None:
            raise ValidationError("The file is empty.")
        problem = header_problem(header, columns, required)
        if problem:
            raise ValidationError(problem)
        width = len(columns)
        body = []
        for number, row in enumerate(rows, start=2):
            if not any(str(cell or "").strip() for cell in row):
                continue
            # Refused at the first entry too many, not after reading the rest of the file.
            if len(body) == MAX_ROWS:
                raise ValidationError(f"Upload at most {MAX_ROWS} entries at a time.")
            body.append((number, [*row, *[""] * width][:width]))
    if not body:
        raise ValidationError("The file has no entries below its header row.")
    return body


def template_csv(response, columns: list[tuple[str, str]], *examples: list[str]):
    """Write a template's header row and its example rows into a CSV ``response``."""
    response.write("\ufeff")
    response.write(",".join(name for name, _ in columns) + "\r\n")
    for example in examples:
        response.write(",".join('"{}"'.format(cell.replace('"', '""')) for cell in example))
        response.write("\r\n")
    return response
