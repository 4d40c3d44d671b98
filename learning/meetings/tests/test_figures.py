"""The year's meeting figures say what the attendance rate is worked out over."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from sscb.tests.factories import UserFactory

from ..models import Meeting
from .factories import AttendanceFactory, ItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_attendance_says_over_how_many_meetings_and_one_decision_is_one(client, bu_user, crp):
    """fr #9: a rate from one meeting of two says so; "1 decision", not "1 decisions"."""
    day = timezone.localdate()
    recorded = MeetingFactory(body=crp, held_on=day, status=Meeting.Status.HELD)
    MeetingFactory(body=crp, held_on=day, status=Meeting.Status.HELD)  # no attendance recorded
    AttendanceFactory(meeting=recorded, person=UserFactory(), status="present")
    ItemFactory(meeting=recorded, decided_on=day, decision="Initiate")
    client.force_login(bu_user)
    page = unescape(client.get(reverse("dashboard:index")).content.decode())
    assert "attendance (present, or a deputy came), over 1 of 2 meetings (attendance" in page
    assert "decision recorded on its record" in page
    assert "decisions recorded on their records" not in page
    figures = unescape(client.get(reverse("meetings:figures")).content.decode())
    assert '100% <span class="small text-muted">over 1 of 2 meetings</span>' in figures
