"""Home-page items for the learning loop, each provider a fixed number of queries."""

from django.db.models import Count, Q
from django.utils import timezone

from sscb.access import can_record_work
from sscb.attention import Attention, attention_provider
from sscb.lists import count_up_to, how_many, plural
from sscb.record_urls import url_for

from . import selectors
from .models import (
    Action,
    AssuranceEvidence,
    LearningOutcome,
    action_follow_up_due,
    action_rag_condition,
)

SOON = Action.AMBER_WITHIN  # what turns an action amber


@attention_provider
def agency_requests(user):
    """For a partner agency lead: what the partnership is waiting for from their agency."""
    if not user.is_agency_lead:
        return []
    today = timezone.localdate()
    still_open = Q(status__in=Action.OPEN)  # the actions list's "not completed"
    counts = selectors.actions_visible_to(user).aggregate(
        red=Count("pk", filter=action_rag_condition(Action.Rag.RED, today)),
        amber=Count("pk", filter=action_rag_condition(Action.Rag.AMBER, today)),
        later=Count("pk", filter=action_rag_condition(Action.Rag.GREEN, today) & still_open),
    )
    evidence = (
        selectors.evidence_visible_to(user)
        .filter(requested_on__isnull=False, received_on__isnull=True)
        .count()
    )
    actions_url = url_for("learning:actions")
    items = []
    if counts["red"]:
        items.append(
            Attention(
                f"{plural(counts['red'], 'action')} overdue for your agency",
                "Update progress or report completion with evidence.",
                f"{actions_url}?rag=red",
                "danger",
            )
        )
    if counts["amber"]:
        items.append(
            Attention(
                f"{plural(counts['amber'], 'action')} due in the next {SOON.days} days or at risk",
                "Report progress, or tell the sub-group if the date is at risk.",
                f"{actions_url}?rag=amber",
                "warning",
            )
        )
    if counts["later"]:
        items.append(
            Attention(
                f"{plural(counts['later'], 'other open action')} for your agency",
                "Due later: keep their progress up to date.",
                f"{actions_url}?completion=not_done&rag=green",
                "info",
            )
        )
    if evidence:
        items.append(
            Attention(
                f"{plural(evidence, 'evidence request')} waiting for your agency",
                "Provide the assurance evidence the partnership has asked for.",
                url_for("learning:evidence_list") + "?outstanding=true",
                "warning",
            )
        )
    return items


@attention_provider
def executive_decisions(user):
    if not (user.is_executive or user.is_business_unit):
        return []
    waiting = (
        selectors.outcomes_visible_to(user)
        .filter(decision=LearningOutcome.Decision.PENDING)
        .count()
    )
    if not waiting:
        return []
    return [
        Attention(
            f"{plural(waiting, 'learning outcome')} awaiting an Executive decision",
            "Read the schedule of activities and record the Executive's decision.",
            url_for("learning:outcomes") + "?decision=pending",
            "info",
        )
    ]


@attention_provider
def subgroup_follow_through(user):
    """For those who record the work: sign-offs, follow-ups, evidence to judge, themes. Each
    count reads through the visibility rule, as the list it links to does: an action of a
    restricted review the reader is not on the panel of is neither counted nor listed."""
    if not can_record_work(user):
        return []
    subgroups = selectors.subgroups_for_work(user).values("pk")
    actions = selectors.actions_visible_to(user).filter(subgroup__in=subgroups)
    today = timezone.localdate()
    overdue = count_up_to(actions.filter(action_rag_condition(Action.Rag.RED, today)))
    to_sign = count_up_to(actions.filter(status=Action.Status.COMPLETE))
    follow_up = count_up_to(actions.filter(action_follow_up_due(today)))
    to_judge = count_up_to(
        selectors.evidence_visible_to(user).filter(
            outcome__theme__subgroup__in=subgroups,
            received_on__isnull=False,
            judgement=AssuranceEvidence.Judgement.PENDING,
        )
    )
    unthemed = count_up_to(selectors.findings_visible_to(user).filter(theme__isnull=True))
    items = []
    actions_url = url_for("learning:actions")
    if overdue:
        items.append(
            Attention(
                f"{how_many(overdue, 'action')} overdue in your sub-groups",
                "Ask the owning agency for progress, or agree a new date and say why.",
                actions_url + "?rag=red&mine=true",
                "danger",
            )
        )
    if to_sign:
        items.append(
            Attention(
                f"{how_many(to_sign, 'action')} reported complete, awaiting sign-off",
                "Check the evidence of completion and sign off, setting a follow-up date.",
                actions_url + "?status=complete&mine=true",
                "info",
            )
        )
    if follow_up:
        items.append(
            Attention(
                f"{how_many(follow_up, 'action')} due a follow-up check",
                "Check that the change has lasted and record what you found.",
                actions_url + "?follow_up_due=true&mine=true",
                "warning",
            )
        )
    if to_judge:
        items.append(
            Attention(
                f"{how_many(to_judge, 'piece')} of assurance evidence to judge",
                "Judge whether the evidence shows practice has improved.",
                url_for("learning:evidence_list") + "?judgement=pending&received=true&mine=true",
                "info",
            )
        )
    if unthemed:
        items.append(
            Attention(
                f"{how_many(unthemed, 'finding')} not yet in a priority theme",
                "Collate findings that recur into priority learning themes.",
                url_for("learning:collate"),
                "info",
            )
        )
    return items
