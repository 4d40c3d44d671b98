"""The XLSX writer keeps text as written and never lets it run as a formula; CSV keeps its quote;
a sheet's name keeps what a forbidden character stood for."""

import io

from openpyxl import load_workbook

from sscb.exports import csv_response, xlsx_response

TEXTS = [
    "- Meet standard 8 by March",
    "\t=1+1",
    "=1+1",
    '=HYPERLINK("http://evil","Card")',
    "+44 is a country code",
    "@mention",
    " =SUM(A1)",
    "Plain words",
]


def _sheet(tables):
    return load_workbook(io.BytesIO(xlsx_response(tables, "file").content))


def test_an_xlsx_cell_holds_its_text_as_written_and_never_a_formula():
    book = _sheet([("Notes", ["Note"], [[text] for text in TEXTS])])
    cells = [row[0] for row in book["Notes"].iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == TEXTS  # no quote added to any of them
    assert {cell.data_type for cell in cells} == {"s"}  # text, never "f" (a formula)
    # What a spreadsheet would read as a formula once edited stays text (Excel's quote prefix,
    # which shows no quote); plain words are left alone.
    assert [cell.quotePrefix for cell in cells] == [True] * 7 + [False]


def test_an_xlsx_heading_is_bold_and_never_a_formula():
    book = _sheet([("Card", ["=1+1", "Value"], [])])
    first, second = next(book["Card"].iter_rows())
    assert (first.value, first.data_type, first.quotePrefix, first.font.b) == (
        "=1+1",
        "s",
        True,
        True,
    )
    assert (second.value, second.font.b) == ("Value", True)


def test_csv_keeps_its_guard_against_formulas():
    tables = [("Notes", ["Note"], [[text] for text in TEXTS])]
    text = b"".join(csv_response(tables, "file").streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[2] == "'- Meet standard 8 by March"
    assert lines[4] == "'=1+1"
    assert lines[-1] == "Plain words"


def test_a_sheets_name_keeps_a_dash_for_each_character_excel_refuses():
    book = _sheet(
        [
            ("Scorecard Q2 2026/27", ["A"], []),
            ("Section 11 / 175 returns", ["A"], []),
            ("'Quoted' [draft]: what?", ["A"], []),
        ]
    )
    assert book.sheetnames == [
        "Scorecard Q2 2026-27",
        "Section 11 - 175 returns",
        "-Quoted' -draft-- what-",
    ]
