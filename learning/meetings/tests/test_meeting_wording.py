"""What a chair reads while running a meeting: the body that meets named as the one deciding, no
empty minutes saved or circulated, one message for a date out of range, the online link's own
example, and no separator left hanging after an item added by hand."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from reviews.models import Review
from reviews.tests.factories import open_review
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory

from .. import services
from ..forms import MeetingForm
from ..models import AgendaItem, Meeting
from .factories import ItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db

LI_NAME = "Learning and Improvement sub-group"


def _held(meeting):
    meeting.held_on = timezone.localdate()
    meeting.save()
    return services.meeting_move(meeting=meeting, to=Meeting.Status.HELD)


def _page(client, url, data=None):
    response = client.post(url, data) if data is not None else client.get(url)
    return " ".join(unescape(strip_tags(response.content.decode())).split())


# 2. The body that meets decides the referral ---------------------------------------------------


@pytest.fixture
def li_referral_item(bu_user):
    """An L&I meeting, held today, with a referral to L&I on its agenda."""
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT, name=LI_NAME)
    review = open_review(
        by=bu_user, kind=Review.Kind.LEARNING_REVIEW, subgroup=li, title="Neglect of a baby"
    )
    meeting = MeetingFactory(body=li)
    item = services.item_add(meeting=meeting, subject="referral", title=review.title, review=review)
    _held(meeting)
    return item


def test_an_li_meeting_records_li_s_decision_not_the_panel_s(client, bu_user, li_referral_item):
    item, meeting = li_referral_item, li_referral_item.meeting
    client.force_login(bu_user)
    page = _page(client, meeting.get_absolute_url())
    assert f"Record the {LI_NAME}'s decision on item 1" in page
    assert "Panel's" not in page

    decide = reverse("meetings:decide-referral", args=[meeting.uuid, item.uuid])
    form = _page(client, decide)
    assert f"The {LI_NAME}'s decision on Neglect of a baby" in form
    assert f"The {LI_NAME}'s decision" in form and "Panel's" not in form
    refused = _page(client, decide, {"reasons": "Criteria met."})
    assert f"Choose the {LI_NAME}'s decision." in refused


def test_the_review_is_brought_to_the_decision_of_the_body_that_meets(bu_user, li_referral_item):
    item = li_referral_item
    with pytest.raises(ValidationError, match=f"Choose the {LI_NAME}'s decision."):
        services.item_decide_referral(
            item=item, by=bu_user, decision=Review.Decision.PENDING, reasons="Not yet."
        )
    services.item_decide_referral(
        item=item, by=bu_user, decision=Review.Decision.INITIATE, reasons="Criteria met."
    )
    move = item.review.stage_changes.get(to_stage=Review.Stage.DECISION)
    assert move.note == (
        f"Brought to the {LI_NAME}'s decision: decided at the {LI_NAME}, "
        f"{item.meeting.date_label}, item 1."
    )


def test_a_body_named_with_the_is_not_called_the_the(crp):
    meeting = MeetingFactory(body=SubGroupFactory(code=None, name="The Neglect Task Group"))
    assert meeting.the_body == "the Neglect Task Group"
    assert MeetingFactory(body=crp).the_body == "the Case Review Panel"


# 4. Minutes are not empty ----------------------------------------------------------------------


def test_empty_minutes_are_refused_in_plain_words(client, bu_user, panel_meeting):
    item = ItemFactory(meeting=panel_meeting, title="Any other business")
    _held(panel_meeting)
    client.force_login(bu_user)
    minute = reverse("meetings:item-minute", args=[panel_meeting.uuid, item.uuid])
    page = _page(client, minute, {"notes": "  ", "decision": ""})
    assert "write what was discussed or decided on this item" in page
    assert "Minutes saved." not in page
    # Either half is minutes.
    services.item_minute(item=item, notes="", decision="Noted.")
    item.refresh_from_db()
    assert item.decision == "Noted."


def test_minutes_are_not_circulated_before_any_are_written(client, bu_user, panel_meeting):
    item = ItemFactory(meeting=panel_meeting, title="Any other business")
    _held(panel_meeting)
    client.force_login(bu_user)
    page = _page(client, panel_meeting.get_absolute_url())
    assert "Mark “Minutes circulated to members”" not in page
    with pytest.raises(ValidationError, match="There are no minutes to circulate yet"):
        services.meeting_move(meeting=panel_meeting, to=Meeting.Status.MINUTES_CIRCULATED)
    move = reverse("meetings:move", args=[panel_meeting.uuid])
    client.post(move, {"to": "circulated"})
    panel_meeting.refresh_from_db()
    assert panel_meeting.status == Meeting.Status.HELD

    services.item_minute(item=item, notes="Two notifications discussed.", decision="")
    assert "Mark “Minutes circulated to members”" in _page(client, panel_meeting.get_absolute_url())
    services.meeting_move(meeting=panel_meeting, to=Meeting.Status.MINUTES_CIRCULATED)
    panel_meeting.refresh_from_db()
    assert panel_meeting.status == Meeting.Status.MINUTES_CIRCULATED


# 5. One message for a date out of range --------------------------------------------------------


def test_a_date_out_of_range_gets_one_message_with_the_narrower_range(crp):
    today = timezone.localdate()
    form = MeetingForm(
        {"body": crp.pk, "held_on": "1850-01-01", "place": "Shirehall"},
        bodies=SubGroup.objects.all(),
    )
    assert not form.is_valid()
    [message] = form.errors["held_on"]
    assert message.startswith("The meeting's date (1 January 1850) is more than 3 years from")
    assert "1900" not in message and f"{today.year + 3}" in message


def test_papers_due_out_of_range_get_the_narrower_range_once(crp):
    meeting = Meeting(
        body=crp,
        held_on=timezone.localdate() + datetime.timedelta(days=10),
        papers_due_on=datetime.date(1850, 1, 1),
        place="Shirehall",
    )
    with pytest.raises(ValidationError) as refused:
        meeting.full_clean()
    [message] = refused.value.message_dict["papers_due_on"]
    assert message.startswith("The date papers are due (1 January 1850) is more than 3 years")


# 6. The online link's example is a video call ---------------------------------------------------


@pytest.mark.parametrize("url", ["meetings:create", "meetings:series"])
def test_the_online_links_message_fits_the_field(client, bu_user, crp, url):
    client.force_login(bu_user)
    day = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    page = _page(
        client,
        reverse(url),
        {
            "body": crp.pk,
            "held_on": day,
            "first_on": day,
            "every_weeks": 8,
            "count": 2,
            "link": "javascript:alert(1)",
        },
    )
    assert (
        "Give the video call's web address, starting with https://, such as "
        "https://meet.example.org/your-meeting." in page
    )
    assert "example.org/minutes" not in page
    assert not Meeting.objects.exists()


# 7. No separator after an item with no record ---------------------------------------------------


def test_an_item_added_by_hand_has_no_dangling_separator(client, bu_user, panel_meeting, referral):
    services.item_add(meeting=panel_meeting, title="Any other business")
    services.item_add(meeting=panel_meeting, title="A referral", review=referral)
    client.force_login(bu_user)
    page = _page(client, panel_meeting.get_absolute_url())
    assert "1. Any other business Added by hand Presenter: —" in page
    assert f"2. A referral Added by hand · {referral.reference} Presenter: —" in page
    assert AgendaItem.objects.count() == 2
