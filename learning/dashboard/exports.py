"""The dashboard's tables as CSV and XLSX, with the same filters as the page."""

from django.db.models import Q
from django.utils.text import slugify

from learning.exports import csv_response, xlsx_response
from learning.training.models import Questionnaire
from sscb.models import Agency

from .assurance import JUDGED
from .cdop import BEFORE, THIS
from .cdop import LEGEND as SUPPRESSION_LEGEND
from .returns import SCORES


def dashboard_tables(figures: dict) -> list[tuple[str, list[str], list[list]]]:
    """The dashboard's tables as (title, header, rows) for the CSV and XLSX exports."""
    label = figures["year_label"]
    scope = figures["scope"]
    where = scope.subgroup.name if scope.subgroup else "All sub-groups"
    reviews = figures["reviews"]
    actions = figures["actions"]
    kinds = figures["by_kind_and_stage"]
    assurance = figures["assurance"]
    impact = figures["impact"]
    agency_names = _full_names([row["label"] for row in assurance["by_agency"]])
    tables = [
        (
            "Scope",
            ["Financial year", "Sub-group", "Counted on"],
            [[label, where, scope.today]],
        ),
        (
            "Reviews",
            ["Figure", "Count"],
            [
                ["Open during the year", reviews["active"].value],
                ["Started (referred) in the year", reviews["started"].value],
                ["Completed in the year", reviews["completed"].value],
                ["Published in the year", reviews["published"].value],
                ["Reviews with a statutory clock past due (today)", reviews["clock_red"].value],
                [
                    "Reviews with a statutory clock due soon and none past due (today)",
                    reviews["clock_amber"].value,
                ],
                ["Statutory deadlines met on time in the year", reviews["clock_met_on_time"].value],
                ["Statutory deadlines met late in the year", reviews["clock_met_late"].value],
            ],
        ),
        (
            f"Reviews by kind and stage {kinds['stage_when']}",
            ["Kind", *[stage for _, stage in kinds["stages"]], "Total"],
            [
                [row["kind"], *[cell.value for cell in row["cells"]], row["total"].value]
                for row in kinds["rows"]
            ],
        ),
        (
            "Actions due in the year",
            ["Figure", "Count"],
            [
                ["Due in the year", actions["due"].value],
                ["Completed on time", actions["on_time"].value],
                ["Completed late", actions["late"].value],
                ["Overdue, not completed", actions["overdue"].value],
                ["Cancelled", actions["cancelled"].value],
                ["Due date passed, or done", actions["judged"]],
                ["Completed on time (% of those)", actions["on_time_percent"]],
            ],
        ),
        (
            "Actions by agency and RAG",
            ["Agency", "Red", "Amber", "Green", "Total"],
            [
                [
                    row["agency_name"],
                    row["red"].value,
                    row["amber"].value,
                    row["green"].value,
                    row["total"].value,
                ]
                for row in figures["actions_by_agency"]
            ],
        ),
        (
            "Themes by loop stage",
            ["Loop stage", "Themes"],
            [[row["stage"], row["count"].value] for row in figures["themes_by_stage"]],
        ),
        (
            "Themes",
            ["Theme", "Sub-group", "Status", "Loop stage"],
            [
                [
                    theme.title,
                    theme.subgroup.name,
                    theme.get_status_display(),
                    theme.loop_stage.label,
                ]
                for theme in figures["themes"]
            ],
        ),
        (
            "Learning delivered and its reach",
            ["Learning outcome", "Delivery", "Way", "Delivered", "Agencies confirmed", "Reach"],
            [
                [
                    row["outcome"].title,
                    delivery["activity"].title,
                    delivery["activity"].get_way_display(),
                    delivery["activity"].delivered_on,
                    (
                        f"{delivery['agencies_confirmed']} of {delivery['agencies']}"
                        if delivery["agencies"]
                        else ""
                    ),
                    delivery["reach"].value,
                ]
                for row in figures["reach"]
                for delivery in row["deliveries"]
            ],
        ),
        _impact_table(impact),
        (
            "Assurance judgements by theme",
            ["Theme", *[j for _, j in assurance["judgements"]], "Total"],
            [
                [row["outcome__theme__title"], *[row[value] for value in JUDGED], row["total"]]
                for row in assurance["theme_rows"]
            ],
        ),
        (
            "Assurance judgements by agency",
            ["Agency", *[j for _, j in assurance["judgements"]], "Total"],
            [
                [
                    agency_names.get(row["label"], row["label"]),
                    *[row[value].value for value in JUDGED],
                    row["total"].value,
                ]
                for row in assurance["by_agency"]
            ],
        ),
    ]
    returns_rows = []
    heat_rows = []
    for item in figures["returns"]:
        cycle = item["cycle"]
        returns_rows.append(
            [
                cycle.title,
                cycle.framework.name,
                item["total"].value,
                item["returned"].value,
                item["moderated"].value,
                item["late"].value,
            ]
        )
        for standard in item["standards"]:
            heat_rows.append(
                [
                    cycle.title,
                    f"{standard['number']}. {standard['title']}",
                    *standard["scores"],
                    standard["average"],
                ]
            )
    tables.append(
        (
            "Section 11 / 175 returns",
            ["Cycle", "Framework", "Returns", "Returned", "Moderated", "Late"],
            returns_rows,
        )
    )
    tables.append(
        (
            "Standards heat map",
            ["Cycle", "Standard", *[label for _, label in SCORES], "Average score"],
            heat_rows,
        )
    )
    tables.append(
        (
            "Reminders and escalations outstanding",
            ["Figure", "Count"],
            [
                ["Actions overdue (today)", actions["overdue_now"].value],
                ["  escalated to the sub-group chair", actions["escalated_chair"].value],
                ["  escalated to the Business Unit", actions["escalated_bu"].value],
                ["Evidence requested and not received", assurance["outstanding"].value],
                ["Reviews with a statutory clock past due", reviews["clock_red"].value],
                ["Section 11 / 175 returns late", figures["returns_late"]],
            ],
        )
    )
    return tables


def _impact_table(impact: dict) -> tuple[str, list[str], list[list]]:
    """The impact by learning outcome, as the dashboard and the annual report show it."""
    return (
        "Impact by learning outcome",
        [
            "Learning outcome",
            "Theme",
            "Delivered",
            "Reach",
            "Evaluation answers",
            "Confidence before",
            "Confidence after",
            "Confidence change",
            *[f"Practice changed: {label}" for label in Questionnaire.Change.labels],
            *[f"Practice checks: {label}" for _, label in impact["checks"]],
            *[f"Assurance: {label}" for _, label in impact["judgements"]],
        ],
        [
            [
                row["outcome"].title,
                row["outcome"].theme.title,
                row["delivered"].value,
                row["reach"].value,
                row["answers"].value,
                row["evaluation"].confidence_before,
                row["evaluation"].confidence_after,
                row["evaluation"].confidence_change,
                *[figure.value for figure in row["practice"].values()],
                *[figure.value for figure in row["checks"].values()],
                *[figure.value for figure in row["judgements"].values()],
            ]
            for row in impact["rows"]
        ],
    )


def _shown(cell):
    """A CDOP count as its report shows it: a number where shown, else "<5" or "*"."""
    return cell.value if cell.is_shown else cell.shown


def _value(figure):
    return getattr(figure, "value", figure)


def annual_report_tables(report: dict) -> list[tuple[str, list[str], list[list]]]:
    """The annual-report section's figures (``annual_report.scope_report``) as (title, header,
    rows) for the CSV and XLSX exports: what its page shows, in the same words."""
    scope = report["scope"]
    period = scope.period
    reviews, delivered, practice = report["reviews"], report["delivery"], report["practice"]
    totals, actions = report["assurance"]["totals"], report["actions"]
    incidence, follow_ups = report["incidence"], report["follow_ups"]
    year_on_year = ["Figure", incidence["this_label"], incidence["before_label"], "Change"]
    tables = [
        (
            "Scope",
            ["Financial year", "From", "To", "Sub-group", "Counted on"],
            [
                [
                    period.label,
                    period.first,
                    period.last,
                    scope.subgroup.name if scope.subgroup else "All sub-groups",
                    scope.today,
                ]
            ],
        ),
        (
            "Case reviews",
            ["Figure", "Count"],
            [
                ["Started (referred) in the year", reviews["started"].value],
                ["Completed in the year", reviews["completed"].value],
                ["Published in the year", reviews["published"].value],
            ],
        ),
        (
            "Reviews by kind",
            ["Kind", "Started", "Completed", "Published"],
            [
                [row["kind"], row["started"].value, row["completed"].value, row["published"].value]
                for row in report["reviews_by_kind"]
            ],
        ),
        (
            "Learning delivered and its reach",
            ["Figure", "Count"],
            [
                ["Learning outcomes agreed by the Executive", report["outcomes_agreed"].value],
                ["Learning activities that took place", delivered["count"].value],
                ["Reach (attendances and cascade reach added up)", delivered["reach"]],
            ],
        ),
        (
            "Delivery by the framework's six ways",
            ["Way", "Activities", "Reach"],
            [[row["way"], row["count"].value, row["reach"]] for row in delivered["by_way"]],
        ),
        (
            "Practice development checks",
            ["Result", "Checks"],
            [
                *[[row["result"], row["count"].value] for row in practice["results"]],
                ["Checks made", practice["checked"].value],
                ["Found practice improved or partly improved (%)", practice["improved_percent"]],
            ],
        ),
        (
            "Training evaluation",
            [
                "Stage",
                "Evaluations recorded by agencies",
                "Responses",
                "Average confidence (1–10)",
                "Attendees' answers",
                "Average confidence (1–5)",
            ],
            [
                [
                    row["stage"],
                    row["count"],
                    row["responses"],
                    row["confidence"],
                    row["answers"],
                    row["answers_confidence"],
                ]
                for row in practice["evaluation"]
            ],
        ),
        _impact_table(report["impact_by_outcome"]),
        (
            "Assurance and actions",
            ["Figure", "Count"],
            [
                ["Assurance evidence judged", totals["total"].value],
                ["  assured", totals["assured"].value],
                ["  partly assured", totals["partly"].value],
                ["  not assured", totals["not_assured"].value],
                ["Actions due in the year completed on time", actions["on_time"].value],
                ["Completed on time (%)", actions["on_time_percent"]],
                ["Actions due in the year still overdue", actions["overdue"].value],
            ],
        ),
        (
            "Serious incidents, year on year",
            year_on_year,
            [
                [
                    label,
                    *(_value(incidence[key][year]) for year in (THIS, BEFORE)),
                    incidence[key]["change"],
                ]
                for label, key in (
                    (
                        "Serious incidents notified to Ofsted, the national Panel and the Board",
                        "notifications",
                    ),
                    ("Rapid reviews started", "rapid_reviews"),
                )
            ],
        ),
    ]
    if incidence["deaths"]:
        deaths = incidence["deaths"]
        tables.append(
            (
                "Child deaths, year on year",
                ["Figure", deaths["this_label"], deaths["before_label"], "Change"],
                [
                    [
                        f"Child {row['label'].lower()}",
                        *(_shown(row[year]) for year in (THIS, BEFORE)),
                        row["change"],
                    ]
                    for row in deaths["rows"]
                ],
            )
        )
        tables.append(
            (
                "Notes",
                ["Note"],
                [["Child deaths as the annual CDOP report counts them. " + SUPPRESSION_LEGEND]],
            )
        )
    tables.append(
        (
            "Has the improvement lasted",
            ["Figure", "Count"],
            [
                ["Checks that an action's change had lasted, due in the year", follow_ups["due"]],
                ["Checks made in the year", follow_ups["made"]],
                ["  found that the change had lasted", follow_ups["lasted"]],
                ["  found that it had not, so the action was reopened", follow_ups["not_lasted"]],
                ["Due in the year, still to be made", follow_ups["waiting"]],
            ],
        )
    )
    return tables


def annual_report_file(report: dict, fmt: str):
    """The annual-report section's file for ``report`` (``scope_report``), named by its year and
    sub-group, and that name."""
    name = f"annual-report-{report['scope'].year}" + _subgroup_suffix(report["scope"])
    tables = annual_report_tables(report)
    response = csv_response(tables, name) if fmt == "csv" else xlsx_response(tables, name)
    return response, f"{name}.{fmt}"


def _subgroup_suffix(scope) -> str:
    if not scope.subgroup:
        return ""
    subgroup = scope.subgroup
    return f"-{subgroup.code or slugify(subgroup.name)}"  # a body the Business Unit added


def _full_names(labels: list[str]) -> dict[str, str]:
    """Each agency's full name by the label a table shows it by (``Agency.label``, its short
    name where it has one), so that every sheet of a file names an agency alike (the actions
    sheet names it in full): one query, and only for a label that names one agency."""
    if not labels:
        return {}
    names: dict[str, list[str]] = {}
    for agency in Agency.objects.filter(Q(short_name__in=labels) | Q(name__in=labels)):
        names.setdefault(agency.label, []).append(agency.name)
    return {label: found[0] for label, found in names.items() if len(found) == 1}


def dashboard_export(figures: dict, fmt: str):
    """The file for ``figures``, named by its year and sub-group, and that name."""
    name = f"board-dashboard-{figures['scope'].year}" + _subgroup_suffix(figures["scope"])
    tables = dashboard_tables(figures)
    response = csv_response(tables, name) if fmt == "csv" else xlsx_response(tables, name)
    return response, f"{name}.{fmt}"
