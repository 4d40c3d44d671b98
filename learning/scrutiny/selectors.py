"""Reads of the external scrutiny register, scoped to the person reading.

An inspection report is the partnership's business, not a child's: the Business Unit, the
sub-group members and the Board's executive read the register; the Business Unit keeps it; the
sub-group that monitors the response turns recommendations into findings and actions.
"""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet

from learning.selectors import action_list, findings_visible_to, thread_forward
from sscb.access import can_read_scrutiny, can_work_for_subgroup, get_by_public_id
from sscb.history import Part, history_of

from .models import Inspection, Recommendation


def can_read_register(user) -> bool:
    return can_read_scrutiny(user)


def can_keep_register(user) -> bool:
    return user.is_business_unit


def can_act_on(user, inspection: Inspection) -> bool:
    """Who turns a recommendation into a finding or an action: the monitoring sub-group."""
    return can_work_for_subgroup(user, inspection.subgroup_id)


def inspections_visible_to(user) -> QuerySet:
    inspections = Inspection.objects.all()
    return inspections if can_read_register(user) else inspections.none()


def get_inspection_for_user(user, uuid: UUID, write=False) -> Inspection:
    """404 for what the user may not read, 403 for a change they may not make."""
    inspection = get_by_public_id(inspections_visible_to(user).select_related("subgroup"), uuid)
    if write and not can_keep_register(user):
        raise PermissionDenied
    return inspection


def get_recommendation_for_user(user, inspection_uuid: UUID, uuid: UUID) -> Recommendation:
    """One recommendation, named under its inspection's address."""
    inspection = get_inspection_for_user(user, inspection_uuid)
    recommendation = get_by_public_id(
        Recommendation.objects.filter(inspection=inspection).select_related("agency"), uuid
    )
    recommendation.inspection = inspection
    return recommendation


def inspection_list(user) -> QuerySet:
    return (
        inspections_visible_to(user)
        .select_related("subgroup")
        .annotate(recommendation_count=Count("recommendations", distinct=True))
        .order_by("-started_on", "-pk")
    )


def inspection_page(user, inspection: Inspection) -> dict:
    """The inspection with its recommendations, each with the findings and actions it became
    (those the reader may see), in a fixed number of queries."""
    findings = findings_visible_to(user).select_related("theme").order_by("pk")
    actions = action_list(user).order_by("due_on", "pk")
    recommendations = list(
        Recommendation.objects.filter(inspection=inspection)
        .select_related("agency")
        .prefetch_related(
            Prefetch("findings", queryset=findings, to_attr="visible_findings"),
            Prefetch("actions", queryset=actions, to_attr="visible_actions"),
        )
        .order_by("number")
    )
    for recommendation in recommendations:
        recommendation.inspection = inspection
        for action in recommendation.visible_actions:
            action.recommendation = recommendation
    return {
        "inspection": inspection,
        "recommendations": recommendations,
        "agencies": list(inspection.agencies.order_by("name")),
    }


# What an inspection's history lists: its own fields, the agencies it looked at and its
# recommendations', never the findings and actions they became (each has its own rule for who
# may see it).
INSPECTION_HISTORY_FIELDS = [
    "kind",
    "title",
    "carried_out_by",
    "started_on",
    "reported_on",
    "scope",
    "judgement",
    "summary",
    "subgroup",
    "agencies",
]
RECOMMENDATION_HISTORY_FIELDS = ["text", "agency"]


def inspection_history(inspection: Inspection):
    """Who changed the inspection and its recommendations, and what: the newest first. At most
    four queries, and one for each kind of record a changed link names (sub-groups, agencies)."""
    recommendations = Part(
        "recommendation",
        Recommendation.history.filter(inspection_id=inspection.pk).select_related("history_user"),
        RECOMMENDATION_HISTORY_FIELDS,
        name="number",
    )
    return history_of(
        inspection.history.select_related("history_user"),
        INSPECTION_HISTORY_FIELDS,
        [recommendations],
    )


def inspection_thread(user, inspection: Inspection, page=None) -> dict:
    """The golden thread from an inspection: its recommendations and what each became, the
    findings' themes and all that followed, the page ``page`` of its actions in loop order."""
    return inspection_page(user, inspection) | thread_forward(
        user, inspection=inspection, page=page
    )
