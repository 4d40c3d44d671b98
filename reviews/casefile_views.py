"""The case file's pages: the merged chronology (with upload and export), the terms of reference,
the review team and the documents. Each loads the review through ``get_review_for_user`` first."""

from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sscb import sending
from sscb.access import require
from sscb.access_log import Action, access_log_record
from sscb.dates import say
from sscb.exports import csv_response, xlsx_response
from sscb.forms import add_service_errors
from sscb.lists import page_of
from sscb.tabular import template_csv
from sscb.uploads import clean_filename

from . import casefile, selectors, services
from .filters import ChronologyFilter
from .forms import (
    ChronologyEntryForm,
    ChronologyUploadForm,
    DocumentForm,
    DocumentVersionForm,
    TeamMemberForm,
    TermsOfReferenceForm,
)
from .models import ReviewTeamMember


def _submitted(request, form, save, done) -> bool:
    """On a POST of a valid ``form``: call ``save`` with its data and say ``done(result)``; a
    service's refusal goes on the form. True once saved."""
    if form is None or request.method != "POST" or not form.is_valid():
        return False
    try:
        result = save(**form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, done(result))
    return True


def _review(request, uuid, write=False):
    review = selectors.get_review_for_user(request.user, uuid, write=write)
    if request.method == "GET":
        services.review_record_opening(request=request, review=review)
    review.reads_case_file = casefile.reads_case_file(request.user, review)  # for the tabs
    return review


def _case_file(request, uuid):
    """The review, for a page of its case file: 403 for a reader who may not read it."""
    review = _review(request, uuid)
    require(review.reads_case_file)
    return review


def _filtered_chronology(request, review, agencies):
    readable = agencies
    if request.user.is_agency_lead and not request.user.is_business_unit:
        readable = [agency for agency in agencies if agency.pk == request.user.agency_id]
    return ChronologyFilter(
        request.GET or None,
        queryset=casefile.chronology_of(request.user, review),
        agencies=readable,
    )


def chronology(request, uuid):
    """The merged multi-agency chronology of one review, by date."""
    review = _case_file(request, uuid)
    agencies = casefile.involved_agencies(review)
    chronology_filter = _filtered_chronology(request, review, agencies)
    page = page_of(request, chronology_filter.qs, 100)
    return render(
        request,
        "reviews/chronology.html",
        {
            "review": review,
            "filter": chronology_filter,
            "page_obj": page,
            "entries": page.object_list,
            "may_enter": casefile.chronology_agencies_for(request.user, review, agencies),
            "can_close": selectors.can_edit_review(request.user, review)
            and not review.chronology_closed_on,
            "can_reopen": selectors.can_edit_review(request.user, review)
            and review.chronology_closed_on,
            "own_only": request.user.is_agency_lead and not request.user.is_business_unit,
            "query": request.GET.urlencode(),
            "closed_message": review.chronology_closed_on
            and casefile.chronology_closed_message(request.user, review),
            "asked": casefile.agency_part_of(request.user, review),
        },
    )


def _entering(request, review) -> list:
    """The agencies the person enters for in the review's chronology (403 if none), whether it
    is open or closed: a closed one is said so, with whom to ask to reopen it
    (``_refused_as_closed``), never as a want of access."""
    agencies = casefile.agencies_entered_by(request.user, review)
    require(bool(agencies))
    return agencies


def _refused_as_closed(request, review, form):
    """On a closed chronology: a page asked for goes back to the chronology, saying when it was
    closed and whom to ask to reopen it; a form sent is shown again with that said above it and
    what was typed kept (None: render the form)."""
    if not review.chronology_closed_on:
        return None
    said = casefile.chronology_closed_message(request.user, review)
    if request.method != "POST":
        messages.warning(request, said)
        return redirect("reviews:chronology", review.uuid)
    form.is_valid()  # its checks first, so its own errors are shown too
    add_service_errors(form, ValidationError(said))
    return None


def _entry_form(request, review, entry=None):
    agencies = _entering(request, review)
    form = ChronologyEntryForm(request.POST or None, instance=entry, agencies=agencies)
    if closed := _refused_as_closed(request, review, form):
        return closed
    save = partial(casefile.chronology_entry_save, review=review, by=request.user, entry=entry)
    if not review.chronology_closed_on and _submitted(
        request, form, save, lambda _entry: "Chronology entry saved."
    ):
        return redirect("reviews:chronology", review.uuid)
    return render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "review": review,
            "heading": "Change a chronology entry" if entry else "Add a chronology entry",
            "purpose": "What the agency knew or did on one day, and where its record of it is. "
            "Use pseudonyms only: names, dates of birth and NHS numbers are refused.",
        },
    )


def chronology_add(request, uuid):
    return _entry_form(request, _review(request, uuid))


def chronology_edit(request, uuid, entry):
    review = _review(request, uuid)
    found = casefile.get_chronology_entry_for_user(request.user, review, entry, write=True)
    return _entry_form(request, review, found)


def chronology_upload(request, uuid):
    """One agency's entries from a CSV or XLSX file: all of them, or none and why."""
    review = _review(request, uuid)
    agencies = _entering(request, review)
    form = ChronologyUploadForm(request.POST or None, request.FILES or None, agencies=agencies)
    if closed := _refused_as_closed(request, review, form):
        return closed
    row_errors = []
    if request.method == "POST" and not review.chronology_closed_on and form.is_valid():
        result = casefile.chronology_import(
            review=review,
            by=request.user,
            agency=form.cleaned_data["agency"],
            upload=form.cleaned_data["file"],
        )
        if not result.errors:
            messages.success(request, f"{result.created} chronology entries added.")
            return redirect("reviews:chronology", review.uuid)
        row_errors = result.errors
        sending.not_saved(form)  # nothing was added: the file may be corrected and sent again
    return render(
        request,
        "reviews/chronology_upload.html",
        {
            "form": form,
            "review": review,
            "row_errors": row_errors,
            "columns": casefile.TEMPLATE_COLUMNS,
        },
    )


@require_POST
def chronology_close(request, uuid):
    review = selectors.get_review_for_user(request.user, uuid, write=True)
    try:
        casefile.chronology_close(review=review, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The chronology is closed: no more entries can be added.")
    return redirect("reviews:chronology", review.uuid)


@require_POST
def chronology_reopen(request, uuid):
    review = selectors.get_review_for_user(request.user, uuid, write=True)
    try:
        casefile.chronology_reopen(
            review=review, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The chronology is open again: agencies can add entries.")
    return redirect("reviews:chronology", review.uuid)


@require_POST
def agency_part_complete(request, uuid, part):
    """An agency's lead marks its chronology or its agency report complete."""
    if part not in selectors.AGENCY_PARTS:
        raise Http404("No such part of the case file")
    review = selectors.get_review_for_user(request.user, uuid)
    require(request.user.is_agency_lead)
    words = selectors.AGENCY_PARTS[part]
    try:
        casefile.agency_part_complete(review=review, by=request.user, part=part)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Your agency's {words} is marked complete: the review has it from today, and its "
            "history says you marked it.",
        )
    return redirect("reviews:chronology" if part == "chronology" else "reviews:documents", uuid)


EXPORT_HEADER = ["Date", "Agency", "What happened", "Source", "Key practice episode"]


def chronology_export(request, uuid, fmt):
    """The merged chronology as the page filters it, as CSV or XLSX; the export is logged."""
    review = _case_file(request, uuid)
    chronology_filter = _filtered_chronology(request, review, casefile.involved_agencies(review))
    rows = (
        [
            entry.happened_on,
            entry.agency.name,
            entry.what_happened,
            entry.source,
            "Yes" if entry.is_key_episode else "No",
        ]
        for entry in chronology_filter.qs.iterator(chunk_size=2000)
    )
    name = f"chronology-{review.reference}"
    access_log_record(request, review, Action.EXPORT, label=f"Chronology: {name}.{fmt}")
    tables = [(f"Chronology {review.reference}", EXPORT_HEADER, rows)]
    return xlsx_response(tables, name) if fmt == "xlsx" else csv_response(tables, name)


def chronology_template(request):
    """The upload template: its header row and one example row, as CSV."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="chronology-template.csv"'
    return template_csv(response, casefile.TEMPLATE_COLUMNS, casefile.TEMPLATE_EXAMPLE)


def terms(request, uuid):
    """The terms of reference, every version, and (for the review's editors) a new version."""
    review = _review(request, uuid)
    can_edit = selectors.can_edit_review(request.user, review)
    if request.method == "POST":
        require(can_edit)
    versions = casefile.terms_of(review)
    current = versions[0] if versions else None
    initial = {}
    if current:
        initial = {
            name: getattr(current, name)
            for name in ("scope_from", "scope_to", "lines_of_enquiry", "agreed_by", "agreed_on")
        }
    form = (
        TermsOfReferenceForm(request.POST or None, initial=initial, record=current)
        if can_edit
        else None
    )
    save = partial(casefile.terms_of_reference_add, review=review, by=request.user)
    if _submitted(
        request, form, save, lambda made: f"Terms of reference version {made.version} saved."
    ):
        return redirect("reviews:terms", review.uuid)
    return render(
        request,
        "reviews/terms.html",
        {"review": review, "versions": versions, "current": current, "form": form},
    )


def team(request, uuid):
    """The review team, and (for the review's editors) someone joining it."""
    review = _review(request, uuid)
    can_edit = selectors.can_edit_review(request.user, review)
    if request.method == "POST":
        require(can_edit)
    form = TeamMemberForm(request.POST or None, review=review) if can_edit else None
    save = partial(casefile.team_member_add, review=review, by=request.user)
    if _submitted(request, form, save, lambda _member: "Added to the review team."):
        return redirect("reviews:team", review.uuid)
    return render(
        request,
        "reviews/team.html",
        {
            "review": review,
            "members": casefile.team_of(review),
            "form": form,
            "can_edit": can_edit,
            "today": timezone.localdate(),
        },
    )


@require_POST
def team_leave(request, uuid, member_uuid):
    review = selectors.get_review_for_user(request.user, uuid, write=True)
    member = get_object_or_404(ReviewTeamMember, uuid=member_uuid, review=review)
    try:
        # Today, unless the page gives the day they left.
        on = forms.DateField(required=False, error_messages=LEFT_ON).clean(
            request.POST.get("left_on")
        )
        casefile.team_member_leave(member=member, by=request.user, on=on)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{member.person} left the team on {say(member.left_on)}. Recorded in error? Add "
            "them to the team again.",
        )
    return redirect("reviews:team", review.uuid)


LEFT_ON = {"invalid": "Give the day they left the team as a date, such as 7/12/2026."}


def documents(request, uuid):
    """The review's documents in their versions, and (for those who may) a new one."""
    review = _review(request, uuid)
    kinds = casefile.document_kinds_for(request.user, review)
    if request.method == "POST":
        require(bool(kinds))
    agencies = casefile.involved_agencies(review)
    if request.user.is_agency_lead and not selectors.can_edit_review(request.user, review):
        agencies = [agency for agency in agencies if agency.pk == request.user.agency_id]
    form = None
    if kinds:
        form = DocumentForm(
            request.POST or None, request.FILES or None, kinds=kinds, agencies=agencies
        )
    save = partial(casefile.document_add, review=review, by=request.user)
    if _submitted(request, form, save, lambda made: f"“{made.title}” uploaded."):
        return redirect("reviews:documents", review.uuid)
    found = casefile.documents_of(request.user, review)
    for document in found:
        document.may_upload = casefile.may_upload(
            request.user, review, document.kind, document.agency
        )
        if document.may_upload:  # shown by hand, for its guard against a second send
            document.version_form = DocumentVersionForm(auto_id=False)
    return render(
        request,
        "reviews/documents.html",
        {
            "review": review,
            "documents": found,
            "form": form,
            "sees_drafts": casefile.sees_drafts(request.user, review),
            "asked": casefile.agency_part_of(request.user, review),
        },
    )


@require_POST
def document_version(request, uuid, document_uuid):
    review = selectors.get_review_for_user(request.user, uuid)
    document = casefile.get_document_for_user(request.user, review, document_uuid, write=True)
    form = DocumentVersionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect("reviews:documents", review.uuid)
    try:
        version = casefile.document_version_add(
            document=document,
            by=request.user,
            upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        sending.not_saved(form)
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Version {version.version} of “{document.title}” uploaded.")
    return redirect("reviews:documents", review.uuid)


def document_download(request, uuid, version_uuid):
    review = selectors.get_review_for_user(request.user, uuid)
    version = casefile.get_document_version_for_user(request.user, review, version_uuid)
    casefile.document_record_download(request=request, version=version)
    # Through the storage, never a public URL.
    return FileResponse(
        version.file.open("rb"), as_attachment=True, filename=clean_filename(version.name)
    )
