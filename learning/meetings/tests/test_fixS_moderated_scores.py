"""A meeting's "Moderated scores" form keeps a moderation saved after it was opened (fixer S):
left as shown, that standard is not written over; typed over, nothing is saved."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import services as audits_services
from audits.models import StandardAssessment
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory, SubGroupMembershipFactory, UserFactory
from sscb.tests.posting import from_page

from ..models import Meeting
from . import test_services
from .factories import ItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(bu_user):
    """A held QAP meeting with a submitted return on its agenda, its form's address, and a QAP
    member who moderates on the return's own page meanwhile."""
    qap = SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE, name="QAP")
    moderator = UserFactory(first_name="Sam", last_name="Patel", role="subgroup_member")
    SubGroupMembershipFactory(subgroup=qap, user=moderator)
    submitted = test_services._submitted_return(bu_user)
    meeting = MeetingFactory(body=qap, held_on=timezone.localdate())
    item = ItemFactory(meeting=meeting, position=1, title="Return", self_assessment=submitted)
    meeting.status = Meeting.Status.HELD
    meeting.save()
    url = reverse("meetings:decide-return", args=[meeting.uuid, item.uuid])
    return submitted, item, url, moderator


def _answer(submitted, number):
    return StandardAssessment.objects.get(self_assessment=submitted, standard__number=number)


def _moderate_on_the_returns_page(submitted, moderator):
    audits_services.standard_assessment_moderate(
        standard_assessment=_answer(submitted, 3),
        moderated_score=1,
        moderation_comment="No named senior lead.",
        by=moderator,
    )


def test_a_moderation_saved_after_the_form_was_opened_is_kept_where_left_as_shown(
    client, bu_user, held
):
    submitted, item, url, moderator = held
    client.force_login(bu_user)
    shown = client.get(url).content.decode()
    _moderate_on_the_returns_page(submitted, moderator)

    response = client.post(url, from_page(shown))  # saved unchanged
    assert response.status_code == 302
    third = _answer(submitted, 3)
    assert (third.moderated_score, third.moderation_comment) == (1, "No named senior lead.")
    # Not written over: who moderated it, and where, stay as they were.
    assert (third.moderated_by, third.minutes_label) == (moderator, "")
    # The others are the meeting's.
    first = _answer(submitted, 1)
    assert first.moderated_score == first.self_score and first.minutes_label.startswith(
        "decided at the QAP"
    )


def test_a_moderation_typed_over_after_it_changed_saves_nothing_and_says_who_changed_it(
    client, bu_user, held
):
    submitted, item, url, moderator = held
    client.force_login(bu_user)
    shown = client.get(url).content.decode()
    _moderate_on_the_returns_page(submitted, moderator)
    third = _answer(submitted, 3)

    response = client.post(url, from_page(shown, **{f"score_{third.pk}": "2"}))
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "Sam Patel, at " in page and "after you opened the page, and you changed it too" in page
    assert "Changed after you opened the page. Saved now: Not met." in page
    assert not StandardAssessment.objects.filter(
        self_assessment=submitted, minutes_label__startswith="decided at"
    ).exists()
    third.refresh_from_db()
    assert (third.moderated_score, third.moderated_by) == (1, moderator)
    # Sent again, it saves what was typed.
    again = client.post(url, from_page(page))
    assert again.status_code == 302
    third.refresh_from_db()
    assert third.moderated_score == 2 and third.minutes_label.startswith("decided at the QAP")
