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
  in it, less those it closed: where the deaths notified and still open would give a suppressed
  count of deaths reviewed back, the count still open is withheld, then the count notified.

A cell is safe when a reader who knows all this cannot pin it to one value: each "<5" could be
0 to 4 (or, reading "<5" as 1 to 4, one of those), each "*" 5 or more, and the cells add up to
the total.
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
    "“*”: a count withheld so that a suppressed one cannot be worked out from the total. "
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


def _table(title, labels, counts, totals, withheld, *, partition=True) -> dict:
    """Rows of ``labels`` with this year's and the year before's ``counts`` (dicts by year)."""
    columns = {}
    needs_withholding = set()
    for year in (THIS, BEFORE):
        values = [counts[year][i] for i in range(len(labels))]
        if partition:
            shown, total_shown, withhold = suppress(
                values, totals[year], total_withheld=year in withheld
            )
            if withhold:
                needs_withholding.add(year)
        else:  # not a partition of the deaths (a death's learning may join several themes)
            shown = [FEWER_THAN_FIVE if n in SMALL else str(n) for n in values]
            total_shown = ""
        columns[year] = ([Cell(v, s) for v, s in zip(values, shown, strict=True)], total_shown)
    rows = [
        {
            "label": label,
            THIS: columns[THIS][0][i],
            BEFORE: columns[BEFORE][0][i],
            "change": _change(columns[THIS][0][i], columns[BEFORE][0][i]),
        }
        for i, label in enumerate(labels)
    ]
    total = None
    if partition:
        this = Cell(totals[THIS], columns[THIS][1])
        before = Cell(totals[BEFORE], columns[BEFORE][1])
        total = {THIS: this, BEFORE: before, "change": _change(this, before)}
    return {"title": title, "rows": rows, "total": total, "_withhold": needs_withholding}


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

    def build(withheld):
        tables = [
            _table(title, labels, tally(field, keys), totals, withheld)
            for title, labels, field, keys in specs
        ]
        tables.append(
            _table(
                "Themes of their learning (deaths whose findings joined each theme)",
                theme_labels,
                theme_counts,
                totals,
                withheld,
                partition=False,
            )
        )
        return tables

    tables = build(set())
    withheld = set().union(*(table["_withhold"] for table in tables))
    if withheld:
        tables = build(withheld)

    def single(name, year):
        value = headline[f"{name}_{year}"]
        return Cell(value, FEWER_THAN_FIVE if value in SMALL else str(value))

    reviewed_row = {
        year: Cell(
            totals[year],
            WITHHELD
            if year in withheld
            else FEWER_THAN_FIVE
            if totals[year] in SMALL
            else str(totals[year]),
        )
        for year in (THIS, BEFORE)
    }
    notified_row = {y: single("notified", y) for y in (THIS, BEFORE)}
    open_row = {y: single("open", y) for y in (THIS, BEFORE)}
    # The reviews open at the end of a year are those open at its start (the year before's
    # end), and those notified in it, less those it closed: so a year's reviewed and still-open
    # counts add up to a total a reader can work out, and are suppressed as a column is. First
    # the count still open, then the count notified, is withheld. The count open at the year's
    # start is taken as known (another year's report shows it), so each year's cells are the
    # same in every report that shows them.
    open_at_start = {THIS: headline["open_before"], BEFORE: headline["open_earlier"]}
    for year in (THIS, BEFORE):
        for row in (open_row, notified_row):
            if not _derivable(
                [reviewed_row[year], open_row[year]],
                open_at_start[year] + notified_row[year].value,
                known=notified_row[year].is_shown,
            ):
                break
            value = row[year].value
            row[year] = Cell(value, FEWER_THAN_FIVE if value < 5 else WITHHELD)
    headline_rows = []
    for label, cells in (
        ("Deaths notified in the year", notified_row),
        ("Deaths reviewed by the panel in the year", reviewed_row),
        ("Reviews still open at the end of the year", open_row),
    ):
        headline_rows.append(
            {"label": label, **cells, "change": _change(cells[THIS], cells[BEFORE])}
        )
    for table in tables:
        del table["_withhold"]
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
