"""Thin views: an access helper or selector, a form, a service, a page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from learning.forms import DecisionForm
from learning.selectors import action_owners
from sscb.access import require_a_body
from sscb.lists import filtered_page
from sscb.pages import act_page, form_page
from sscb.params import query_value
from sscb.selectors import reminders_about
from sscb.uploads import clean_filename

from . import agenda, figures, forms, selectors, services
from .filters import MeetingFilter
from .models import Meeting

PAGE_SIZE = 25


def _form_page(request, form, *, template="learning/form.html", **page):
    """The shared form page (sscb.pages), in the learning pages' layout unless told."""
    return form_page(request, form, template=template, **page)


_act = act_page  # a one-button act, back to the record's page


# Meetings --------------------------------------------------------------------------------------


def meeting_list(request):
    """The meetings of the bodies a person sits on, newest first; a filter that cannot be
    applied (a body or a year not offered) is said beside it, and nothing is listed."""
    user = request.user
    page = filtered_page(
        request, MeetingFilter, lambda: selectors.meeting_list(user), per_page=PAGE_SIZE
    )
    return render(
        request,
        "meetings/meeting_list.html",
        page
        | {
            # The Business Unit is offered it before any body is set up, and told what is needed.
            "can_schedule": user.is_business_unit or selectors.bodies_run_by(user).exists(),
        },
    )


def meeting_create(request):
    bodies = selectors.bodies_run_by(request.user)
    require_a_body(request.user, bodies)
    form = forms.MeetingForm(request.POST or None, bodies=bodies)
    return _form_page(
        request,
        form,
        title="Schedule a meeting",
        purpose="A meeting of the Board, the Executive or a sub-group: when and where it meets, "
        "and when presenters' papers are due. Its agenda is built from what is due next.",
        back="/meetings/",
        save=lambda: services.meeting_schedule(**form.cleaned_data),
        success="Meeting scheduled.",
    )


def meeting_series(request):
    bodies = selectors.bodies_run_by(request.user)
    require_a_body(request.user, bodies)
    form = forms.SeriesForm(request.POST or None, bodies=bodies)

    def save():
        meetings = services.meeting_schedule_series(**form.cleaned_data)
        return meetings[0]

    return _form_page(
        request,
        form,
        title="Schedule a series of meetings",
        purpose="A body's meetings for the year at a regular interval, each with its papers "
        "deadline. Each can then be moved or changed on its own.",
        back="/meetings/",
        save=save,
        success="Meetings scheduled.",
    )


def _meeting_page(request, uuid, *, move_refused=""):
    """The meeting's page; ``move_refused`` says why a move asked for was not made, beside the
    moves it can make now."""
    user = request.user
    meeting = selectors.get_meeting_for_user(user, uuid)
    attendance = selectors.attendance_of(meeting)
    items = selectors.agenda_items(user, meeting)
    can_run = selectors.can_run_meeting(user, meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "attendance": attendance,
            "quorum_met": selectors.quorum_met(meeting, attendance),
            "attending": selectors.members_attending(attendance),
            "not_quorate": services.quorum_refusal(meeting, attendance)
            if meeting.status in Meeting.MINUTING
            else None,
            "can_run": can_run,
            "cancellable": can_run and meeting.status in Meeting.CANCELLABLE,
            # Only the moves the meeting can make now (a meeting still to come is not held).
            "moves": [
                Meeting.Status(to)
                for to in Meeting.TRANSITIONS[meeting.status]
                if not services.move_refusal(meeting, to)
            ]
            if can_run
            else [],
            "preparing": meeting.status in Meeting.PREPARING,
            "minuting": meeting.status in Meeting.MINUTING,
            "history": selectors.meeting_history(user, meeting, items),
            # Minutes to approve are about the meeting; papers due, about its items (not one
            # naming a record the reader may not open, as its history leaves it out).
            "reminders": reminders_about(meeting, *(i for i in items if not i.restricted)),
            "move_refused": move_refused,
        },
    )


def meeting_detail(request, uuid):
    return _meeting_page(request, uuid)


def meeting_edit(request, uuid):
    meeting = selectors.get_meeting_for_user(request.user, uuid, write=True)
    form = forms.MeetingForm(request.POST or None, instance=meeting, bodies=None)
    return _form_page(
        request,
        form,
        title=f"Change the meeting: {meeting}",
        purpose="Move the meeting, change where it is held or when papers are due.",
        back=meeting.get_absolute_url(),
        save=lambda: services.meeting_update(meeting=meeting, **form.cleaned_data),
        success="Meeting saved.",
    )


@require_POST
def meeting_move(request, uuid):
    meeting = selectors.get_meeting_for_user(request.user, uuid, write=True)
    to = request.POST.get("to", "")
    if to not in Meeting.Status.values:
        return _meeting_page(request, uuid, move_refused="Choose what happens to the meeting next.")
    try:
        with transaction.atomic():
            services.meeting_move(meeting=meeting, to=to)
    except ValidationError as error:
        # Said beside the moves the page offers now, as a refused form is.
        return _meeting_page(request, uuid, move_refused=" ".join(error.messages))
    messages.success(request, f"The meeting is now “{Meeting.Status(to).label}”.")
    return redirect(meeting.get_absolute_url())


def meeting_cancel(request, uuid):
    meeting = selectors.get_meeting_for_user(request.user, uuid, write=True)
    form = forms.CancelForm(request.POST or None)
    return _form_page(
        request,
        form,
        title=f"Cancel the meeting: {meeting}",
        purpose="A meeting not yet held that will not take place. It is kept, marked cancelled "
        "with your reason; its items are freed to go on another meeting's agenda, and nobody "
        "is asked for their papers.",
        back=meeting.get_absolute_url(),
        save=lambda: services.meeting_cancel(meeting=meeting, **form.cleaned_data),
        success="Meeting cancelled.",
    )


def meeting_pack(request, uuid):
    """The agenda pack: agenda, presenters and papers as one printable page."""
    user = request.user
    meeting = selectors.get_meeting_for_user(user, uuid)
    return render(
        request,
        "meetings/meeting_pack.html",
        {"meeting": meeting, "items": selectors.agenda_items(user, meeting)},
    )


# The agenda ------------------------------------------------------------------------------------


def _item_to_run(request, uuid, item_uuid):
    """(user, meeting, item) for a page that runs an item: the meeting's runner, an item they
    may read."""
    user = request.user
    meeting = selectors.get_meeting_for_user(user, uuid, write=True)
    return user, meeting, selectors.get_item_for_user(user, meeting, item_uuid)


def agenda_prepare(request, uuid):
    """What is due for this body, proposed as items; the chosen ones join the agenda."""
    user = request.user
    meeting = selectors.get_meeting_for_user(user, uuid, write=True)
    proposals = agenda.proposals(user, meeting)
    form = forms.ProposalsForm(request.POST or None, proposals=proposals)
    return _form_page(
        request,
        form,
        title=f"Build the agenda: {meeting}",
        purpose="The records that need this body now, each linked to its record. Tick those to "
        "put on the agenda; add anything else by hand, then order the items.",
        back=meeting.get_absolute_url(),
        save=lambda: (
            services.items_add_proposed(meeting=meeting, chosen=form.chosen_proposals()) and meeting
        ),
        success="Items added to the agenda.",
        template="meetings/agenda_prepare.html",
        meeting=meeting,
        proposals=proposals,
    )


def item_add(request, uuid):
    meeting = selectors.get_meeting_for_user(request.user, uuid, write=True)
    form = forms.ItemForm(request.POST or None, people=forms.people_for(meeting.body))
    return _form_page(
        request,
        form,
        title=f"Add an item: {meeting}",
        purpose="An item that is not proposed from a record: a presentation, a report, any "
        "other business. Name who presents it; they are reminded when papers are due.",
        back=meeting.get_absolute_url(),
        save=lambda: services.item_add(meeting=meeting, **form.cleaned_data),
        success="Item added.",
    )


def item_edit(request, uuid, item_uuid):
    user, meeting, item = _item_to_run(request, uuid, item_uuid)
    form = forms.ItemForm(
        request.POST or None, instance=item, people=forms.people_for(meeting.body)
    )
    return _form_page(
        request,
        form,
        title=f"Item {item.position}: presenter and title",
        purpose="Who presents the item (they are reminded when its papers are due).",
        back=item.get_absolute_url(),
        save=lambda: services.item_update(item=item, **form.cleaned_data),
        success="Item saved.",
    )


@require_POST
def item_move(request, uuid, item_uuid):
    user, meeting, item = _item_to_run(request, uuid, item_uuid)
    up = request.POST.get("direction") != "down"
    return _act(
        request,
        meeting,
        lambda: services.item_move(item=item, up=up),
        f"Agenda reordered: “{item.title}” moved {'up' if up else 'down'}.",
    )


@require_POST
def item_remove(request, uuid, item_uuid):
    user, meeting, item = _item_to_run(request, uuid, item_uuid)
    return _act(
        request,
        meeting,
        lambda: services.item_remove(item=item),
        f"“{item.title}” is taken off the agenda.",
    )


@require_POST
def paper_withdraw(request, uuid, item_uuid, paper_uuid):
    user, meeting, item = _item_to_run(request, uuid, item_uuid)
    paper = selectors.get_item_paper(item, paper_uuid)
    return _act(
        request,
        item,
        lambda: services.paper_withdraw(paper=paper),
        f"The paper “{paper.name}” is withdrawn from item {item.position}.",
    )


def paper_add(request, uuid, item_uuid):
    user, meeting, item = _item_to_run(request, uuid, item_uuid)
    form = forms.PaperForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        form,
        title=f"Add a paper to item {item.position}",
        purpose="Papers go out with the agenda pack. Files are checked by content and stored "
        "under a random name, as evidence is.",
        back=item.get_absolute_url(),
        save=lambda: (
            services.paper_add(item=item, upload=form.cleaned_data["file"], uploaded_by=user)
            and item
        ),
        success="Paper added.",
    )


def paper_download(request, uuid):
    paper = selectors.get_paper_for_user(request.user, uuid)
    services.paper_record_download(request=request, paper=paper)
    return FileResponse(
        paper.file.open("rb"), as_attachment=True, filename=clean_filename(paper.name)
    )


# Minutes ---------------------------------------------------------------------------------------


def attendance(request, uuid):
    meeting = selectors.get_meeting_for_user(request.user, uuid, write=True)
    recorded = {row.person_id: row for row in selectors.attendance_of(meeting)}
    form = forms.AttendanceForm(
        request.POST or None, members=selectors.members_of(meeting.body), recorded=recorded
    )
    return _form_page(
        request,
        form,
        title=f"Attendance: {meeting}",
        purpose="Who was present, who sent apologies (and who deputised) and who was absent; "
        "each member by the agency they represent. It counts towards the attendance figures.",
        back=meeting.get_absolute_url(),
        save=lambda: services.attendance_record(meeting=meeting, rows=form.rows()) and meeting,
        success="Attendance recorded.",
    )


def item_minute(request, uuid, item_uuid):
    user, meeting, item = _item_to_run(request, uuid, item_uuid)
    form = forms.MinuteForm(request.POST or None, instance=item)
    return _form_page(
        request,
        form,
        title=f"Minutes of item {item.position}: {item.title}",
        purpose="What was discussed and what was decided. A decision on the item's record is "
        "then recorded on the record itself, from the meeting's page.",
        back=item.get_absolute_url(),
        save=lambda: services.item_minute(item=item, **form.cleaned_data),
        success="Minutes saved.",
    )


def decide_referral(request, uuid, item_uuid):
    user, meeting, item = _item_to_run(request, uuid, item_uuid)
    form = forms.ReferralDecisionForm(request.POST or None, meeting=meeting)
    return _form_page(
        request,
        form,
        title=capfirst(f"{meeting.the_body}'s decision on {item.title}"),
        purpose="Recorded on the review as decided at this meeting, on its date, with a link "
        "to these minutes; the review's clocks and any follow-on review follow from it.",
        back=item.get_absolute_url(),
        save=lambda: services.item_decide_referral(item=item, by=user, **form.cleaned_data),
        success="The decision is recorded on the review.",
    )


def decide_outcome(request, uuid, item_uuid):
    user, meeting, item = _item_to_run(request, uuid, item_uuid)
    form = DecisionForm(request.POST or None)
    return _form_page(
        request,
        form,
        title=f"The Executive's decision on {item.title}",
        purpose="Recorded on the learning outcome as decided at this meeting, on its date, "
        "with a link to these minutes.",
        back=item.get_absolute_url(),
        save=lambda: services.item_decide_outcome(item=item, by=user, **form.cleaned_data),
        success="The decision is recorded on the learning outcome.",
    )


def decide_return(request, uuid, item_uuid):
    user, meeting, item = _item_to_run(request, uuid, item_uuid)
    form = forms.ModeratedScoresForm(
        request.POST or None, answers=selectors.answers_to_moderate(item)
    )
    return _form_page(
        request,
        form,
        title=f"Moderated scores: {item.title}",
        purpose="The score QAP agreed for each standard at this meeting. Each is recorded on "
        "the return as moderated at this meeting, on its date, with a link to these minutes.",
        back=item.get_absolute_url(),
        save=lambda: services.item_moderate_return(item=item, by=user, scores=form.scores()),
        success="The moderated scores are recorded on the return.",
    )


@require_POST
def agree_theme(request, uuid, item_uuid):
    user, meeting, item = _item_to_run(request, uuid, item_uuid)
    return _act(
        request,
        meeting,
        lambda: services.item_agree_theme(item=item, by=user),
        "The theme is agreed.",
    )


@require_POST
def approve_minutes(request, uuid, item_uuid):
    user, meeting, item = _item_to_run(request, uuid, item_uuid)
    return _act(
        request,
        meeting,
        lambda: services.item_approve_minutes(item=item, by=user),
        "The minutes are approved.",
    )


def action_arising(request, uuid, item_uuid):
    user, meeting, item = _item_to_run(request, uuid, item_uuid)
    form = forms.ActionArisingForm(request.POST or None, people=action_owners())
    return _form_page(
        request,
        form,
        title=f"An action arising from item {item.position}",
        purpose="An ordinary action in the plan of the item's record, monitored by this body: "
        "reminders and the dashboard follow it, and the minutes list it.",
        back=item.get_absolute_url(),
        save=lambda: (
            services.item_action_arising(item=item, subgroup=meeting.body, **form.cleaned_data)
            and item
        ),
        success="Action added.",
    )


# Figures ---------------------------------------------------------------------------------------


def meeting_figures(request):
    """Attendance by agency and body, decisions made and actions arising, for a financial year."""
    user = request.user
    year = query_value(request, "year", figures.as_year)
    return render(request, "meetings/figures.html", figures.for_year(user, year))
