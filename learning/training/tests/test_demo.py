import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from learning.models import DeliveryActivity, PracticeCheck
from sscb.models import User

from ..models import Course, Questionnaire

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_delivered_course_its_registers_and_answers_from_people(settings, client):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # idempotent
    course = Course.objects.get()
    delivered = course.sessions.get(delivered_on__isnull=False)
    activity = DeliveryActivity.objects.get(training_sessions=delivered)
    assert activity.reach == delivered.attendees.filter(status="attended").count() == 8
    assert Questionnaire.objects.filter(answered_at__isnull=False).count() == 17
    checks = PracticeCheck.objects.filter(activity=activity, from_answers=True)
    assert checks.exclude(result="pending").exists()
    client.force_login(User.objects.get(username="admin"))
    dashboard = client.get(reverse("dashboard:index")).content.decode()
    assert course.outcomes.get().title in dashboard and 'data-testid="impact-row"' in dashboard
    session = client.get(reverse("training:session", args=[delivered.uuid])).content.decode()
    assert "Sam Patel" in session and "Did not attend" in session
