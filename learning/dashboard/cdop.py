"""The CDOP annual report: the deaths the panel reviewed in a financial year, by category of
death, modifiable factors, expected or unexpected, age band and the themes of their learning,
beside the year before, with small numbers suppressed so that no child can be identified.

Suppression (one home for the rule, used by the page and its exports alike):

- every count from 1 to 4 is shown as "<5" (the Office for National Statistics' and the National
  Child Mortality Database's practice for counts of deaths);
- a column's total is the number of deaths reviewed in the year, shown above every table. Where
  the total less the counts shown would give a suppressed count back (one "<5" in a column, or
  "<5"s whose total leaves them one value), more counts are suppressed: a 0 as "<5" (which is
  true), else the smallest count shown as "*" (withheld). Where nothing is left to suppress, the
  year's total is withheld everywhere in the report;
- a year-on-year change is shown only where both years' counts are shown;
- the reviews still open at the end of a year are those open at its start, and those notified
  in it, less those it closed. Where the counts notified, reviewed and still open, taken
  together, would give one of them back that is not shown, the fewest more are withheld as
  "*" (the count still open before the count notified), whatever their size: a "*" there may
  stand for any count.

A year's cells are read together, as a reader who knows all this would read them: each "<5"
could be 0 to 4 (or, reading "<5" as 1 to 4, one of those), each "*" in a table 5 or more, and
each table's cells add up to the deaths reviewed, however that count is shown (``protect``). A
cell is safe when such a reader cannot pin it to one value.
"""

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Q, Value, When

from learning.models import Finding
from reviews.models import AgeBand, ChildDeathDetails, DeathCategory, Review

from .scope import Period

SMALL = range(1, 5)
FEWER_THAN_FIVE = "<5"
WITHHELD = "*"
NO_CHANGE_SHOWN = "–"
LEGEND = (
    "“<5”: fewer than five (0 to 4), suppressed so that no child can be identified. "
    "“*”: a count withheld so that a suppressed one cannot be worked out from the others. "
    "“–”: no change is shown where either year's count is suppressed."
)
THIS, BEFORE = "this", "before"


@dataclass(frozen=True)
class Cell:
    """A count as the report may show it: ``shown`` is what a reader sees."""

    value: int
    shown: str

    def __str__(self):
        return self.shown

    @property
    def is_shown(self) -> bool:
        return self.shown.isdigit()


def _pinned(domains: list[tuple[int, int]], hidden_sum: int) -> bool:
    """Whether some hidden cell has one value only, given each one's range and their sum."""
    low, high = sum(lo for lo, _ in domains), sum(hi for _, hi in domains)
    for lo, hi in domains:
        least = max(lo, hidden_sum - (high - hi))
        most = min(hi, hidden_sum - (low - lo))
        if least == most:
            return True
    return False


def _derivable(cells: list[Cell], total: int, *, known: bool) -> bool:
    """Whether a hidden one of ``cells``, which a reader knows (where ``known``) add up to
    ``total``, has one value only."""
    hidden = [cell for cell in cells if not cell.is_shown]
    if not known or not hidden:
        return False
    hidden_sum = total - sum(cell.value for cell in cells if cell.is_shown)
    for smallest in (0, 1):  # "<5" read as 0–4, or as 1–4
        domains = [
            (smallest, 4) if cell.shown == FEWER_THAN_FIVE else (5, max(total, 5))
            for cell in hidden
        ]
        if _pinned(domains, hidden_sum):
            return True
    return False


def suppress(counts: list[int], total: int, *, total_withheld: bool = False):
    """The column's cells as shown, its total as shown, and whether the total must be withheld
    (nothing else left to suppress would protect a small count)."""
    shown = [FEWER_THAN_FIVE if n in SMALL else str(n) for n in counts]
    if total in SMALL:
        return shown, FEWER_THAN_FIVE, False
    if total_withheld:
        return shown, WITHHELD, False
    while _derivable(
        [Cell(n, text) for n, text in zip(counts, shown, strict=True)], total, known=True
    ):
        left = [i for i, text in enumerate(shown) if text.isdigit()]
        if not left:
            return shown, WITHHELD, True
        zeros = [i for i in left if counts[i] == 0]
        pick = zeros[0] if zeros else min(left, key=lambda i: (counts[i], i))
        shown[pick] = FEWER_THAN_FIVE if counts[pick] == 0 else WITHHELD
    return shown, str(total), False


def _change(this: Cell, before: Cell) -> int | str:
    """The year-on-year change, only where both counts are shown."""
    if not (this.is_shown and before.is_shown):
        return NO_CHANGE_SHOWN
    return this.value - before.value


# What a reader may take a "*" to be at most: nothing bounds it but the other cells.
UNBOUNDED = 10**6
# How a reader may read a year's cells: "<5" as 0 to 4, or as 1 to 4 (a reader who takes every
# 0 to be shown as "0"); the deaths reviewed, where withheld, as 5 or more (as a table's "*"), or
# as any count (where nothing else was left to withhold, a "<5" was); and a "*" among the counts
# notified and still open as 5 or more (as it mostly is), or as any count (as it may be).
READINGS = tuple(
    (smallest, reviewed, withheld)
    for smallest in (0, 1)
    for reviewed in (5, smallest)
    for withheld in (5, smallest)
)


@dataclass
class Column:
    """One year's cells as a reader reads them together: ``tables``' cells each add up to the
    deaths ``reviewed``, and those ``still_open`` at the year's end are those open at its
    ``start`` (taken as known: another year's report shows it), and those ``notified``, less
    those reviewed."""

    reviewed: Cell
    tables: list[list[Cell]]
    start: int
    notified: Cell
    still_open: Cell


def _range(cell: Cell, smallest: int, withheld_from: int = 5) -> tuple[int, int]:
    """What a reader can take ``cell`` to be: a "<5" ``smallest`` to 4, a "*" in a table 5 or
    more (a count from 1 to 4 is a "<5"), elsewhere ``withheld_from`` or more."""
    if cell.is_shown:
        return cell.value, cell.value
    if cell.shown == FEWER_THAN_FIVE:
        return smallest, 4
    return withheld_from, UNBOUNDED


def _within(*ranges: tuple[int, int]) -> tuple[int, int]:
    return max(lo for lo, _ in ranges), min(hi for _, hi in ranges)


def _added(ranges) -> tuple[int, int]:
    return sum(lo for lo, _ in ranges), sum(hi for _, hi in ranges)


def _table_range(cells: list[Cell], reading) -> tuple[int, int]:
    return _added([_range(cell, reading[0]) for cell in cells])


def _reviewed_by_tables(column: Column, reading) -> tuple[int, int]:
    """What a reader can take the deaths reviewed to be from its own cell and the tables."""
    return _within(
        _range(column.reviewed, *reading[:2]),
        *(_table_range(cells, reading) for cells in column.tables),
    )


def _reviewed_by_headline(column: Column, reading) -> tuple[int, int]:
    """The same from the counts open at the start, notified and still open (R = S + N - O)."""
    smallest, _, withheld = reading
    notified = _range(column.notified, smallest, withheld)
    still_open = _range(column.still_open, smallest, withheld)
    return column.start + notified[0] - still_open[1], column.start + notified[1] - still_open[0]


def _relation_pinned(terms: list[tuple[int, Cell, tuple[int, int]]], constant: int) -> bool:
    """Whether a hidden one of ``terms`` (sign, cell, what a reader can take it to be), which
    add up to ``constant`` (the sum of sign x count), has one value only: the cells shown are
    taken over to the constant, the hidden ones read together (``_pinned``)."""
    domains = []
    for sign, cell, (lo, hi) in terms:
        if cell.is_shown:
            constant -= sign * cell.value
        else:
            domains.append((lo, hi) if sign > 0 else (-hi, -lo))
    return bool(domains) and _pinned(domains, constant)


def _headline_pinned(column: Column, reading) -> bool:
    """R + O - N = S: whether it gives back a count notified, reviewed or still open."""
    smallest, _, withheld = reading
    return _relation_pinned(
        [
            (1, column.reviewed, _reviewed_by_tables(column, reading)),
            (1, column.still_open, _range(column.still_open, smallest, withheld)),
            (-1, column.notified, _range(column.notified, smallest, withheld)),
        ],
        column.start,
    )


def _table_pinned(column: Column, cells: list[Cell], reading) -> bool:
    """Whether a table's cells, which add up to the deaths reviewed (as a reader can take that
    count to be from everything else shown), give a hidden one back."""
    reviewed = _within(_reviewed_by_tables(column, reading), _reviewed_by_headline(column, reading))
    return _relation_pinned(
        [*((1, cell, _range(cell, reading[0])) for cell in cells), (-1, column.reviewed, reviewed)],
        0,
    )


def _withhold_in(cells: list[Cell]) -> bool:
    """Suppress one more of ``cells``, as ``suppress`` does: a 0 as "<5", else the smallest
    count shown as "*". False where none is left."""
    left = [i for i, cell in enumerate(cells) if cell.is_shown]
    if not left:
        return False
    zeros = [i for i in left if cells[i].value == 0]
    pick = zeros[0] if zeros else min(left, key=lambda i: (cells[i].value, i))
    value = cells[pick].value
    cells[pick] = Cell(value, FEWER_THAN_FIVE if value == 0 else WITHHELD)
    return True


def _more_withheld(cell: Cell) -> list[Cell]:
    """``cell``, then each more withheld way of showing it: 0, "<5", "*"."""
    ways = [cell]
    if cell.is_shown and cell.value == 0:
        ways.append(Cell(0, FEWER_THAN_FIVE))
    if cell.shown != WITHHELD:
        ways.append(Cell(cell.value, WITHHELD))
    return ways


def _protect_headline(column: Column) -> bool:
    """Withhold the fewest more of the counts still open and notified (the count still open
    first) so that, read with the deaths reviewed, none gives a hidden one back. False where
    nothing more can be withheld."""
    still_open, notified = _more_withheld(column.still_open), _more_withheld(column.notified)
    plans = sorted(
        ((o, n) for o in range(len(still_open)) for n in range(len(notified))),
        key=lambda plan: (sum(plan), plan[1]),
    )
    for o, n in plans[1:]:
        column.still_open, column.notified = still_open[o], notified[n]
        if not any(_headline_pinned(column, reading) for reading in READINGS):
            return True
    return len(plans) > 1  # all withheld (a hidden count reviewed pinned by the tables is theirs)


def _problem(column: Column):
    """The first way a reader could pin a hidden cell of the year, or None."""
    for reading in READINGS:
        lo, hi = _reviewed_by_tables(column, reading)
        if not column.reviewed.is_shown and lo == hi:
            return ("reviewed", reading)
    if any(_headline_pinned(column, reading) for reading in READINGS):
        return ("headline", None)
    for i, cells in enumerate(column.tables):
        if any(_table_pinned(column, cells, reading) for reading in READINGS):
            return ("table", i)
    return None


def _fix(column: Column, problem) -> bool:
    """Withhold more to put ``problem`` right; False where nothing more can be withheld."""
    kind, which = problem
    if kind == "headline":
        return _protect_headline(column)
    if kind == "reviewed":  # the tables that set the bound, one more count in one of them
        lo, hi = _reviewed_by_tables(column, which)
        binding = [
            cells
            for cells in column.tables
            if any(cell.is_shown for cell in cells)
            and (_table_range(cells, which)[0] == lo or _table_range(cells, which)[1] == hi)
        ]
        if binding and _withhold_in(min(binding, key=lambda c: _table_range(c, which))):
            return True
    elif _withhold_in(column.tables[which]):
        return True
    # Nothing left to suppress: the year's total is withheld everywhere (where it was a "<5",
    # a "*" too: the cells of a table of four could otherwise be one each).
    if column.reviewed.shown != WITHHELD and column.reviewed.value:
        column.reviewed = Cell(column.reviewed.value, WITHHELD)
        return True
    return False


def protect(column: Column) -> Column:
    """Withhold more of the year's cells until a reader who reads them all together (the
    tables, the deaths reviewed, notified and still open) can pin none that is not shown to one
    value; ``column`` is changed and returned. Each turn withholds one more cell."""
    while (problem := _problem(column)) is not None and _fix(column, problem):
        pass
    return column


def _columns(labels, counts, totals, withheld, *, partition=True):
    """Each year's cells of one table (``counts`` by year), suppressed one column at a time,
    and which years' totals must be withheld."""
    columns = {}
    needs_withholding = set()
    for year in (THIS, BEFORE):
        values = [counts[year][i] for i in range(len(labels))]
        if partition:
            shown, _, withhold = suppress(values, totals[year], total_withheld=year in withheld)
            if withhold:
                needs_withholding.add(year)
        else:  # not a partition of the deaths (a death's learning may join several themes)
            shown = [FEWER_THAN_FIVE if n in SMALL else str(n) for n in values]
        columns[year] = [Cell(v, s) for v, s in zip(values, shown, strict=True)]
    return columns, needs_withholding


def _rows(labels, columns) -> list[dict]:
    return [
        {
            "label": label,
            THIS: columns[THIS][i],
            BEFORE: columns[BEFORE][i],
            "change": _change(columns[THIS][i], columns[BEFORE][i]),
        }
        for i, label in enumerate(labels)
    ]


def _year_of(path: str, this: Period, before: Period):
    return Case(
        When(**{f"{path}__range": this.bounds}, then=Value(THIS)),
        When(**{f"{path}__range": before.bounds}, then=Value(BEFORE)),
        default=Value(""),
        output_field=CharField(),
    )


def cdop_annual_figures(period: Period) -> dict:
    """Every table of the report for the financial year of ``period`` and the year before, in a
    fixed number of queries. Counts include restricted reviews: they are aggregates, and no
    review is named."""
    this, before = Period(period.year), Period(period.year - 1)
    earlier = Period(period.year - 2)  # what was open at the start of the year before
    deaths = Review.objects.filter(kind=Review.Kind.CHILD_DEATH)
    reviewed = list(
        deaths.filter(Q(completed_on__range=before.bounds) | Q(completed_on__range=this.bounds))
        .annotate(year=_year_of("completed_on", this, before))
        .values(
            "year",
            "child_death__category_id",
            "child_death__modifiable_factors",
            "child_death__expectedness",
            "child_death__age_band_id",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    headline = deaths.aggregate(
        **{
            f"notified_{year}": Count("pk", filter=Q(referred_on__range=p.bounds))
            for year, p in ((THIS, this), (BEFORE, before))
        },
        **{
            f"open_{year}": Count(
                "pk",
                filter=Q(referred_on__lte=p.last)
                & (Q(closed_on__isnull=True) | Q(closed_on__gt=p.last)),
            )
            for year, p in ((THIS, this), (BEFORE, before), ("earlier", earlier))
        },
    )
    categories = list(DeathCategory.objects.order_by("number"))
    bands = list(AgeBand.objects.order_by("position"))
    themes = list(
        Finding.objects.filter(
            review__kind=Review.Kind.CHILD_DEATH,
            review__completed_on__range=(before.first, this.last),
        )
        .annotate(year=_year_of("review__completed_on", this, before))
        .values("year", "theme_id", "theme__title")
        .annotate(n=Count("review", distinct=True))
        .order_by("theme__title")
    )

    totals = {THIS: 0, BEFORE: 0}
    for row in reviewed:
        totals[row["year"]] += row["n"]

    def tally(field, keys):
        index = {key: i for i, key in enumerate(keys)}
        counts = {THIS: [0] * len(keys), BEFORE: [0] * len(keys)}
        for row in reviewed:
            counts[row["year"]][index.get(row[field], index[None])] += row["n"]
        return counts

    factors = ChildDeathDetails.ModifiableFactors
    expected = ChildDeathDetails.Expectedness
    not_recorded = "Not recorded"
    specs = [
        (
            "Deaths reviewed by category of death",
            [str(c) for c in categories] + [not_recorded],
            "child_death__category_id",
            [c.pk for c in categories] + [None],
        ),
        (
            "Modifiable factors",
            [label for _, label in factors.choices] + [not_recorded],
            "child_death__modifiable_factors",
            list(factors.values) + [None],
        ),
        (
            "Expected or unexpected",
            [label for _, label in expected.choices] + [not_recorded],
            "child_death__expectedness",
            list(expected.values) + [None],
        ),
        (
            "Age at death",
            [str(b) for b in bands] + [not_recorded],
            "child_death__age_band_id",
            [b.pk for b in bands] + [None],
        ),
    ]
    for row in reviewed:  # a blank choice is "not recorded", as a missing record is
        for field in ("child_death__modifiable_factors", "child_death__expectedness"):
            row[field] = row[field] or None

    theme_keys, theme_labels = [], []
    for row in themes:
        if row["theme_id"] not in theme_keys:
            theme_keys.append(row["theme_id"])
            theme_labels.append(row["theme__title"] or "Not yet in a theme")
    theme_counts = {THIS: [0] * len(theme_keys), BEFORE: [0] * len(theme_keys)}
    for row in themes:
        theme_counts[row["year"]][theme_keys.index(row["theme_id"])] += row["n"]

    themes_title = "Themes of their learning (deaths whose findings joined each theme)"
    partitions = [(title, labels, tally(field, keys)) for title, labels, field, keys in specs]

    def build(withheld):
        return [_columns(labels, counts, totals, withheld) for _, labels, counts in partitions]

    built = build(set())
    withheld = set().union(*(needs for _, needs in built))
    if withheld:
        built = build(withheld)
    columns = [cells for cells, _ in built]

    def single(name, year):
        value = headline[f"{name}_{year}"]
        return Cell(value, FEWER_THAN_FIVE if value in SMALL else str(value))

    # The reviews open at the end of a year are those open at its start (the year before's
    # end), and those notified in it, less those it closed: so the counts notified, reviewed and
    # still open are read together, with the tables whose cells add up to the deaths reviewed
    # (``protect``). The count open at the year's start is taken as known (another year's report
    # shows it), so each year's cells are the same in every report that shows them.
    open_at_start = {THIS: headline["open_before"], BEFORE: headline["open_earlier"]}
    reviewed_row, notified_row, open_row = {}, {}, {}
    for year in (THIS, BEFORE):
        total = totals[year]
        column = protect(
            Column(
                reviewed=Cell(
                    total,
                    WITHHELD
                    if year in withheld
                    else FEWER_THAN_FIVE
                    if total in SMALL
                    else str(total),
                ),
                tables=[list(cells[year]) for cells in columns],
                start=open_at_start[year],
                notified=single("notified", year),
                still_open=single("open", year),
            )
        )
        reviewed_row[year] = column.reviewed
        notified_row[year], open_row[year] = column.notified, column.still_open
        for cells, protected in zip(columns, column.tables, strict=True):
            cells[year] = protected

    tables = [
        {
            "title": title,
            "rows": _rows(labels, cells),
            "total": {
                THIS: reviewed_row[THIS],
                BEFORE: reviewed_row[BEFORE],
                "change": _change(reviewed_row[THIS], reviewed_row[BEFORE]),
            },
        }
        for (title, labels, _), cells in zip(partitions, columns, strict=True)
    ]
    theme_cells, _ = _columns(theme_labels, theme_counts, totals, withheld, partition=False)
    tables.append({"title": themes_title, "rows": _rows(theme_labels, theme_cells), "total": None})

    headline_rows = []
    for label, cells in (
        ("Deaths notified in the year", notified_row),
        ("Deaths reviewed by the panel in the year", reviewed_row),
        ("Reviews still open at the end of the year", open_row),
    ):
        headline_rows.append(
            {"label": label, **cells, "change": _change(cells[THIS], cells[BEFORE])}
        )
    return {
        "this_label": this.label,
        "before_label": before.label,
        "headline": headline_rows,
        "tables": tables,
        "legend": LEGEND,
    }


def cdop_tables(report: dict, period: Period) -> list[tuple[str, list[str], list[list]]]:
    """The report's tables, as shown (suppressed), for the CSV and XLSX exports."""
    figures = report["annual"]
    header = ["", figures["this_label"], figures["before_label"], "Change"]
    tables = [
        (
            "Scope",
            ["Report", "Financial year", "Compared with"],
            [["Annual CDOP report", figures["this_label"], figures["before_label"]]],
        ),
        ("Child deaths", header, [_row(row) for row in figures["headline"]]),
    ]
    for table in figures["tables"]:
        rows = [_row(row) for row in table["rows"]]
        if table["total"]:
            rows.append(_row({"label": "Total", **table["total"]}))
        tables.append((table["title"], header, rows))
    tables.append(("Notes", ["Note"], [[figures["legend"]]]))
    return tables


def _row(row) -> list:
    """A shown count as a number (so a spreadsheet can add it up), a suppressed one as shown."""
    return [
        row["label"],
        *(row[year].value if row[year].is_shown else row[year].shown for year in (THIS, BEFORE)),
        row["change"],
    ]
