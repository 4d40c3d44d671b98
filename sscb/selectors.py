"""Reads about the Board that cross rows, already shaped for the pages that show them."""

import operator
from collections import defaultdict
from functools import reduce

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q

from .models import (
    AccessLogEntry,
    Agency,
    Reminder,
    StrategicPriority,
    SubGroup,
    SubGroupMembership,
)
from .reminders import reminders_worded


def subgroups_for_user(user):
    """The sub-groups a person sits on or chairs, with their chair loaded."""
    return (
        SubGroup.objects.filter(Q(memberships__user=user) | Q(chair=user))
        .select_related("chair")
        .distinct()
        .order_by("name")
    )


def partnership_overview():
    """Sub-groups with chairs and members, active agencies and priorities: three to four queries."""
    memberships = SubGroupMembership.objects.select_related("user", "agency").order_by(
        "user__first_name", "user__last_name"
    )
    subgroups = SubGroup.objects.select_related("chair").prefetch_related(
        Prefetch("memberships", queryset=memberships)
    )
    return {
        "subgroups": subgroups,
        "agencies": Agency.objects.filter(is_active=True),
        "priorities": StrategicPriority.objects.offered(),
    }


def reminders_for_user(user):
    """What a person has been reminded about, newest first."""
    return Reminder.objects.filter(recipient=user).exclude(status=Reminder.Status.CANCELLED)


def reminders_about(*subjects) -> list:
    """The reminders about one item or several (a meeting and its agenda items, say), for a
    page: one query, the newest 50."""
    ids = defaultdict(list)
    for subject in subjects:
        ids[ContentType.objects.get_for_model(subject)].append(subject.pk)
    if not ids:
        return []
    about = reduce(
        operator.or_,
        (Q(subject_type=kind, subject_id__in=pks) for kind, pks in ids.items()),
    )
    return reminders_worded(
        Reminder.objects.filter(about).select_related("recipient").order_by("-planned_at")[:50]
    )


def access_log_about(user, *subjects, limit: int = 20) -> list | None:
    """The latest openings of one record (or several of one kind, e.g. a page's files), for its
    page: one query, and ``None`` (nothing shown) for anyone but the Business Unit."""
    if not user.is_business_unit:
        return None
    if not subjects:
        return []
    return list(
        AccessLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(subjects[0]),
            object_id__in=[subject.pk for subject in subjects],
        ).order_by("-at", "-pk")[:limit]
    )
