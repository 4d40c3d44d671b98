"""The Board executive dashboard, the annual-report section, reports by reporting line, exports."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learning.meetings import figures as meeting_figures
from learning.models import Action as LearningAction
from sscb import figures_cache
from sscb.access import can_see_dashboard, require
from sscb.access_log import Action, access_log_record
from sscb.dates import quarter_of
from sscb.exports import csv_response, xlsx_response

from . import reporting_lines
from .annual_report import readers_report, scope_report
from .exports import annual_report_file, dashboard_export
from .forms import DashboardFilterForm, ReportPeriodForm
from .overview import chart_data, scope_figures
from .scope import Period, make_scope


def _filters(request):
    """The filter form and the reader's scope it chose. Only the Executive, the Business Unit and
    sub-group members (for their sub-groups) may read the dashboard."""
    require(can_see_dashboard(request.user))
    form = DashboardFilterForm(request.GET or None, user=request.user)
    chosen = form.chosen()
    return form, make_scope(request.user, year=chosen["year"], subgroup=chosen["subgroup"])


def _query(scope) -> str:
    """The page's year and sub-group as a query string, for its export and print links."""
    params = {"year": scope.year}
    if scope.subgroup is not None:
        params["subgroup"] = scope.subgroup.pk
    return urlencode(params)


def _dashboard_parts(scope) -> dict:
    """The dashboard's figures for a scope, rendered without the request: the same for every
    reader of the scope, so kept until a record changes."""
    figures = scope_figures(scope)
    context = {
        "figures": figures,
        "scope": scope,
        "reviews": figures["reviews"],
        "actions": figures["actions"],
        "assurance": figures["assurance"],
        "charts": chart_data(figures),
        "amber_days": LearningAction.AMBER_WITHIN.days,
    }
    return {
        "reviews": render_to_string("dashboard/_reviews.html", context),
        "figures": render_to_string("dashboard/_figures.html", context),
        "counted": timezone.localtime(),
    }


def index(request):
    """Reviews, clocks, actions, themes, assurance, returns and reminders for a year."""
    form, scope = _filters(request)
    return render(
        request,
        "dashboard/index.html",
        {
            "form": form,
            "scope": scope,
            "parts": figures_cache.a_little_old(
                request, "dashboard", scope.key, lambda: _dashboard_parts(scope)
            ),
            # Meetings and their actions go through the reader's visibility: kept for the reader.
            "meetings": figures_cache.parts(
                "dashboard-meetings",
                scope.key,
                lambda: meeting_figures.summary(request.user, scope.period.year, scope.subgroup),
                request=request,
            ),
            "query": _query(scope),
            "may_be_old": settings.FIGURES_MAY_BE_OLD_SECONDS,
        },
    )


def _annual_report_parts(names, context) -> dict:
    """The annual report's parts ``names`` (``dashboard/_annual_<name>.html``), rendered without
    the request, to be kept."""
    return {name: render_to_string(f"dashboard/_annual_{name}.html", context) for name in names}


def annual_report(request):
    """The annual-report section for one financial year, ready to paste into the Board's report."""
    form, scope = _filters(request)
    return render(
        request,
        "dashboard/annual_report.html",
        {
            "form": form,
            "scope": scope,
            # The figures, the same for every reader of the scope.
            "parts": figures_cache.a_little_old(
                request,
                "annual-report",
                scope.key,
                lambda: {
                    "counted": timezone.localtime(),
                    **_annual_report_parts(
                        ("reviews", "learning", "assurance", "incidence", "follow_up"),
                        {"r": scope_report(scope)},
                    ),
                },
            ),
            # The reviews and evidence named, through the reader's visibility: theirs alone.
            "readers": figures_cache.parts(
                "annual-report-reader",
                scope.key,
                lambda: _annual_report_parts(
                    ("published", "impact"),
                    {"scope": scope, **readers_report(request.user, scope)},
                ),
                request=request,
            ),
            "query": _query(scope),
            "may_be_old": settings.FIGURES_MAY_BE_OLD_SECONDS,
        },
    )


def annual_report_export(request, fmt):
    """The annual-report section's figures, as its page shows them for the chosen year and
    sub-group (``scope_report``), as CSV or XLSX: every outcome's impact, not the page's first."""
    _, scope = _filters(request)
    response, filename = annual_report_file(scope_report(scope, every_row=True), fmt)
    access_log_record(request, None, Action.EXPORT, label=f"Annual report section: {filename}")
    return response


def export(request, fmt):
    """The dashboard's tables, with the same filters, as CSV or XLSX."""
    _, scope = _filters(request)
    figures = scope_figures(scope, every_row=True)  # the page's figures, and every row
    response, filename = dashboard_export(figures, fmt)
    access_log_record(request, None, Action.EXPORT, label=f"Board dashboard: {filename}")
    return response


def report_index(request):
    require(can_see_dashboard(request.user))
    lines = [
        line
        for line in reporting_lines.LINES.values()
        if reporting_lines.can_read_report(request.user, line)
    ]
    return render(request, "dashboard/report_index.html", {"lines": lines})


def report(request, line):
    """One reporting line's report for a chosen period, printable."""
    reporting_line = reporting_lines.LINES.get(line)
    if reporting_line is None:
        raise Http404
    require(reporting_lines.can_read_report(request.user, reporting_line))
    quarters = reporting_line.quarters
    form = ReportPeriodForm(request.GET or None, quarters=quarters)
    chosen = form.chosen()
    today = timezone.localdate()
    if reporting_line.quarterly and not request.GET:
        chosen["quarter"] = quarter_of(today)
        form = ReportPeriodForm(None, quarters=quarters, initial=chosen)
    period = Period(chosen["year"], chosen["quarter"])
    return render(
        request,
        f"dashboard/report_{reporting_line.slug}.html",
        {
            "form": form,
            "line": reporting_line,
            "period": period,
            "report": reporting_lines.report(request.user, reporting_line, period, today),
            "back": reverse("dashboard:reports"),
            "exportable": reporting_line.slug in reporting_lines.EXPORTS,
            "query": urlencode(
                {"year": period.year} | ({"quarter": period.quarter} if period.quarter else {})
            ),
        },
    )


def report_export(request, line, fmt):
    """A reporting line's report, as its page shows it for the chosen period, as CSV or XLSX."""
    reporting_line = reporting_lines.LINES.get(line)
    if reporting_line is None or line not in reporting_lines.EXPORTS:
        raise Http404
    require(reporting_lines.can_read_report(request.user, reporting_line))
    chosen = ReportPeriodForm(request.GET or None, quarters=reporting_line.quarters).chosen()
    period = Period(chosen["year"], chosen["quarter"])
    today = timezone.localdate()
    report = reporting_lines.report(request.user, reporting_line, period, today)
    tables = reporting_lines.EXPORTS[line](report, period)
    name = f"{line}-report-{period.year}" + (f"-q{period.quarter}" if period.quarter else "")
    response = csv_response(tables, name) if fmt == "csv" else xlsx_response(tables, name)
    access_log_record(request, None, Action.EXPORT, label=f"{reporting_line.title}: {name}.{fmt}")
    return response
