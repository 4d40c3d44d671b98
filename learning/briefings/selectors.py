"""Reads of briefings and their cascade, always scoped to who may see them.

Published briefings are for every signed-in person: that is what they are for. A draft (and one
awaiting approval or approved, not yet published) is seen only by its owning sub-group, its
chair and the Business Unit. An agency's confirmation is seen by that agency's lead, the
Business Unit and the owning sub-group. Each rule is written here once and used by every page,
the dashboard's figures and the reminders' links.
"""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from learning.models import Finding, LearningOutcome
from learning.selectors import (
    findings_visible_to,
    get_outcome_for_user,
    get_theme_for_user,
    outcomes_visible_to,
    themes_visible_to,
)
from reviews.models import Review
from reviews.selectors import get_review_for_user, reviews_visible_to
from sscb.access import can_work_for_subgroup, get_by_public_id, subgroup_ids
from sscb.history import Part, history_of

from .models import SECTIONS, Briefing, BriefingVersion, Cascade

Status = Briefing.Status


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def briefings_visible_to(user) -> QuerySet:
    briefings = Briefing.objects.all()
    if not _signed_in(user):
        return briefings.none()
    if user.is_business_unit:
        return briefings
    return briefings.filter(Q(status=Status.PUBLISHED) | Q(subgroup_id__in=subgroup_ids(user)))


def sees_drafts(user, briefing: Briefing) -> bool:
    """Whether ``user`` reads ``briefing``'s drafts (``briefings_visible_to``'s rule for one not
    published): its kept versions and the history of its words are drafts too, since a published
    briefing is never changed. Everyone else reads the words published, and only them."""
    return user.is_business_unit or briefing.subgroup_id in subgroup_ids(user)


def cascades_visible_to(user) -> QuerySet:
    """Confirmations: an agency's lead sees their agency's (of published briefings); the owning
    sub-group and the Business Unit see every agency's."""
    cascades = Cascade.objects.all()
    if not _signed_in(user):
        return cascades.none()
    if user.is_business_unit:
        return cascades
    if user.is_agency_lead:
        return cascades.filter(agency_id=user.agency_id, briefing__status=Status.PUBLISHED)
    return cascades.filter(briefing__subgroup_id__in=subgroup_ids(user))


# Who may do what ------------------------------------------------------------------------------


def can_write(user, briefing: Briefing) -> bool:
    """The owning sub-group's members and the Business Unit write, submit and publish."""
    return can_work_for_subgroup(user, briefing.subgroup_id)


def may_approve(user, briefing: Briefing) -> bool:
    """The owning sub-group's chair approves; the Business Unit may approve on the chair's behalf
    (DESIGN.md: it may do everything, and a chair is often away). Nobody approves the words they
    wrote themselves: a chair's own briefing is approved by the Business Unit, and the Business
    Unit's by the chair."""
    if briefing.edited_by_id == user.pk:
        return False
    return user.is_business_unit or briefing.subgroup.chair_id == user.pk


def can_confirm(user, cascade: Cascade) -> bool:
    """Only the agency's own lead confirms how their agency cascaded a briefing."""
    return bool(user.is_agency_lead and cascade.agency_id == user.agency_id)


# One access helper per object type: 404 for what the user may not see, 403 to write.


def get_briefing_for_user(user, uuid: UUID, write=False) -> Briefing:
    briefing = get_by_public_id(
        briefings_visible_to(user).select_related(
            "subgroup__chair",
            "theme",
            "review",
            "outcome__theme",
            "written_by",
            "edited_by",
            "approved_by",
            "published_by",
            "activity",
        ),
        uuid,
    )
    if write and not can_write(user, briefing):
        raise PermissionDenied
    return briefing


def get_cascade_for_user(user, uuid: UUID, write=False) -> Cascade:
    cascade = get_by_public_id(
        cascades_visible_to(user).select_related("briefing", "agency", "confirmed_by"), uuid
    )
    if write and not can_confirm(user, cascade):
        raise PermissionDenied
    return cascade


# Starting points: a theme, a review or an outcome pre-fills the briefing ---------------------


def starting_point(user, kind: str, uuid: UUID) -> dict:
    """What writing a briefing from a theme, a review or an outcome starts with: the record (the
    user must be able to work for its sub-group), the sub-group, the outcomes it may deliver, and
    the title and sections filled from the record. Its findings and outcomes are those the user
    may open (``findings_visible_to``, ``outcomes_visible_to``), as on the record's own page:
    what the writer may not read is never copied into words every signed-in person may read."""
    findings = findings_visible_to(user).order_by("-identified_on", "pk")
    outcomes = outcomes_visible_to(user)
    if kind == "theme":
        theme = get_theme_for_user(user, uuid, write=True)
        return _start(
            theme.subgroup,
            outcomes.filter(theme=theme),
            findings.filter(theme=theme),
            source=(theme, theme.get_absolute_url()),
            title=theme.title,
            why=theme.description,
            theme=theme,
        )
    if kind == "outcome":
        outcome = get_outcome_for_user(user, uuid, write=True)
        theme = outcome.theme
        return _start(
            theme.subgroup,
            outcomes.filter(theme=theme),
            findings.filter(theme=theme),
            source=(outcome, outcome.get_absolute_url()),
            chosen=outcome,
            title=outcome.title,
            why=theme.description,
            do=outcome.title,
            theme=theme,
        )
    review = get_review_for_user(user, uuid)
    if not can_work_for_subgroup(user, review.subgroup_id):
        raise PermissionDenied
    return _start(
        review.subgroup,
        outcomes.filter(pk__in=_review_outcomes(review.pk).values("pk")),
        findings.filter(review=review),
        source=(review, reverse("reviews:detail", args=[review.uuid])),
        review=review,
        title=review_named_in_briefing(review),
    )


def review_named_in_briefing(review: Review) -> str:
    """How a briefing written from ``review`` starts its title. A briefing is read by everyone
    once published, and a restricted review is open only to its panel: its reference and title
    are left for the writer to add, never put in (``publish_refusal`` refuses them)."""
    if review.is_restricted:
        return "Learning from a review"
    return f"Learning from {review.reference}: {review.title}"


def restricted_reviews_drawn_on(briefing: Briefing) -> list[Review]:
    """The restricted reviews whose words ``briefing`` may carry: the review it was written
    from, and those whose findings sit in its theme (the words writing it from the theme or an
    outcome starts with). One query."""
    theme_id = briefing.theme_id or (briefing.outcome.theme_id if briefing.outcome_id else None)
    in_theme = Finding.objects.filter(theme_id=theme_id) if theme_id else Finding.objects.none()
    return list(
        Review.objects.filter(is_restricted=True)
        .filter(Q(pk=briefing.review_id) | Q(pk__in=in_theme.values("review_id")))
        .only("reference", "title")
        .order_by("reference")
    )


def _start(
    subgroup, outcomes, findings, *, source, title, why="", do="", chosen=None, **records
) -> dict:
    """``source``: the record written from and its page; ``records``: what the briefing keeps
    as its origin (its theme, or its review); ``chosen``: the outcome already chosen."""
    findings = list(findings[:10])
    happened = "\n\n".join(f"{f.title}\n{f.detail}" for f in findings)
    return {
        "subgroup": subgroup,
        "outcomes": outcomes.order_by("title"),
        "records": records,
        "source": source,
        "initial": {
            "title": title[:200],
            "what_happened": happened,
            "why_it_matters": why,
            "what_to_do": do,
            "outcome": chosen.pk if chosen else None,
        },
    }


def outcomes_for(user, briefing: Briefing) -> QuerySet:
    """The outcomes a briefing may deliver, of those the user may open: its theme's, or those
    its review's findings led to."""
    theme_id = briefing.theme_id or (briefing.outcome.theme_id if briefing.outcome_id else None)
    outcomes = outcomes_visible_to(user)
    if theme_id:
        return outcomes.filter(theme_id=theme_id).order_by("title")
    return outcomes.filter(pk__in=_review_outcomes(briefing.review_id).values("pk"))


def _review_outcomes(review_id) -> QuerySet:
    return LearningOutcome.objects.filter(
        pk__in=LearningOutcome.objects.filter(theme__findings__review_id=review_id).values("pk")
    )


# Pages ------------------------------------------------------------------------------------


def briefing_list(user, *, status: str | None = None) -> QuerySet:
    briefings = briefings_visible_to(user).select_related("subgroup", "outcome")
    if status:
        briefings = briefings.filter(status=status)
    return briefings.annotate(**reach_annotations("cascades__")).order_by(
        "-published_on", "-updated_at", "-pk"
    )


def briefing_page(user, briefing: Briefing) -> dict:
    """Everything the briefing's page shows, in a fixed number of queries."""
    cascades = list(
        cascades_visible_to(user)
        .filter(briefing=briefing)
        .select_related("agency", "confirmed_by")
        .order_by("agency__name")
    )
    # A published briefing is everyone's; the records it came from are linked only for those
    # who may open them.
    review_visible = bool(
        briefing.review_id and reviews_visible_to(user).filter(pk=briefing.review_id).exists()
    )
    theme_id = briefing.theme_id or (briefing.outcome.theme_id if briefing.outcome_id else None)
    theme_visible = bool(theme_id and themes_visible_to(user).filter(pk=theme_id).exists())
    # The partnership's reach, as the list shows it to everyone (``reach_of``): the rows beside
    # it are only those the reader may see (``cascades_visible_to``).
    partnership = reach_of([briefing.pk]).get(briefing.pk, {"sent": 0, "confirmed": 0, "reach": 0})
    drafts = sees_drafts(user, briefing)
    return {
        "briefing": briefing,
        "history": briefing_history(briefing, cascades, drafts=drafts),
        "sections": briefing.sections,
        "sees_drafts": drafts,
        "versions": (
            list(briefing.versions.select_related("written_by", "replaced_by")) if drafts else []
        ),
        "cascades": cascades,
        "partnership": partnership,
        "cascades_not_shown": partnership["sent"] - len(cascades),
        # An agency lead's own agency's confirmation, read beside the partnership's figure.
        "own_cascade": next(
            (c for c in cascades if user.is_agency_lead and c.agency_id == user.agency_id), None
        ),
        "review_visible": review_visible,
        # An outcome is seen by whoever sees its theme (learning.selectors.outcomes_visible_to).
        "theme_visible": theme_visible,
        "can_write": can_write(user, briefing),
        "may_approve": may_approve(user, briefing),
        # A published briefing is not changed: a new one is written from its outcome instead.
        "write_again": (
            reverse("briefings:write_from_outcome", args=[briefing.outcome.uuid])
            if briefing.is_published
            and theme_visible
            and can_work_for_subgroup(user, briefing.outcome.theme.subgroup_id)
            else None
        ),
    }


# What a briefing's history lists: its own fields and those of its kept versions and of the
# cascades its reader may see; never the theme, review or outcome it came from or delivers, nor
# the delivery activity it is (each has its own rule for who may see it). The moments it was
# submitted and approved are the moments of those versions, which the history gives already.
# Its words: what a reader who does not see its drafts is not shown the history of.
CONTENT = ["title", *(name for name, _heading in SECTIONS)]
BRIEFING_HISTORY_FIELDS = [
    *CONTENT,
    "subgroup",
    "status",
    "version",
    "written_by",
    "edited_by",
    "returned_note",
    "approved_by",
    "approved_for_chair",
    "published_on",
    "published_by",
]
VERSION_HISTORY_FIELDS = [
    *CONTENT,
    "written_by",
    "replaced_by",
]
CASCADE_HISTORY_FIELDS = [
    "sent_on",
    "confirm_by",
    "cascaded_on",
    "method",
    "method_detail",
    "staff_reached",
    "confirmed_by",
]


def briefing_history(briefing: Briefing, cascades: list[Cascade], *, drafts: bool = True):
    """Who changed the briefing, its kept versions and ``cascades`` (those its reader may see),
    and what: the newest first. Without ``drafts`` (``sees_drafts``), nothing of the words it
    had before it was published. At most six queries, and one for each kind of record a changed
    link names (the people, the agencies)."""
    fields = [name for name in BRIEFING_HISTORY_FIELDS if drafts or name not in CONTENT]
    versions = (
        [
            Part(
                "earlier version",
                BriefingVersion.history.filter(briefing_id=briefing.pk).select_related(
                    "history_user"
                ),
                VERSION_HISTORY_FIELDS,
                name="number",
            )
        ]
        if drafts
        else []
    )
    parts = [
        *versions,
        Part(
            "cascade",
            Cascade.history.filter(id__in=[cascade.pk for cascade in cascades]).select_related(
                "history_user"
            ),
            CASCADE_HISTORY_FIELDS,
            name="agency",
        ),
    ]
    return history_of(briefing.history.select_related("history_user"), fields, parts)


def agency_cascades(user) -> QuerySet:
    """A lead's "My agency" list: the published briefings sent to their agency, unconfirmed
    first, soonest due first."""
    return (
        cascades_visible_to(user)
        .filter(agency_id=user.agency_id)
        .select_related("briefing__outcome", "confirmed_by")
        .order_by(F("confirmed_at").asc(nulls_first=True), "confirm_by", "pk")
    )


def cascades_to_confirm(user) -> dict:
    """For an agency lead's home page: how many published briefings sent to their agency they
    have not yet confirmed cascading, how many of those are past the date asked, and the
    earliest date asked (one query; nothing for anyone else)."""
    if not (_signed_in(user) and user.is_agency_lead and user.agency_id):
        return {"waiting": 0, "late": 0, "first_due": None}
    today = timezone.localdate()
    return (
        cascades_visible_to(user)
        .filter(agency_id=user.agency_id, confirmed_at__isnull=True)
        .aggregate(
            waiting=Count("pk"),
            late=Count("pk", filter=Q(confirm_by__lt=today)),
            first_due=Min("confirm_by", filter=Q(confirm_by__gte=today)),
        )
    )


def reach_of(briefing_ids) -> dict[int, dict]:
    """Per briefing: agencies sent to, agencies confirmed, and reach (the sum of the staff the
    confirmations name). One query; the rule the dashboard and the delivery activity share."""
    rows = (
        Cascade.objects.filter(briefing_id__in=briefing_ids)
        .values("briefing_id")
        .annotate(**reach_annotations(""))
        .order_by()
    )
    return {row["briefing_id"]: row for row in rows}


def reach_annotations(prefix: str) -> dict:
    """Sent, confirmed and reach as aggregates over cascades at ``prefix`` (e.g. "cascades__")."""
    confirmed = Q(**{f"{prefix}confirmed_at__isnull": False})
    return {
        "sent": Count(f"{prefix}pk"),
        "confirmed": Count(f"{prefix}pk", filter=confirmed),
        "reach": Coalesce(Sum(f"{prefix}staff_reached", filter=confirmed), 0),
    }


SECTION_NAMES = [name for name, _ in SECTIONS]
