"""The action tracker's export (the writers are in sscb.exports)."""

import datetime

from django.utils import timezone

from sscb.access_log import Action, access_log_record
from sscb.exports import XLSX, csv_response, xlsx_response  # noqa: F401 (XLSX: for the tests)

from . import selectors
from .filters import ActionFilter

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


def action_rows(actions, today: datetime.date):
    for action in actions:
        on_time = {"on_time": "Yes", "late": "No"}.get(action.completion, "")
        yield [
            action.reference,
            action.title,
            action.description,
            action.owner_agency.name,
            str(action.owner) if action.owner_id else "",
            action.subgroup.name,
            action.due_on,
            action.get_status_display(),
            "Yes" if action.at_risk else "No",
            action.rag_state.capitalize(),
            action.completed_on,
            on_time,
            action.follow_up_on,
            action.progress,
        ]


def action_export(request, fmt):
    """The action tracker, as its list page filters it, as CSV or XLSX."""
    actions = (
        ActionFilter(
            request.GET,
            queryset=selectors.action_list(request.user).select_related("owner", "subgroup"),
        )
        .qs.with_completion()
        .order_by("due_on", "pk")
    )
    today = timezone.localdate()
    rows = action_rows(actions.iterator(chunk_size=2000), today)
    name = f"actions-{today.isoformat()}"
    # The filters are in the logged path's query string.
    access_log_record(request, None, Action.EXPORT, label=f"Action tracker: {name}.{fmt}")
    if fmt == "xlsx":
        return xlsx_response([("Actions", ACTION_HEADER, rows)], name)
    return csv_response([("Actions", ACTION_HEADER, rows)], name)
