"""Demo meetings: the Case Review Panel's last meeting (held, minutes circulated) and its next
one (agenda built from what is due), the Executive's next meeting, QAP's challenge event that
moderated a return, and the Board's year."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from sscb.models import SubGroup

from . import agenda, services
from .models import AgendaItem, Meeting


def load():
    if Meeting.objects.exclude(body__code=SubGroup.Code.CDOP).exists():
        return  # the child death panel's meetings come with its deaths (reviews.demo)
    today = timezone.localdate()

    def days(n):
        return today + datetime.timedelta(days=n)

    users = {user.username: user for user in get_user_model().objects.all()}
    admin, trainingchair = users["admin"], users["trainingchair"]
    groups = {group.code: group for group in SubGroup.objects.all()}
    SubGroup.objects.filter(code=SubGroup.Code.CASE_REVIEW_PANEL).update(quorum=3)
    # A quorum no larger than the body: the demo Board has few members, so all must come.
    board = SubGroup.objects.filter(code=SubGroup.Code.BOARD).first()
    if board is not None:
        quorum = min(5, board.memberships.count()) or None
        SubGroup.objects.filter(pk=board.pk).update(quorum=quorum)
    crp = SubGroup.objects.get(code=SubGroup.Code.CASE_REVIEW_PANEL)

    # The Panel met three weeks ago: attendance, minutes, circulated for approval.
    last = services.meeting_schedule(
        body=crp, held_on=days(-21), starts_at=datetime.time(10), place="Shirehall, Room 2"
    )
    item = services.item_add(
        meeting=last, title="Serious incident notifications received this month"
    )
    services.meeting_move(meeting=last, to=Meeting.Status.HELD)
    services.attendance_record(
        meeting=last,
        rows=[
            {
                "person": membership.user,
                "agency": membership.agency or membership.user.agency,
                "status": "apologies" if membership.user == trainingchair else "present",
                "deputy": "Education safeguarding adviser"
                if membership.user == trainingchair
                else "",
            }
            for membership in crp.memberships.select_related("user__agency", "agency")
        ],
    )
    services.item_minute(
        item=item,
        notes="Two notifications discussed; both meet the criteria for a rapid review.",
        decision="Rapid reviews to be convened within 15 working days.",
    )
    services.meeting_move(meeting=last, to=Meeting.Status.MINUTES_CIRCULATED)

    # Its next meeting: the agenda proposed from what is due (and the last minutes to approve).
    upcoming = services.meeting_schedule(
        body=crp,
        held_on=days(10),
        starts_at=datetime.time(10),
        place="Shirehall, Room 2",
        link="https://meet.example.org/case-review-panel",
        papers_due_on=days(3),
    )
    proposed = agenda.proposals(admin, upcoming)
    items = services.items_add_proposed(meeting=upcoming, chosen=proposed[:6])
    if len(items) > 1:
        services.item_update(item=items[1], presenter=trainingchair)
    services.meeting_move(meeting=upcoming, to=Meeting.Status.AGENDA_PUBLISHED)

    # The Executive's next meeting: outcomes waiting for a decision, themes to agree.
    executive = services.meeting_schedule(
        body=groups[SubGroup.Code.EXECUTIVE],
        held_on=days(17),
        starts_at=datetime.time(14),
        place="Shirehall, Council Chamber",
        papers_due_on=days(10),
    )
    services.items_add_proposed(meeting=executive, chosen=agenda.proposals(admin, executive))

    # QAP's challenge event last week: Probation's Section 11 return moderated from the minutes
    # (the return says where each score was decided); the other returns wait for the next one.
    qap = groups[SubGroup.Code.QUALITY_ASSURANCE]
    challenge = services.meeting_schedule(
        body=qap, held_on=days(-5), starts_at=datetime.time(9, 30), place="Shirehall, Room 1"
    )
    returns = [
        proposal
        for proposal in agenda.proposals(admin, challenge)
        if proposal.subject == AgendaItem.Subject.RETURN and "Probation" in proposal.title
    ]
    if returns:
        [item] = services.items_add_proposed(meeting=challenge, chosen=returns[:1])
        services.meeting_move(meeting=challenge, to=Meeting.Status.HELD)
        answers = item.self_assessment.answers.select_related("standard")
        scores = {
            answer.pk: (2, "Training records show gaps; a plan is agreed.")
            if answer.standard.number == 5
            else (answer.self_score or 3, "")
            for answer in answers
        }
        services.item_moderate_return(item=item, by=admin, scores=scores)

    # The Board's year, quarterly.
    services.meeting_schedule_series(
        body=groups[SubGroup.Code.BOARD],
        first_on=days(30),
        every_weeks=13,
        count=4,
        papers_days_before=10,
        starts_at=datetime.time(13, 30),
        place="Shirehall, Council Chamber",
    )
