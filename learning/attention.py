"""Home-page items for the learning loop, each provider a fixed number of queries."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from sscb.access import can_record_work
from sscb.attention import Attention, attention_provider

from . import selectors
from .models import Action, AssuranceEvidence, LearningOutcome

SOON = Action.AMBER_WITHIN  # what turns an action amber


def _plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


@attention_provider
def agency_requests(user):
    """For a partner agency lead: what the partnership is waiting for from their agency."""
    if not user.is_agency_lead:
        return []
    today = timezone.localdate()
    url = reverse("learning:my_agency")
    open_actions = selectors.actions_visible_to(user).exclude(
        status__in=[*Action.DONE, Action.Status.CANCELLED]
    )
    counts = open_actions.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + SOON)),
    )
    evidence = (
        selectors.evidence_visible_to(user)
        .filter(requested_on__isnull=False, received_on__isnull=True)
        .count()
    )
    items = []
    if counts["overdue"]:
        items.append(
            Attention(
                f"{_plural(counts['overdue'], 'action')} overdue for your agency",
                "Update progress or report completion with evidence.",
                url,
                "danger",
            )
        )
    if counts["soon"]:
        items.append(
            Attention(
                f"{_plural(counts['soon'], 'action')} due in the next {SOON.days} days",
                "Report progress, or tell the sub-group if the date is at risk.",
                url,
                "warning",
            )
        )
    if evidence:
        items.append(
            Attention(
                f"{_plural(evidence, 'evidence request')} waiting for your agency",
                "Provide the assurance evidence the partnership has asked for.",
                url,
                "warning",
            )
        )
    return items


@attention_provider
def executive_decisions(user):
    if not (user.is_executive or user.is_business_unit):
        return []
    waiting = LearningOutcome.objects.filter(decision=LearningOutcome.Decision.PENDING).count()
    if not waiting:
        return []
    return [
        Attention(
            f"{_plural(waiting, 'learning outcome')} awaiting an Executive decision",
            "Read the schedule of activities and record the Executive's decision.",
            reverse("learning:outcomes") + "?decision=pending",
            "info",
        )
    ]


@attention_provider
def subgroup_follow_through(user):
    """For those who record the work: sign-offs, follow-ups, evidence to judge, themes."""
    if not can_record_work(user):
        return []
    subgroups = selectors.subgroups_for_work(user)
    today = timezone.localdate()
    actions = Action.objects.filter(subgroup__in=subgroups.values("pk")).aggregate(
        to_sign=Count("pk", filter=Q(status=Action.Status.COMPLETE)),
        follow_up=Count(
            "pk",
            filter=Q(
                status=Action.Status.SIGNED_OFF,
                follow_up_on__lte=today,
                followed_up_on__isnull=True,
            ),
        ),
    )
    to_judge = AssuranceEvidence.objects.filter(
        outcome__theme__subgroup__in=subgroups.values("pk"),
        received_on__isnull=False,
        judgement=AssuranceEvidence.Judgement.PENDING,
    ).count()
    unthemed = selectors.findings_visible_to(user).filter(theme__isnull=True).count()
    items = []
    actions_url = reverse("learning:actions")
    if actions["to_sign"]:
        items.append(
            Attention(
                f"{_plural(actions['to_sign'], 'action')} reported complete, awaiting sign-off",
                "Check the evidence of completion and sign off, setting a follow-up date.",
                actions_url + "?status=complete",
                "info",
            )
        )
    if actions["follow_up"]:
        items.append(
            Attention(
                f"{_plural(actions['follow_up'], 'action')} due a follow-up check",
                "Check that the change has lasted and record what you found.",
                actions_url + "?status=signed_off",
                "warning",
            )
        )
    if to_judge:
        items.append(
            Attention(
                f"{_plural(to_judge, 'piece')} of assurance evidence to judge",
                "Judge whether the evidence shows practice has improved.",
                reverse("learning:evidence_list") + "?judgement=pending",
                "info",
            )
        )
    if unthemed:
        items.append(
            Attention(
                f"{_plural(unthemed, 'finding')} not yet in a priority theme",
                "Collate findings that recur into priority learning themes.",
                reverse("learning:collate"),
                "info",
            )
        )
    return items
