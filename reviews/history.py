"""A review's history on its page: who changed the review and its parts, and what, the newest
first (``sscb.history.history_of``).

Each part lists only its own fields and links to what has no rule of its own for who may see it
(agencies, people, choices, dates), never a review, a meeting or a finding; and a part reaches
the history only through the rule that shows it on the page: the case file's documents and
chronology through ``reviews.casefile`` for those who read the case file, never their text.
"""

from django.db.models import OuterRef, Subquery

from sscb.history import Change, Part, field_change, history_of

from .casefile import chronology_visible_to, documents_visible_to
from .models import (
    CaseDocument,
    ChildDeathDetails,
    ChronologyEntry,
    ClockPause,
    DocumentVersion,
    ParallelProcess,
    Review,
    ReviewAgency,
    ReviewClock,
    ReviewTeamMember,
    TermsOfReference,
)

# The review's own fields: what a person records on it, never the review it arose from (a
# restricted one is not named to those who may not open it); and its panel, named: people have
# no rule of their own, and who was given or lost access to a restricted review is the point.
REVIEW_FIELDS = [
    field.name
    for field in Review._meta.concrete_fields
    if field.editable and field.name not in {"id", "uuid", "source_review", "updated_at"}
] + ["panel_members"]
AGENCY_FIELDS = [
    "chronology_requested_on",
    "chronology_received_on",
    "report_requested_on",
    "report_received_on",
    "notes",
]
PROCESS_FIELDS = ["kind", "description", "started_on", "ended_on", "holds_clock"]
# A pause is named by its clock's kind (as the timeline names it: its review's reference would
# read the review once for each clock) and its reason.
PAUSE_FIELDS = ["paused_on", "resumed_on", "reason", "paused_by", "resumed_by", "process"]
TERMS_FIELDS = ["scope_from", "scope_to", "lines_of_enquiry", "agreed_by", "agreed_on"]
# Not why a reviewer employed by an agency under review is accepted: it is written when they
# join (the version that records them), and read on the team's page.
TEAM_FIELDS = ["role", "agency", "joined_on", "left_on"]
# Not the CDOP meeting that reviewed the death: meetings have their own rule for who may see
# them (learning.meetings), which reviews never import.
CHILD_DEATH_FIELDS = [
    "notified_on",
    "category",
    "modifiable_factors",
    "expectedness",
    "age_band",
    "ncmd_reference",
]
# A document's kind, title and agency; a version's number and who uploaded it, never the name
# its file was uploaded with (nobody checked it for a child's name) nor its note. A version is
# named by its number: its document's name reads the review once for each document.
DOCUMENT_FIELDS = ["kind", "title", "agency"]
DOCUMENT_VERSION_FIELDS = ["version", "uploaded_by"]
# What happened is text: the history says only that it changed.
CHRONOLOGY_FIELDS = ["agency", "happened_on", "what_happened", "source", "is_key_episode"]


# Not parts: the statutory clocks (worked out from the review's dates and pauses, which are here),
# nor the stage moves and dated acts (only ever recorded, never edited: the timeline shows each
# with who recorded it, and each comes with a change to the review's own fields, which is here).


def _versions(model, **lookup):
    return model.history.filter(**lookup).select_related("history_user")


def _pause_versions(review: Review):
    """The versions of the review's clock pauses, each with its clock's kind (``clock_kind``),
    read in the same query. Through the clocks' versions, so that a clock since retired keeps
    its pauses and its name."""
    clocks = ReviewClock.history.filter(review_id=review.pk)
    kind = clocks.filter(id=OuterRef("clock_id")).order_by("-history_id").values("kind")[:1]
    return _versions(ClockPause, clock_id__in=clocks.values("id")).annotate(
        clock_kind=Subquery(kind)
    )


def _terms_versions(review: Review):
    """The versions of the review's terms of reference, each first one of a terms version with
    the previous version's fields as they stood then (``previous_<field>``; None for the first
    version), read in the same query: a new version is a new record, whose history would
    otherwise say only "recorded it"."""
    previous = TermsOfReference.history.filter(
        review_id=OuterRef("review_id"),
        version=OuterRef("version") - 1,
        history_date__lte=OuterRef("history_date"),
    ).order_by("-history_date", "-history_id")
    return _versions(TermsOfReference, review_id=review.pk).annotate(
        **{f"previous_{name}": Subquery(previous.values(name)[:1]) for name in TERMS_FIELDS}
    )


def _say_pause_clock(version) -> None:
    """Name a pause by its clock, as the timeline does: "clock pause of “Publish the LCSPR”
    (Inquest opened)"."""
    if version.clock_kind:
        kind = ReviewClock.Kind(version.clock_kind).label
        version.part = f"clock pause of “{kind}” ({version.reason})"


def _say_terms_differences(version, changes: list) -> None:
    """A new version of the terms of reference says what differs from the version before it
    (its scope dates, that its lines of enquiry changed), in place of "recorded it"."""
    if version.history_type != "+" or version.previous_scope_from is None:
        return
    earlier = version.version - 1
    meta = TermsOfReference._meta
    differences = [
        field_change(meta.get_field(name), getattr(version, f"previous_{name}"), value, {})
        for name in TERMS_FIELDS
        if (value := getattr(version, name)) != getattr(version, f"previous_{name}")
    ]
    said = f"recorded it in place of version {earlier}"
    if not differences:
        said = f"recorded it, the same as version {earlier}"
    changes[:] = [Change("terms of reference", said=said), *differences]
    # The shared history says "recorded it" of any first version, whatever it lists.
    version.history_type = "~"


def review_history(user, review: Review, *, reads_case_file: bool):
    """The review's history with its parts' as ``user`` sees them on its page: the agencies
    taking part, parallel processes, clock pauses, terms of reference, review team and CDOP's
    record; for a reader of the case file (``reads_case_file``), the documents and chronology
    entries they may open too. Two queries for the review and each part, and one for each kind
    of record a changed link or a part's name names, whatever the number of versions."""
    parts = [
        Part(
            "agency taking part",
            _versions(ReviewAgency, review_id=review.pk),
            AGENCY_FIELDS,
            name="agency",
        ),
        Part(
            "parallel process",
            _versions(ParallelProcess, review_id=review.pk),
            PROCESS_FIELDS,
            name="kind",
        ),
        Part("clock pause", _pause_versions(review), PAUSE_FIELDS, name="reason"),
        Part(
            "terms of reference version",
            _terms_versions(review),
            TERMS_FIELDS,
            name="version",
        ),
        Part(
            "review team member",
            _versions(ReviewTeamMember, review_id=review.pk),
            TEAM_FIELDS,
            name="person",
        ),
    ]
    if review.kind == Review.Kind.CHILD_DEATH:  # the page shows CDOP's record on no other
        parts.append(
            Part(
                "CDOP's record",
                _versions(ChildDeathDetails, review_id=review.pk),
                CHILD_DEATH_FIELDS,
            )
        )
    if reads_case_file:
        documents = documents_visible_to(user).filter(review=review).values("pk")
        parts += [
            Part(
                "document",
                _versions(CaseDocument, id__in=documents),
                DOCUMENT_FIELDS,
                name="title",
            ),
            Part(
                "document version",
                _versions(DocumentVersion, document_id__in=documents),
                DOCUMENT_VERSION_FIELDS,
                name="version",
            ),
            Part(
                "chronology entry",
                _versions(
                    ChronologyEntry,
                    id__in=chronology_visible_to(user).filter(review=review).values("pk"),
                ),
                CHRONOLOGY_FIELDS,
                name="agency",
            ),
        ]
    shown = history_of(_versions(Review, id=review.pk), REVIEW_FIELDS, parts)
    for version, changes in shown:
        if isinstance(version, ClockPause.history.model):
            _say_pause_clock(version)
        elif isinstance(version, TermsOfReference.history.model):
            _say_terms_differences(version, changes)
    return shown
