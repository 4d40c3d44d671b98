"""Thin views: call a selector or a service, render."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from sscb import sending
from sscb.access import require
from sscb.access_log import Action, access_log_record
from sscb.dates import financial_year_label
from sscb.exports import csv_response, xlsx_response
from sscb.forms import PeriodForm
from sscb.lists import plural
from sscb.pages import form_page
from sscb.params import query_value
from sscb.selectors import reminders_about
from sscb.tabular import template_csv

from . import selectors, services
from .exports import scorecard_tables
from .forms import IndicatorValueForm, IndicatorValuesUploadForm
from .sparkline import show


@require_safe
def index(request):
    """The framework: its scorecards, its indicators, and the values the user has to return."""
    user = request.user
    require(selectors.can_see_performance(user))
    return render(
        request,
        "performance/index.html",
        {
            "sets": list(selectors.sets_visible_to(user)),
            "indicators": list(selectors.indicator_list(user)),
            "due": selectors.returns_due(user),
            "can_submit": selectors.submitting_agencies(user).exists(),
            "can_manage": selectors.can_manage_indicators(user),
        },
    )


@require_safe
def indicator_detail(request, uuid):
    indicator = selectors.get_indicator_for_user(request.user, uuid)
    context = selectors.indicator_page(request.user, indicator)
    context["reminders"] = reminders_about(indicator)
    context["history"] = selectors.indicator_history(indicator)
    return render(request, "performance/indicator_detail.html", context)


def _quarter_param(text: str) -> int | None:
    return int(text) if text in ("1", "2", "3", "4") else None


def _year_param(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) == 4 else None


def value_submit(request, uuid):
    """The owning agency (or the Business Unit for it) returns a quarter's value."""
    user = request.user
    indicator = selectors.get_indicator_for_user(user, uuid, write=True)
    initial = {}
    if request.method != "POST":
        year, quarter = selectors.last_ended_quarter()
        initial = {
            "year": query_value(request, "year", _year_param) or year,
            "quarter": query_value(request, "quarter", _quarter_param) or quarter,
        }
    form = IndicatorValueForm(request.POST or None, indicator=indicator, initial=initial)
    return form_page(
        request,
        form,
        template="performance/value_form.html",
        title=f"Submit a value: {indicator}",
        purpose=f"{indicator.agency}'s figure for one quarter, with what lies behind it. "
        f"Target {show(indicator, indicator.target)} ({indicator.get_polarity_display().lower()}). "
        "A value already returned for the quarter is corrected, and the old one is listed "
        "under it on the indicator's page.",
        back=indicator.get_absolute_url(),
        save=lambda: (
            services.indicator_value_submit(
                indicator=indicator, by=user, **form.cleaned_data
            ).indicator
        ),
        success="Value submitted.",
        indicator=indicator,
    )


def values_upload(request):
    """An agency's quarterly values from a CSV or XLSX file: all of them, or none and why."""
    user = request.user
    agencies = selectors.submitting_agencies(user)
    require(agencies.exists())
    form = IndicatorValuesUploadForm(request.POST or None, request.FILES or None, agencies=agencies)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        result = services.indicator_values_import(
            by=user, agency=form.cleaned_data["agency"], upload=form.cleaned_data["file"]
        )
        if not result.errors:
            messages.success(request, f"{plural(result.created, 'quarterly value')} stored.")
            return redirect("performance:index")
        row_errors = result.errors
        sending.not_saved(form)  # nothing was added: the file may be corrected and sent again
    return render(
        request,
        "performance/upload.html",
        {
            "form": form,
            "row_errors": row_errors,
            "columns": services.TEMPLATE_COLUMNS,
            "indicators": list(selectors.indicators_to_submit(user).order_by("agency", "name")),
        },
        status=400 if row_errors else 200,
    )


@require_safe
def values_template(request):
    """The upload template: its header row and, for an agency's lead, a row for each of their
    agency's indicators (``services.template_examples``), as CSV."""
    user = request.user
    require(selectors.submitting_agencies(user).exists())
    indicators = selectors.indicators_to_submit(user).order_by(
        "indicator_set__name", "order", "name"
    )
    today = timezone.localdate()
    examples = services.template_examples(
        list(indicators), lambda indicator: selectors.quarters_due(indicator, today)
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="performance-values-template.csv"'
    return template_csv(response, services.TEMPLATE_COLUMNS, *examples)


def _scorecard(request, uuid):
    """The form showing the quarter read, what was asked and not applied, and the scorecard: the
    quarter chosen when both its year and quarter are offered, else the last one ended."""
    indicator_set = selectors.get_set_for_user(request.user, uuid)
    asked = PeriodForm(request.GET or None, whole_year=False)
    year, quarter = selectors.last_ended_quarter()
    if asked.is_bound and asked.is_valid() and asked.cleaned_data["quarter"]:
        year, quarter = asked.cleaned_data["year"], asked.cleaned_data["quarter"]
    form = PeriodForm(None, whole_year=False, initial={"year": year, "quarter": quarter})
    return form, asked.ignored(), selectors.scorecard(request.user, indicator_set, year, quarter)


@require_safe
def scorecard(request, uuid):
    """QAP's scorecard for one quarter: RAG against target, the trend, the returns missing."""
    form, ignored, card = _scorecard(request, uuid)
    return render(
        request,
        "performance/scorecard.html",
        {
            "form": form,
            "ignored": ignored,
            "card": card,
            "query": f"year={card['year']}&quarter={card['quarter']}",
            "back": reverse("performance:index"),
            "history": selectors.scorecard_history(request.user, card["set"]),
        },
    )


@require_safe
def scorecard_export(request, uuid, fmt):
    """The scorecard for the quarter chosen, as CSV or XLSX; the export is logged."""
    _form, _ignored, card = _scorecard(request, uuid)
    # Named by the financial year ("2026-27"), which "2026" alone would read as calendar 2026.
    year = financial_year_label(card["year"]).replace("/", "-")
    name = f"scorecard-{year}-Q{card['quarter']}"
    access_log_record(request, None, Action.EXPORT, label=f"{card['set'].name}: {name}.{fmt}")
    tables = scorecard_tables(card)
    return xlsx_response(tables, name) if fmt == "xlsx" else csv_response(tables, name)
