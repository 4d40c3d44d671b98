"""A review's case file (issue 18): the multi-agency chronology, the terms of reference and the
review team. Reads first (each through the review's visibility rule in ``reviews.selectors``),
then writes; every write goes in the history of the record it changes.

An agency lead reads and writes only their own agency's chronology entries, and only while the
chronology is open; the review's editors (``can_edit_review``) enter for any agency involved.
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from sscb.access_log import Action, access_log_record
from sscb.dates import check_dates, happened_after, not_before, not_future
from sscb.history import saying
from sscb.models import Agency
from sscb.tabular import NO, YES, ImportResult, as_date, row_error, row_problems, template_rows
from sscb.uploads import stored_name, validate_upload

from . import services
from .models import (
    CaseDocument,
    ChronologyEntry,
    DocumentVersion,
    Review,
    ReviewAct,
    ReviewAgency,
    ReviewClock,
    ReviewTeamMember,
    TermsOfReference,
)
from .selectors import (
    AGENCY_PARTS,
    can_edit_review,
    case_files_open_to,
    on_panel,
    reviews_visible_to,
    with_awaited_parts,
)

# ---------------------------------------------------------------------------------------- reads


def chronology_visible_to(user):
    """Chronology entries ``user`` may read: those of the reviews whose case file they may read
    (``case_files_open_to``); for an agency lead, only their own agency's."""
    entries = ChronologyEntry.objects.filter(review__in=case_files_open_to(user))
    if user.is_agency_lead and not user.is_business_unit:
        entries = entries.filter(agency_id=user.agency_id)
    return entries


def reads_case_file(user, review: Review) -> bool:
    """Whether ``user`` may read ``review``'s case file (``case_files_open_to``): one query."""
    return user.is_business_unit or case_files_open_to(user).filter(pk=review.pk).exists()


def chronology_of(user, review: Review):
    """The merged chronology of one review as ``user`` may read it, by date."""
    return (
        chronology_visible_to(user)
        .filter(review=review)
        .select_related("agency", "entered_by")
        .order_by("happened_on", "agency__name", "pk")
    )


def involved_agencies(review: Review) -> list[Agency]:
    return [
        row.agency
        for row in ReviewAgency.objects.filter(review=review)
        .select_related("agency")
        .order_by("agency__name")
    ]


def agencies_entered_by(user, review: Review, agencies: list[Agency] | None = None) -> list:
    """The agencies ``user`` enters for in ``review``'s chronology while it is open: every
    agency involved for the review's editors, their own for an agency's lead."""
    agencies = involved_agencies(review) if agencies is None else agencies
    if can_edit_review(user, review):
        return agencies
    if user.is_agency_lead:
        return [agency for agency in agencies if agency.pk == user.agency_id]
    return []


def chronology_agencies_for(user, review: Review, agencies: list[Agency] | None = None) -> list:
    """The agencies ``user`` may add or change entries for now: none once it is closed."""
    if review.chronology_closed_on:
        return []
    return agencies_entered_by(user, review, agencies)


def chronology_closed_message(user, review: Review) -> str:
    """What a closed chronology says to ``user``: since when, and who may reopen it."""
    said = (
        f"The chronology was closed on {review.chronology_closed_on:%-d %B %Y}: no more entries "
        "can be added or changed."
    )
    if can_edit_review(user, review):
        return f"{said} You may reopen it on the chronology page, saying why."
    return (
        f"{said} To add or change an entry, ask the Business Unit or the {review.subgroup} to "
        "reopen it."
    )


def get_chronology_entry_for_user(user, review: Review, entry_uuid, write=False):
    """One entry of ``review``: 404 if ``user`` may not read it, 403 if they may never change
    it (a closed chronology is said so by the page and refused by ``chronology_entry_save``)."""
    entry = chronology_visible_to(user).filter(review=review, uuid=entry_uuid).first()
    if entry is None:
        raise Http404("No such chronology entry")
    if write and entry.agency_id not in {a.pk for a in agencies_entered_by(user, review)}:
        raise PermissionDenied
    return entry


def agency_part_of(user, review: Review) -> ReviewAgency | None:
    """For an agency's lead: their agency's part in ``review`` (what was asked of it, and what
    is still awaited: ``with_awaited_parts``); None for anyone else."""
    if not user.is_agency_lead:
        return None
    return (
        with_awaited_parts(ReviewAgency.objects.filter(review=review, agency_id=user.agency_id))
        .select_related("agency")
        .first()
    )


def terms_of(review: Review) -> list[TermsOfReference]:
    """Every version of the terms of reference, newest first."""
    return list(review.terms_versions.select_related("recorded_by").order_by("-version"))


def team_of(review: Review) -> list[ReviewTeamMember]:
    """The team as it stands, then those who have left."""
    return list(
        review.team.select_related("person", "person__agency", "agency").order_by(
            "left_on", "role", "pk"
        )
    )


# --------------------------------------------------------------------------------------- writes


def _check_may_enter(user, review: Review, agency) -> None:
    if review.chronology_closed_on:
        raise ValidationError(chronology_closed_message(user, review))
    if agency is None or agency.pk not in {a.pk for a in chronology_agencies_for(user, review)}:
        raise ValidationError({"agency": "Choose one of the agencies you may enter for."})


@transaction.atomic
def chronology_entry_save(*, review: Review, by, entry: ChronologyEntry | None = None, **fields):
    """Add an entry, or change one, for an agency ``by`` may enter for, while it is open."""
    entry = entry or ChronologyEntry(review=review, entered_by=by)
    for name, value in fields.items():
        setattr(entry, name, value)
    _check_may_enter(by, review, entry.agency if entry.agency_id else None)
    entry.full_clean(exclude=["review", "entered_by"])
    entry.save()
    return entry


@transaction.atomic
def chronology_close(*, review: Review, by, on: datetime.date | None = None) -> Review:
    """Close the chronology: from now on nobody adds to or changes it."""
    if not can_edit_review(by, review):
        raise PermissionDenied
    if review.chronology_closed_on:
        raise ValidationError("The chronology is already closed.")
    review.chronology_closed_on = on or timezone.localdate()
    review._change_reason = "Chronology closed"
    review.save(update_fields=["chronology_closed_on", "updated_at"])
    services.review_record_act(
        review, ReviewAct.Kind.CHRONOLOGY_CLOSED, review.chronology_closed_on, by
    )
    return review


@transaction.atomic
def chronology_reopen(*, review: Review, by, reason: str) -> Review:
    """Open a closed chronology again (an agency found more, the terms changed): who reopened
    it and why go on the review's timeline, why only for those who read the case file
    (``act_summary``); its history says that it was reopened, not why (the history is read by
    all who open the review, and keeps no copy of text a disposal removes). The act, which
    checks the reason as any free text is checked, is recorded first."""
    if not can_edit_review(by, review):
        raise PermissionDenied
    if not review.chronology_closed_on:
        raise ValidationError("The chronology is open already.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the chronology is reopened."})
    services.review_record_act(
        review, ReviewAct.Kind.CHRONOLOGY_REOPENED, timezone.localdate(), by, reason
    )
    review.chronology_closed_on = None
    review._change_reason = "Chronology reopened"
    review.save(update_fields=["chronology_closed_on", "updated_at"])
    return review


# Acts whose words are the case file's: why the chronology was reopened tells what an agency
# found about the child and family.
CASE_FILE_ACTS = frozenset({ReviewAct.Kind.CHRONOLOGY_CLOSED, ReviewAct.Kind.CHRONOLOGY_REOPENED})


def act_summary(act: ReviewAct, *, reads_case_file: bool) -> str:
    """What the review's timeline says of ``act`` after its name: its summary, but the case
    file's words only to a reader of the case file (others read who did it and when)."""
    if act.kind in CASE_FILE_ACTS and not reads_case_file:
        return ""
    return act.summary


def _not_awaited(row: ReviewAgency, review: Review, part: str, by) -> str:
    """Why the agency's ``part`` is not awaited (``awaited_from_agency``), in words."""
    words = AGENCY_PARTS[part]
    received = getattr(row, f"{part}_received_on")
    if not getattr(row, f"{part}_requested_on"):
        return f"The review has not asked {row.agency} for its {words}."
    if received:
        return f"{row.agency}'s {words} was received on {received:%-d %B %Y}."
    if part == "chronology" and review.chronology_closed_on:
        return chronology_closed_message(by, review)
    return (
        f"{review.reference} is at “{review.get_stage_display()}”: it no longer waits for "
        f"{row.agency}'s {words}."
    )


@transaction.atomic
def agency_part_complete(*, review: Review, by, part: str) -> ReviewAgency:
    """An agency's lead says its ``part`` of the case file is complete: its chronology (the
    entries it made here) or its agency report (uploaded here). The review has it from today,
    its received date, and the review's history says who marked it so."""
    if part not in AGENCY_PARTS or not by.is_agency_lead:
        raise PermissionDenied
    row = (
        with_awaited_parts(ReviewAgency.objects.filter(review=review, agency_id=by.agency_id))
        .select_for_update(of=("self",))
        .select_related("agency")
        .first()
    )
    if row is None:
        raise PermissionDenied
    if not getattr(row, f"{part}_awaited"):
        raise ValidationError(_not_awaited(row, review, part, by))
    reports = review.documents.filter(kind=AGENCY_REPORT, agency=row.agency)
    if part == "report" and not reports.exists():
        raise ValidationError(
            f"Upload {row.agency}'s agency report on the review's Documents tab first, then "
            "mark it as complete."
        )
    field = f"{part}_received_on"
    setattr(row, field, timezone.localdate())
    row.full_clean()
    row._history_user = by
    with saying(row, f"marked complete by {row.agency}"):
        row.save(update_fields=[field, "updated_at"])
    return row


# The upload template: the columns, in order, and what each holds (shown on the upload page).
TEMPLATE_COLUMNS = [
    ("date", "The day it happened: 2025-03-10 or 10/03/2025."),
    (
        "what happened",
        "What the agency knew or did. Pseudonyms only: no names, dates of birth or NHS numbers.",
    ),
    ("source", "Where the agency's record of it is, e.g. GP record."),
    ("key episode", "“yes” for a key practice episode; empty or “no” otherwise."),
]
TEMPLATE_EXAMPLE = [
    "2025-03-10",
    "Child A seen by health visitor; weight checked.",
    "HV record",
    "no",
]


def chronology_import(*, review: Review, by, agency, upload) -> ImportResult:
    """One agency's chronology from a CSV or XLSX in the template: every row is checked, and
    either every row is added or none is, with a message per bad row saying which and why."""
    try:
        _check_may_enter(by, review, agency)
        body = template_rows(upload, columns=TEMPLATE_COLUMNS, required=3, what="the chronology")
    except ValidationError as error:
        return ImportResult(errors=error.messages)
    entries, errors = [], []
    for number, row in body:
        day, what, source, key = row
        problems = []
        happened_on = as_date(day)
        if happened_on is None:
            problems.append(
                f"the date “{str(day or '').strip()}” is not a date (write 2025-03-10 or "
                "10/03/2025)"
                if str(day or "").strip()
                else "the date is missing"
            )
        key_text = str(key or "").strip().lower()
        if key_text not in YES | NO:
            problems.append(f"“key episode” must be yes or no, not “{key}”")
        entry = ChronologyEntry(
            review=review,
            agency=agency,
            entered_by=by,
            happened_on=happened_on,
            what_happened=str(what or "").strip(),
            source=str(source or "").strip(),
            is_key_episode=key_text in YES,
        )
        exclude = ["review", "entered_by", "agency", "uuid"]
        try:
            entry.full_clean(exclude=exclude + (["happened_on"] if happened_on is None else []))
        except ValidationError as error:
            problems += row_problems(error, ChronologyEntry)
        if problems:
            errors.append(row_error(number, problems))
        else:
            entry.uuid = uuid.uuid4()
            entries.append(entry)
    if errors:
        return ImportResult(errors=errors)
    with transaction.atomic():
        bulk_create_with_history(entries, ChronologyEntry, default_user=by)
    return ImportResult(created=len(entries), errors=[])


@transaction.atomic
def terms_of_reference_add(*, review: Review, by, **fields) -> TermsOfReference:
    """Record a new version of the terms of reference; earlier versions stay as they were."""
    terms = TermsOfReference(review=review, recorded_by=by, **fields)
    last = review.terms_versions.aggregate(last=Max("version"))["last"] or 0
    terms.version = last + 1
    terms.full_clean(exclude=["review", "recorded_by"])
    terms.save()
    return terms


def independence_refusal(review: Review, person, role: str, reason: str) -> str | None:
    """A reviewer employed by an agency under review is refused unless a reason is recorded."""
    if role != ReviewTeamMember.Role.REVIEWER or not person.agency_id or reason.strip():
        return None
    if not ReviewAgency.objects.filter(review=review, agency_id=person.agency_id).exists():
        return None
    return (
        f"{person} works for {person.agency}, an agency whose practice this review looks at: a "
        "reviewer must be independent of the agencies reviewed. Choose someone else, or record "
        "why they are accepted all the same."
    )


@transaction.atomic
def team_member_add(
    *, review: Review, by, person, role: str, agency=None, independence_reason: str = ""
) -> ReviewTeamMember:
    refusal = independence_refusal(review, person, role, independence_reason)
    if refusal:
        raise ValidationError({"independence_reason": refusal})
    if role == ReviewTeamMember.Role.AGENCY_REPRESENTATIVE and agency is None:
        raise ValidationError({"agency": "Say which agency the representative speaks for."})
    if review.team.filter(person=person, role=role, left_on__isnull=True).exists():
        raise ValidationError({"person": "This person already has that role on the team."})
    member = ReviewTeamMember(
        review=review,
        person=person,
        role=role,
        agency=agency if role == ReviewTeamMember.Role.AGENCY_REPRESENTATIVE else None,
        independence_reason=independence_reason,
    )
    member.full_clean(exclude=["review"])
    member.save()
    return member


@transaction.atomic
def team_member_leave(*, member: ReviewTeamMember, by, on: datetime.date | None = None):
    """Record that someone left the team; their place on it stays in the record."""
    if member.left_on:
        raise ValidationError("This person has already left the team.")
    on = on or timezone.localdate()
    if error := not_future(on, what="The day they left the team") or not_before(
        on, member.joined_on, what="The day they left the team", than="the day they joined"
    ):
        raise ValidationError(error)
    member.left_on = on
    member.save(update_fields=["left_on", "updated_at"])
    return member


def case_file_summary(user, review: Review) -> dict:
    """What the review page says of the case file, in three queries whatever its size."""
    return {
        "reads": reads_case_file(user, review),
        "terms": review.terms_versions.order_by("-version").first(),
        "team_size": review.team.filter(left_on__isnull=True).count(),
        "chronology_count": chronology_visible_to(user).filter(review=review).count(),
        "may_enter": bool(chronology_agencies_for(user, review)),
    }


# -------------------------------------------------------------------------------- documents

DRAFT = CaseDocument.Kind.DRAFT_REPORT
AGENCY_REPORT = CaseDocument.Kind.AGENCY_REPORT


PUBLISHED_KINDS = (CaseDocument.Kind.FINAL_REPORT, CaseDocument.Kind.BOARD_RESPONSE)


def documents_visible_to(user):
    """Case documents ``user`` may open: those of the reviews whose case file they may read
    (``case_files_open_to``), except drafts (only the Business Unit, the review's reviewer and
    its panel) and, for an agency lead, other agencies' reports; of the other reviews they may
    open, the final report and the Board's response once the review is published."""
    if user.is_business_unit:
        return CaseDocument.objects.all()
    documents = CaseDocument.objects.filter(
        Q(review__in=case_files_open_to(user))
        | Q(
            review__in=reviews_visible_to(user),
            review__published_on__isnull=False,
            kind__in=PUBLISHED_KINDS,
        )
    )
    documents = documents.filter(~Q(kind=DRAFT) | _reads_drafts(user))
    if user.is_agency_lead:
        documents = documents.filter(~Q(kind=AGENCY_REPORT) | Q(agency_id=user.agency_id))
    return documents


def _leads(user, review_ref: str = "review__") -> Q:
    """For rows of (or pointing at) reviews: ``user``, an independent reviewer, leads the review
    (someone once its lead reviewer whose role has changed no longer reads it as one)."""
    if not user.is_independent_reviewer:
        return Q(pk__in=[])
    return Q(**{f"{review_ref}lead_reviewer": user})


def _reads_drafts(user) -> Q:
    """For documents: ``user`` reads the review's drafts, as its lead reviewer or on its panel;
    an agency's lead on a panel reads only their own agency's part (``sees_drafts``)."""
    if user.is_agency_lead:
        return _leads(user)
    return _leads(user) | on_panel(user, "review")


def documents_of(user, review: Review) -> list[CaseDocument]:
    """The review's documents ``user`` may open, each with its versions, newest first."""
    versions = DocumentVersion.objects.select_related("uploaded_by").order_by("-version")
    return list(
        documents_visible_to(user)
        .filter(review=review)
        .select_related("agency")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("kind", "title", "pk")
    )


def leads(user, review: Review) -> bool:
    """``_leads`` for one review."""
    return user.is_independent_reviewer and review.lead_reviewer_id == user.pk


def sees_drafts(user, review: Review) -> bool:
    """``_reads_drafts`` for one review. ``panel_members`` is prefetched by
    ``get_review_for_user``."""
    return (
        user.is_business_unit
        or leads(user, review)
        or (
            not user.is_agency_lead
            and any(member.pk == user.pk for member in review.panel_members.all())
        )
    )


def document_kinds_for(user, review: Review) -> list[str]:
    """The kinds of document ``user`` may upload to ``review``."""
    if can_edit_review(user, review):
        kinds = list(CaseDocument.Kind.values)
    elif leads(user, review):
        # The reviewer writes the report; the Board answers it, and each agency sends its own.
        kinds = [DRAFT, CaseDocument.Kind.FINAL_REPORT]
    elif user.is_agency_lead:
        kinds = [AGENCY_REPORT]
    else:
        return []
    return [kind for kind in kinds if kind != DRAFT or sees_drafts(user, review)]


def may_upload(user, review: Review, kind: str, agency) -> bool:
    if kind not in document_kinds_for(user, review):
        return False
    if user.is_agency_lead and not can_edit_review(user, review):
        return agency is not None and agency.pk == user.agency_id
    return True


def get_document_for_user(user, review: Review, document_uuid, write=False) -> CaseDocument:
    document = documents_visible_to(user).filter(review=review, uuid=document_uuid).first()
    if document is None:
        raise Http404("No such document")
    if write and not may_upload(user, review, document.kind, document.agency):
        raise PermissionDenied
    return document


def get_document_version_for_user(user, review: Review, version_uuid) -> DocumentVersion:
    version = (
        DocumentVersion.objects.filter(
            uuid=version_uuid, document__in=documents_visible_to(user).filter(review=review)
        )
        .select_related("document", "document__review")
        .first()
    )
    if version is None:
        raise Http404("No such file")
    return version


def _store(version: DocumentVersion, upload) -> None:
    try:
        name, extension = validate_upload(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    version.name = name
    version.file.save(stored_name(extension), upload, save=False)


@transaction.atomic
def document_add(
    *, review: Review, by, kind: str, title: str, file, agency=None, note: str = ""
) -> CaseDocument:
    """A new document, with its first version."""
    if kind == AGENCY_REPORT and agency is None:
        raise ValidationError({"agency": "Say whose agency report this is."})
    if not may_upload(by, review, kind, agency):
        raise ValidationError({"kind": "You may not add a document of this kind here."})
    document = CaseDocument(
        review=review, kind=kind, title=title, agency=agency if kind == AGENCY_REPORT else None
    )
    document.full_clean(exclude=["review"])
    document.save()
    document_version_add(document=document, by=by, upload=file, note=note)
    return document


@transaction.atomic
def document_version_add(*, document: CaseDocument, by, upload, note: str = "") -> DocumentVersion:
    """The next version of a document; earlier ones are kept."""
    last = document.versions.aggregate(last=Max("version"))["last"] or 0
    version = DocumentVersion(document=document, version=last + 1, uploaded_by=by, note=note)
    _store(version, upload)
    version.full_clean(exclude=["document", "uploaded_by", "file"])
    version.save()
    return version


def document_record_download(*, request, version: DocumentVersion) -> None:
    """Log a download: the label names the document by review, kind and version, not the
    uploaded name (which nobody checked for a child's name)."""
    document = version.document
    label = (
        f"{document.review.reference}: {document.get_kind_display()} {document.pk} "
        f"version {version.version}"
    )
    access_log_record(request, version, Action.DOWNLOAD, label=label)


# ----------------------------------------------------------- the national Panel and Ofsted

PANEL_FIELDS = (
    "notified_on",
    "notification_reference",
    "notified_by",
    "panel_responded_on",
    "panel_response",
    "panel_publication_view",
)


@transaction.atomic
def review_record_panel_exchange(*, review: Review, by, **fields) -> Review:
    """The notification (its date, reference and sender) and the national Panel's response and
    view on publication; the notification clock follows the date."""
    unknown = set(fields) - set(PANEL_FIELDS)
    if unknown:
        raise ValueError(f"review_record_panel_exchange cannot change {', '.join(sorted(unknown))}")
    stored_notified = Review.objects.values_list("notified_on", flat=True).get(pk=review.pk)
    for name, value in fields.items():
        setattr(review, name, value)
    if review.notified_on != stored_notified and services.rapid_review_notification_refusal(review):
        raise ValidationError({"notified_on": services.notification_stays(review)})
    responded = review.panel_responded_on
    check_dates(
        panel_responded_on=happened_after(
            responded, review.notified_on, what="The Panel's response", than="the notification"
        )
    )
    if (review.panel_response.strip() or review.panel_publication_view) and not responded:
        raise ValidationError({"panel_responded_on": "Give the date the Panel responded."})
    review.full_clean()
    with saying(review, "The national Panel and Ofsted"):
        review.save()
    services.review_clocks_sync(review=review)
    return review


def panel_exchange(review: Review, clocks) -> list[dict]:
    """The exchange with the Panel, step by step, each beside the statutory clock it meets."""
    by_kind = {clock.kind: clock for clock in clocks}
    kind = ReviewClock.Kind
    # An LCSPR opened from a rapid review was notified once, by the rapid review: its
    # notification is read from there (never naming the rapid review, which its reader may not
    # open; the page's "Arose from" links it through the reader's visibility).
    notified = review
    source = review.source_review if review.source_review_id else None
    if not review.notified_on and source is not None and source.notified_on:
        notified = source
    steps = [
        {
            "label": "Serious incident notification",
            "done_on": notified.notified_on,
            "detail": ", ".join(
                part
                for part in (
                    notified.notified_by and f"sent by {notified.notified_by}",
                    notified.notification_reference
                    and f"reference {notified.notification_reference}",
                    notified is not review and "recorded on the review it arose from",
                )
                if part
            ),
            "clock": by_kind.get(kind.NOTIFICATION),
        },
    ]
    if review.kind == Review.Kind.RAPID_REVIEW:
        steps.append(
            {
                "label": "Rapid review sent to the Panel (its decision)",
                "done_on": review.decided_on,
                "detail": "",
                "clock": by_kind.get(kind.RAPID_REVIEW),
            }
        )
    if review.kind == Review.Kind.SCR and review.decision == Review.Decision.NOT_INITIATE:
        steps.append(
            {
                "label": "National panel told the SCR is not initiated",
                "done_on": review.national_panel_told_on,
                "detail": "",
                "clock": by_kind.get(kind.PANEL_NOT_INITIATED),
            }
        )
    steps.append(
        {
            "label": "The Panel's response",
            "done_on": review.panel_responded_on,
            "detail": review.panel_response,
            "clock": None,
        }
    )
    steps.append(
        {
            "label": "The Panel's view on publication",
            "done_on": None,
            "detail": review.get_panel_publication_view_display(),
            "clock": None,
            "pending": "" if review.panel_publication_view else "not given yet",
        }
    )
    if review.kind == Review.Kind.LCSPR:
        steps.append(
            {
                "label": "Final report sent to the Panel and the Secretary of State",
                "done_on": review.final_report_sent_on,
                "detail": f"planned publication {review.planned_publication_on:%-d %b %Y}"
                if review.planned_publication_on
                else "no publication planned yet",
                "clock": by_kind.get(kind.FINAL_REPORT),
            }
        )
    for step in steps:
        step.setdefault("pending", "not yet")
    return steps
