"""Referrals only of kinds that decide, the list's filters said, a held meeting's date kept
once decided at, and quorum before any decision."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from reviews.tests.factories import open_review
from sscb.filters import NOTHING_LISTED
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory, UserFactory

from .. import agenda, services
from ..models import AgendaItem, Meeting
from .factories import AttendanceFactory, ItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def hold(meeting, on=None):
    meeting.held_on = on or timezone.localdate()
    meeting.save()
    return services.meeting_move(meeting=meeting, to=Meeting.Status.HELD)


def test_a_referral_of_a_kind_that_records_no_decision_is_not_proposed(bu_user):
    body = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT, name="L&I")
    deep = open_review(by=bu_user, kind=Review.Kind.DEEP_DIVE, subgroup=body, title="Deep")
    learning = open_review(
        by=bu_user, kind=Review.Kind.LEARNING_REVIEW, subgroup=body, title="Learning"
    )
    meeting = MeetingFactory(body=body)
    referrals = [p.record for p in agenda.proposals(bu_user, meeting) if p.subject == "referral"]
    assert learning in referrals and deep not in referrals


def test_the_meeting_page_offers_no_decision_on_a_review_that_records_none(client, bu_user):
    body = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT, name="L&I")
    deep = open_review(by=bu_user, kind=Review.Kind.DEEP_DIVE, subgroup=body, title="Deep")
    meeting = MeetingFactory(body=body)
    ItemFactory(meeting=meeting, review=deep, subject=AgendaItem.Subject.REFERRAL)
    hold(meeting)
    client.force_login(bu_user)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "decide-referral" not in page


@pytest.mark.parametrize("query", ["body=abc", "year=1850", "agency=0"])
def test_a_filter_the_list_cannot_apply_is_said_and_nothing_is_listed(client, bu_user, crp, query):
    MeetingFactory(body=crp)
    client.force_login(bu_user)
    response = client.get(reverse("meetings:list") + "?" + query)
    assert response.status_code == 200
    assert not list(response.context["page_obj"].object_list)
    assert NOTHING_LISTED in response.content.decode()


def test_a_filter_the_list_can_apply_narrows_it(client, bu_user, crp):
    mine = MeetingFactory(body=crp)
    MeetingFactory(body=SubGroupFactory(code=SubGroup.Code.EXECUTIVE))
    client.force_login(bu_user)
    response = client.get(reverse("meetings:list"), {"body": crp.pk})
    assert list(response.context["page_obj"].object_list) == [mine]


def test_a_held_meetings_date_does_not_move_once_a_decision_is_applied(client, bu_user, crp):
    earlier = hold(MeetingFactory(body=crp), on=timezone.localdate() - datetime.timedelta(days=30))
    ItemFactory(meeting=earlier, notes="Discussed.")
    services.meeting_move(meeting=earlier, to=Meeting.Status.MINUTES_CIRCULATED)
    meeting = hold(MeetingFactory(body=crp))
    item = services.item_add(meeting=meeting, title="Minutes", minutes_of=earlier)
    services.item_approve_minutes(item=item, by=bu_user)
    moved = meeting.held_on - datetime.timedelta(days=3)
    with pytest.raises(ValidationError, match="cannot move"):
        services.meeting_update(meeting=meeting, held_on=moved)
    client.force_login(bu_user)
    form = client.get(reverse("meetings:edit", args=[meeting.uuid])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    response = client.post(
        reverse("meetings:edit", args=[meeting.uuid]), data | {"held_on": moved.isoformat()}
    )
    assert "cannot move" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.held_on == timezone.localdate()
    services.meeting_update(meeting=meeting, place="Room 4")  # anything else may still change


def test_a_meeting_that_is_not_quorate_decides_nothing(bu_user, crp):
    crp.quorum = 3
    crp.save()
    earlier = hold(MeetingFactory(body=crp), on=timezone.localdate() - datetime.timedelta(days=30))
    ItemFactory(meeting=earlier, notes="Discussed.")
    services.meeting_move(meeting=earlier, to=Meeting.Status.MINUTES_CIRCULATED)
    meeting = hold(MeetingFactory(body=crp))
    item = services.item_add(meeting=meeting, title="Minutes", minutes_of=earlier)
    with pytest.raises(ValidationError, match="attendance is not recorded"):
        services.item_approve_minutes(item=item, by=bu_user)
    people = [UserFactory() for _ in range(3)]
    rows = [
        AttendanceFactory(meeting=meeting, person=person, status=status)
        for person, status in zip(people, ["present", "apologies", "absent"], strict=True)
    ]
    with pytest.raises(ValidationError, match="1 of the 3 members .* was present"):
        services.item_approve_minutes(item=item, by=bu_user)
    earlier.refresh_from_db()
    assert earlier.status == Meeting.Status.MINUTES_CIRCULATED
    # A deputy who came for a member counts towards the quorum.
    rows[1].deputy = "Deputy head of service"
    rows[1].save()
    rows[2].status = "present"
    rows[2].save()
    services.item_approve_minutes(item=item, by=bu_user)
    earlier.refresh_from_db()
    assert earlier.status == Meeting.Status.MINUTES_APPROVED


def test_the_meeting_page_says_it_is_not_quorate_and_offers_no_decision(client, bu_user, crp):
    crp.quorum = 2
    crp.save()
    meeting = hold(MeetingFactory(body=crp))
    ItemFactory(meeting=meeting, minutes_of=MeetingFactory(body=crp))
    AttendanceFactory(meeting=meeting, person=UserFactory(), status="present")
    client.force_login(bu_user)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "not quorate" in page and "Approve those minutes" not in page
