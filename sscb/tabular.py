"""Rows uploaded as CSV or XLSX in a documented template, checked in full before any is kept:
every row is checked, then either every row is added or none is, with a message per bad row
saying which and why. Used by a review's chronology and a training session's register."""

import csv
import datetime
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import load_workbook

from .uploads import validate_upload

MAX_ROWS = 2000
YES = {"yes", "y", "true", "1", "x"}
NO = {"", "no", "n", "false", "0"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")


@dataclass(frozen=True)
class Template:
    """The columns, in order, and what each holds (shown on the upload page); the first
    ``required`` must be named in the header row, the others may be left out."""

    columns: list[tuple[str, str]]
    example: list[str]
    required: int
    noun: str  # what a row is, in the plural ("entries", "attendees")

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def csv(self) -> str:
        """The template as a CSV file: its header row and its example row."""
        return (
            ",".join(self.names) + "\r\n" + ",".join(f'"{cell}"' for cell in self.example) + "\r\n"
        )


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


def text(value) -> str:
    return str(value or "").strip()


def read_rows(upload, extension: str) -> list[list]:
    """The file's rows as lists of cells (the header row first)."""
    upload.seek(0)
    if extension == "xlsx":
        try:
            workbook = load_workbook(upload, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ValidationError("The spreadsheet could not be read.") from error
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
        workbook.close()
        return rows
    data = upload.read()
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = data.decode("cp1252", errors="replace")
    return list(csv.reader(io.StringIO(decoded)))


def row_problems(model, error: ValidationError) -> list[str]:
    """A row's refusal (``full_clean`` of a ``model`` instance) in words that name the column."""
    problems = []
    for name, errors in error.error_dict.items():
        label = model._meta.get_field(name).verbose_name if name != "__all__" else ""
        for problem in errors:
            if problem.code in ("blank", "null", "required"):
                problems.append(f"“{label}” is empty")
            else:
                problems += [f"{label}: {message}" if label else message for message in problem]
    return problems


def header_problem(template: Template, header) -> str | None:
    count = len(template.columns)
    names = [str(cell or "").strip().lower().replace("_", " ") for cell in header[:count]]
    wanted = template.names
    optional = zip(names[template.required :], wanted[template.required :], strict=False)
    if names[: template.required] != wanted[: template.required] or any(
        name not in ("", want) for name, want in optional
    ):
        return (
            "The first row must name the template's columns: "
            + ", ".join(f"“{name}”" for name in wanted)
            + ". Download the template and copy your rows into it."
        )
    return None


def import_rows(
    *,
    upload,
    template: Template,
    build: Callable[[list], tuple[object, list[str]]],
    save: Callable[[list], None],
) -> ImportResult:
    """Read ``upload`` in ``template``; ``build(cells)`` makes one row's record and the problems
    with it (no record if there are any); ``save(records)`` keeps them all, in one transaction,
    and only if no row has a problem."""
    try:
        _name, extension = validate_upload(upload)
    except ValidationError as error:
        return ImportResult(errors=error.messages)
    if extension not in ("csv", "xlsx"):
        return ImportResult(errors=[f"Upload the {template.noun} as a CSV or Excel (.xlsx) file."])
    try:
        rows = read_rows(upload, extension)
    except ValidationError as error:
        return ImportResult(errors=error.messages)
    if not rows or header_problem(template, rows[0]):
        return ImportResult(
            errors=[header_problem(template, rows[0]) if rows else "The file is empty."]
        )
    body = [
        (number, row)
        for number, row in enumerate(rows[1:], start=2)
        if any(str(cell or "").strip() for cell in row)
    ]
    if not body:
        return ImportResult(errors=[f"The file has no {template.noun} below its header row."])
    if len(body) > MAX_ROWS:
        return ImportResult(errors=[f"Upload at most {MAX_ROWS} {template.noun} at a time."])
    records, errors = [], []
    blank = [""] * len(template.columns)
    for number, row in body:
        record, problems = build([*row, *blank][: len(template.columns)])
        if problems:
            errors.append(f"Row {number}: " + "; ".join(problems) + ".")
        else:
            records.append(record)
    if errors:
        return ImportResult(errors=errors)
    with transaction.atomic():
        save(records)
    return ImportResult(created=len(records), errors=[])
