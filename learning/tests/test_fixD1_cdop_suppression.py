"""The CDOP annual report's suppression, read as a reader who knows the rules reads it: a year's
counts notified, reviewed and still open (open at the end = open at the start + notified -
reviewed), and the tables whose cells add up to the deaths reviewed, taken together, never give
back a count that is not shown (fixD1 #1: "<5" notified, 8 reviewed, "<5" still open, after 5
still open the year before, gave notified 4 and still open 1)."""

import csv
import datetime
import io
import itertools

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from learning.dashboard.cdop import (
    FEWER_THAN_FIVE,
    SMALL,
    WITHHELD,
    Cell,
    Column,
    protect,
    suppress,
)
from reviews.child_death_data import install
from reviews.models import AgeBand, ChildDeathDetails, DeathCategory, Review
from reviews.tests.factories import ReviewFactory
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory

D = datetime.date
# The largest a reader's brute force tries a "*" as: far above any count made here.
BIG = 60
# "<5" as 0-4 or 1-4; the deaths reviewed, where withheld, as 5 or more or as any count; a "*"
# among the counts notified and still open as 5 or more or as any count.
READINGS = [(s, r, h) for s in (0, 1) for r in (5, s) for h in (5, s)]


# A reader who knows the rules, trying every value (independent of cdop's interval reasoning) --


def _values(cell: Cell, smallest: int, withheld_from: int) -> range | list[int]:
    if cell.shown.isdigit():
        return [int(cell.shown)]
    if cell.shown == FEWER_THAN_FIVE:
        return range(smallest, 5)
    return range(withheld_from, BIG + 1)


def _mask(values) -> int:
    bits = 0
    for value in values:
        bits |= 1 << value
    return bits


def _sums(a: int, b: int) -> int:
    """Every sum of a value in ``a`` and one in ``b`` (sets as bit masks)."""
    out, shift = 0, 0
    while b:
        if b & 1:
            out |= a << shift
        b >>= 1
        shift += 1
    return out


def _all_sums(masks) -> int:
    out = 1  # the empty sum, 0
    for bits in masks:
        out = _sums(out, bits)
    return out


def _bits(mask: int) -> set[int]:
    return {i for i in range(mask.bit_length()) if mask >> i & 1}


def pinned_cells(column: Column) -> list[str]:
    """The hidden cells a reader can pin to one value, under some reading that fits what is
    shown: tables and the three counts share only the deaths reviewed, so each is tried for
    every count reviewed that all of them allow."""
    pinned = []
    for smallest, reviewed_from, withheld_from in READINGS:
        feasible = _mask(_values(column.reviewed, smallest, reviewed_from))
        tables = [[_mask(_values(c, smallest, 5)) for c in cells] for cells in column.tables]
        for masks in tables:
            feasible &= _all_sums(masks)
        notified = list(_values(column.notified, smallest, withheld_from))
        still_open = list(_values(column.still_open, smallest, withheld_from))
        headline = 0
        for n, o in itertools.product(notified, still_open):
            if column.start + n - o >= 0:
                headline |= 1 << (column.start + n - o)
        feasible &= headline
        if not feasible:
            continue  # the reader knows this reading is wrong
        found = {"reviewed": _bits(feasible)}
        found["notified"] = {
            n
            for n in notified
            if any(
                (feasible >> (column.start + n - o)) & 1
                for o in still_open
                if column.start + n - o >= 0
            )
        }
        found["still open"] = {
            o
            for o in still_open
            if any(
                (feasible >> (column.start + n - o)) & 1
                for n in notified
                if column.start + n - o >= 0
            )
        }
        for t, (cells, masks) in enumerate(zip(column.tables, tables, strict=True)):
            for i, cell in enumerate(cells):
                others = _all_sums(masks[:i] + masks[i + 1 :])
                found[f"table {t} cell {i}"] = {
                    v for v in _values(cell, smallest, 5) if (others << v) & feasible
                }
        cells = {
            "reviewed": column.reviewed,
            "notified": column.notified,
            "still open": column.still_open,
            **{
                f"table {t} cell {i}": cell
                for t, table in enumerate(column.tables)
                for i, cell in enumerate(table)
            },
        }
        for name, values in found.items():
            if not cells[name].is_shown and len(values) == 1:
                pinned.append(f"{name} = {values.pop()} (reading {smallest})")
    return pinned


# The report's first suppression, one table at a time, then ``protect`` -------------------------


def shown_column(start, notified, reviewed, tables) -> Column:
    """A year's cells as ``cdop_annual_figures`` makes them: each table suppressed on its own
    (the total withheld everywhere where one needs it), then read together (``protect``)."""
    withheld = any(suppress(values, reviewed)[2] for values in tables)
    shown = [suppress(values, reviewed, total_withheld=withheld)[0] for values in tables]

    def single(value):
        return Cell(value, FEWER_THAN_FIVE if value in SMALL else str(value))

    total = WITHHELD if withheld else single(reviewed).shown
    return protect(
        Column(
            reviewed=Cell(reviewed, total),
            tables=[
                [Cell(v, s) for v, s in zip(values, texts, strict=True)]
                for values, texts in zip(tables, shown, strict=True)
            ],
            start=start,
            notified=single(notified),
            still_open=single(start + notified - reviewed),
        )
    )


def assert_safe_and_true(column: Column):
    cells = [column.reviewed, column.notified, column.still_open]
    for table in column.tables:
        cells += table
        for cell in table:  # in a table a "*" is 5 or more, as the reader takes it
            assert cell.shown != WITHHELD or cell.value >= 5, column
    for cell in cells:
        assert not (cell.is_shown and cell.value in SMALL), column  # 1 to 4 is never shown
        assert cell.shown != FEWER_THAN_FIVE or cell.value < 5, column  # "<5" is true
        assert not cell.is_shown or int(cell.shown) == cell.value, column
    assert pinned_cells(column) == [], column


def test_the_testers_year_no_longer_gives_notified_and_still_open_back():
    """5 open at the start, 4 notified, 8 reviewed, 1 still open: "<5", 8, "<5" pinned 4 and 1."""
    column = shown_column(start=5, notified=4, reviewed=8, tables=[[8, 0, 0]])
    assert column.reviewed.shown == "8"  # the year's key figure stays
    assert {column.notified.shown, column.still_open.shown} == {FEWER_THAN_FIVE, WITHHELD}
    assert_safe_and_true(column)


def test_the_reader_finds_what_the_old_rule_let_through():
    """The brute-force reader itself: the old cells of the tester's year give 4 and 1 back."""
    old = Column(
        reviewed=Cell(8, "8"),
        tables=[[Cell(8, "8"), Cell(0, "0")]],
        start=5,
        notified=Cell(4, FEWER_THAN_FIVE),
        still_open=Cell(1, FEWER_THAN_FIVE),
    )
    assert "notified = 4 (reading 1)" in pinned_cells(old)
    assert "still open = 1 (reading 1)" in pinned_cells(old)


def test_every_small_year_is_safe():
    """Every year with up to 7 open at its start, 9 notified and 12 reviewed, its deaths in one
    category of a table of three (the headline's counts doing the work)."""
    for start, notified in itertools.product(range(8), range(10)):
        for reviewed in range(min(start + notified, 12) + 1):
            column = shown_column(start, notified, reviewed, [[reviewed, 0, 0]])
            assert_safe_and_true(column)


@st.composite
def years(draw):
    start = draw(st.integers(0, 8))
    notified = draw(st.integers(0, 10))
    reviewed = draw(st.integers(0, min(start + notified, 14)))
    tables = []
    for _ in range(draw(st.integers(1, 3))):
        size = draw(st.integers(2, 4))
        cuts = sorted(
            draw(st.lists(st.integers(0, reviewed), min_size=size - 1, max_size=size - 1))
        )
        bounds = [0, *cuts, reviewed]
        tables.append([b - a for a, b in itertools.pairwise(bounds)])
    return start, notified, reviewed, tables


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(years())
def test_no_year_gives_a_hidden_count_back(year):
    """Any year, any tables: nothing hidden can be pinned, and nothing shown is untrue."""
    assert_safe_and_true(shown_column(*year))


@pytest.mark.parametrize(
    "tables",
    [
        [[1, 1, 1, 1]],  # four deaths, one in each of four: each would be 1, reading "<5" as 1-4
        [[4, 4, 0], [8, 0, 0]],  # the total withheld, but one table's cells would add up to it
        [[4, 4], [5, 3]],
    ],
)
def test_tables_read_together_give_nothing_back(tables):
    reviewed = sum(tables[0])
    assert_safe_and_true(shown_column(0, reviewed, reviewed, tables))


# The report and its exports ---------------------------------------------------------------------


@pytest.fixture
def cdop(db):
    install(DeathCategory, AgeBand)
    return SubGroupFactory(code=SubGroup.Code.CDOP)


def _death(cdop, referred_on, closed_on=None):
    review = ReviewFactory(
        kind=Review.Kind.CHILD_DEATH,
        subgroup=cdop,
        referred_on=referred_on,
        completed_on=closed_on,
        closed_on=closed_on,
        stage=Review.Stage.CLOSED if closed_on else Review.Stage.REFERRAL,
    )
    if closed_on:
        ChildDeathDetails.objects.create(
            review=review,
            category=DeathCategory.objects.get(number=7),
            modifiable_factors="no",
            expectedness="expected",
            age_band=AgeBand.objects.get(position=1),
        )
    return review


@pytest.fixture
def testers_years(cdop):
    """2023/24: 5 notified, none reviewed, 5 still open. 2024/25: those 5 and 3 of 4 notified
    in it reviewed (8), 1 still open."""
    for i in range(5):
        _death(cdop, D(2023, 10, 1 + i), closed_on=D(2024, 6, 1 + i))
    for i in range(3):
        _death(cdop, D(2024, 5, 1 + i), closed_on=D(2024, 9, 1 + i))
    _death(cdop, D(2024, 5, 10))


def _reader_of(headline, column, start):
    notified, reviewed, still_open = (row[column] for row in headline)
    return Column(reviewed, [], start, notified, still_open)


def test_the_report_page_gives_no_hidden_count_back(client, executive_user, testers_years):
    client.force_login(executive_user)
    response = client.get(reverse("dashboard:report", args=["cdop"]), {"year": 2024})
    headline = response.context["report"]["annual"]["headline"]
    notified, reviewed, still_open = (row["this"] for row in headline)
    assert (notified.value, reviewed.value, still_open.value) == (4, 8, 1)
    assert headline[2]["before"].shown == "5"  # open at the start of 2024/25, as a reader sees
    assert reviewed.shown == "8"
    assert WITHHELD in (notified.shown, still_open.shown)
    assert pinned_cells(_reader_of(headline, "this", 5)) == []
    page = response.content.decode()
    assert "a suppressed one cannot be worked out from the others" in page


def test_the_exports_show_the_same_cells(client, executive_user, testers_years):
    client.force_login(executive_user)
    page = client.get(reverse("dashboard:report", args=["cdop"]), {"year": 2024})
    expected = [
        [row["label"], *(row[y].shown for y in ("this", "before"))]
        for row in page.context["report"]["annual"]["headline"]
    ]
    response = client.get(reverse("dashboard:report-export-csv", args=["cdop"]), {"year": 2024})
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    for label, this, before in expected:
        assert next(row for row in rows if row and row[0] == label)[1:3] == [this, before]
    response = client.get(reverse("dashboard:report-export-xlsx", args=["cdop"]), {"year": 2024})
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[next(name for name in book.sheetnames if name.startswith("Child deaths"))]
    values = {row[0].value: [str(c.value) for c in row[1:3]] for row in sheet.iter_rows()}
    for label, this, before in expected:
        assert values[label] == [this, before]
