"""An uploaded template that cannot be read is refused as a whole, in words, never a server
error: the chronology, the performance values and a training register share sscb/tabular.py."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from sscb.tabular import read_rows, template_rows

COLUMNS = [("date", ""), ("what happened", "")]


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        template_rows(
            SimpleUploadedFile(name, content), columns=COLUMNS, required=2, what="a chronology"
        )
    return " ".join(refused.value.messages)


def test_a_csv_with_a_cell_longer_than_the_reader_takes_is_refused_in_words():
    cell = "x" * 200_000
    message = refusal("chronology.csv", f'date,what happened\r\n2025-03-01,"{cell}"\r\n'.encode())
    assert message.startswith("The CSV file could not be read")


def test_a_damaged_spreadsheet_is_refused_in_words():
    """The sheet's XML cut short: openpyxl fails only when the rows are read."""
    whole = xlsx([["date", "what happened"], ["2025-03-01", "Seen at home"]])
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole)) as source, zipfile.ZipFile(damaged, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            copy.writestr(item, data)
    message = refusal("chronology.xlsx", damaged.getvalue())
    assert message.startswith("The spreadsheet could not be read")


def test_a_readable_file_gives_its_rows_below_the_header():
    content = xlsx([["date", "what happened"], ["2025-03-01", "Seen at home"], [None, None]])
    rows = template_rows(
        SimpleUploadedFile("c.xlsx", content), columns=COLUMNS, required=2, what="a chronology"
    )
    assert rows == [(2, ["2025-03-01", "Seen at home"])]


def test_a_small_spreadsheet_that_unpacks_to_far_more_is_refused_before_it_is_read():
    """87 KB that unpacked to two million shared strings held a server for 35 seconds."""
    whole = xlsx([["date", "what happened"], ["2025-03-01", "Seen at home"]])
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(whole)) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in source.infolist():
            copy.writestr(item.filename, source.read(item.filename))
        copy.writestr("xl/padding.xml", b"<si><t>a</t></si>" * 300_000)  # 5 MB unpacked
    assert len(bomb.getvalue()) < 100_000
    message = refusal("chronology.xlsx", bomb.getvalue())
    assert message.startswith("This spreadsheet holds far more than a template of 2,000 rows")


def test_a_row_wider_than_any_template_is_read_only_as_far_as_a_template_goes():
    content = xlsx([["date", "what happened"], ["2025-03-01", "Seen at home", *["x"] * 200]])
    rows = list(read_rows(SimpleUploadedFile("c.xlsx", content), "xlsx"))
    assert [len(row) for row in rows] == [64, 64]


def test_a_csv_of_a_million_short_rows_is_refused_at_the_first_entry_too_many():
    """Refused as row 2,002 is read: before, every row was read and padded first (2 MB of "a"
    lines took 4.5 s and 318 MB, a 20 MB file would hold a server for minutes)."""
    content = b"date,what happened\r\n" + b"a\n" * 1_048_576
    tracemalloc.start()
    try:
        message = refusal("chronology.csv", content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == "Upload at most 2000 entries at a time."
    assert peak < 20 * 1024 * 1024  # the file and its text, not a list of a million rows


def test_empty_rows_between_entries_lose_no_entry_after_them():
    """Blank rows do not count towards the 2,000 entries, nor stop the reading before them."""
    entries = [["2025-03-01", f"Entry {n}"] for n in range(1, 1991)]
    content = xlsx(
        [["date", "what happened"], *entries[:1000], *[[None, None]] * 30, *entries[1000:]]
    )
    rows = template_rows(
        SimpleUploadedFile("c.xlsx", content), columns=COLUMNS, required=2, what="a chronology"
    )
    assert len(rows) == 1990 and rows[-1] == (2021, ["2025-03-01", "Entry 1990"])
    too_many = [["2025-03-01", "x"]] * 2001
    message = refusal("chronology.xlsx", xlsx([["date", "what happened"], *too_many]))
    assert message == "Upload at most 2000 entries at a time."
