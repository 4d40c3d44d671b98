"""The action tracker's export (the writers are in sscb.exports)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from sscb.access_log import Action as Logged
from sscb.access_log import access_log_record
from sscb.exports import XLSX, csv_response, xlsx_response  # noqa: F401 (XLSX: for the tests)
from sscb.lists import COUNTED_UP_TO, count_up_to, how_many
from sscb.models import User

from . import selectors
from .filters import ActionFilter
from .models import Action, action_reference

ACTION_HEADER = [
    "Reference",
    "Action",
    "Description",
    "Owner agency",
    "Owner",
    "Sub-group",
    "Due on",
    "Status",
    "At risk",
    "RAG",
    "Completed on",
    "Completed on time",
    "Follow-up on",
    "Progress",
]

# What each exported action is read as: values, not model instances. Building an action with
# its review, audit, inspection, agency, owner and sub-group for each row was most of the time
# of a large export (issue 15: at scale 1 the Business Unit's whole tracker took 37 s as CSV,
# and 98 s as XLSX, past the web server's timeout).
EXPORTED = (
    "number",
    "review_hidden",
    "review__reference",
    "audit__reference",
    "standard_assessment_id",
    "recommendation__inspection__reference",
    "plan_label",
    "title",
    "description",
    "owner_agency__name",
    "owner_id",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "subgroup__name",
    "due_on",
    "status",
    "at_risk",
    "rag_state",
    "completed_on",
    "completion",
    "follow_up_on",
    "progress",
)

# The most actions one XLSX download holds. Writing a spreadsheet costs about 0.14 ms an action
# (openpyxl, on a 2-core machine), so 50,000 take about 7 s: well within the web server's
# timeout (``GUNICORN_TIMEOUT``, 60 s) on a slower or busier machine. CSV, written as it is
# read, holds every action (500,000 in about 6 s).
SPREADSHEET_ACTIONS_UP_TO = 50_000

STATUS_LABELS = dict(Action.Status.choices)
COMPLETION_LABELS = {"on_time": "Yes", "late": "No"}


def action_rows(rows):
    """The export's rows from ``EXPORTED`` values, read by name; each owner is named as ``User``
    names them."""
    owners = {}
    for row in rows:
        if row.owner_id is not None and row.owner_id not in owners:
            owners[row.owner_id] = str(
                User(
                    first_name=row.owner__first_name,
                    last_name=row.owner__last_name,
                    username=row.owner__username,
                )
            )
        yield [
            action_reference(
                row.number,
                review_hidden=row.review_hidden,
                review=row.review__reference,
                audit=row.audit__reference,
                standard=row.standard_assessment_id is not None,
                inspection=row.recommendation__inspection__reference,
                plan_label=row.plan_label,
            ),
            row.title,
            row.description,
            row.owner_agency__name,
            owners.get(row.owner_id, ""),
            row.subgroup__name,
            row.due_on,
            STATUS_LABELS[row.status],
            "Yes" if row.at_risk else "No",
            row.rag_state.capitalize(),
            row.completed_on,
            COMPLETION_LABELS.get(row.completion, ""),
            row.follow_up_on,
            row.progress,
        ]


def withheld(request, exported: int) -> int:
    """How many actions match the filters and are counted in the Board's figures but are not
    open to the person exporting: a number, as the tracker's page says it (``filtered_page``),
    counted up to ``COUNTED_UP_TO`` past the ``exported`` rows."""
    if any(request.GET.get(name) for name in ActionFilter.words):
        return 0  # a search of words never reads rows the reader may not open
    every = ActionFilter(request.GET, queryset=selectors.actions_counted(), request=request).qs
    return max(count_up_to(every, exported + COUNTED_UP_TO) - exported, 0)


def with_withheld(request, rows):
    """The export's rows, then, after a blank row, a closing row saying how many actions were
    withheld (never which), where any were: the file says what the page says."""
    exported = 0
    for row in rows:
        exported += 1
        yield row
    if hidden := withheld(request, exported):
        yield []
        yield [
            f"{how_many(hidden, 'more action')} "
            f"match{'es' if hidden == 1 else ''} these filters and "
            f"{'is' if hidden == 1 else 'are'} counted in the Board's figures, but "
            f"{'is' if hidden == 1 else 'are'} not open to you, so not in this file: an action "
            "on a restricted review is open only to its panel, its reviewer and the Business "
            "Unit, and a partner agency's lead sees their own agency's actions."
        ]


def action_export(request, fmt):
    """The action tracker, as its list page filters it, as CSV or XLSX."""
    actions = (
        ActionFilter(request.GET, queryset=selectors.action_list(request.user), request=request)
        .qs.with_completion()
        .order_by("due_on", "pk")
    )
    if (
        fmt == "xlsx"
        and count_up_to(actions, SPREADSHEET_ACTIONS_UP_TO) > SPREADSHEET_ACTIONS_UP_TO
    ):
        messages.error(
            request,
            f"An Excel download holds at most {SPREADSHEET_ACTIONS_UP_TO:,} actions, and this "
            "list has more. Narrow it with the filters (an agency, a status, a sub-group or a "
            "financial year), or download it as CSV, which holds every action.",
        )
        query = request.GET.urlencode()
        return redirect(f"{reverse('learning:actions')}{'?' + query if query else ''}")
    today = timezone.localdate()
    rows = with_withheld(
        request, action_rows(actions.values_list(*EXPORTED, named=True).iterator(chunk_size=2000))
    )
    name = f"actions-{today.isoformat()}"
    # The filters are in the logged path's query string.
    access_log_record(request, None, Logged.EXPORT, label=f"Action tracker: {name}.{fmt}")
    if fmt == "xlsx":
        return xlsx_response([("Actions", ACTION_HEADER, rows)], name)
    return csv_response([("Actions", ACTION_HEADER, rows)], name)
