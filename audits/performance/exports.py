"""The scorecard as CSV and XLSX tables, as the page shows it."""

SCORECARD_HEADER = [
    "Indicator",
    "Owning agency",
    "Unit",
    "Polarity",
    "Target",
    "Tolerance",
    "Latest quarter",
    "Latest value",
    "RAG",
    "Return for the quarter",
    "Commentary",
]


def scorecard_tables(card: dict) -> list:
    """The scorecard as (title, header, rows): its rows, then each indicator's eight quarters."""
    rows = []
    for row in card["rows"]:
        indicator, latest = row.indicator, row.latest
        rows.append(
            [
                indicator.name,
                indicator.agency.name,
                indicator.get_unit_display(),
                indicator.get_polarity_display(),
                indicator.target,
                indicator.tolerance,
                latest.label if latest else "",
                latest.value if latest else "",
                row.rag_label,
                row.state_label,
                latest.commentary if latest else "",
            ]
        )
    trend = [
        [row.indicator.name, *["" if value is None else value for _, value in row.values]]
        for row in card["rows"]
    ]
    title = f"{card['set'].name} {card['label']}"
    return [
        (f"Scorecard {card['label']}", SCORECARD_HEADER, rows),
        (f"Trend to {card['label']}", ["Indicator", *card["trend_labels"]], trend),
        (
            title,
            ["Scorecard", "Quarter", "Returns due by"],
            [[card["set"].name, card["label"], card["due_on"]]],
        ),
    ]
