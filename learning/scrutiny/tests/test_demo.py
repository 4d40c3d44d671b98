import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from learning.models import Action, Finding
from learning.scrutiny.models import Inspection
from reviews.models import ChildDeathDetails, Review
from sscb.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # idempotent


def test_demo_has_a_register_whose_recommendations_became_a_finding_and_an_action(demo, client):
    assert Inspection.objects.count() == 4
    jtai = Inspection.objects.get(kind=Inspection.Kind.JTAI)
    assert Finding.objects.filter(recommendation__inspection=jtai, theme__isnull=False).exists()
    action = Action.objects.get(recommendation__inspection=jtai)
    client.force_login(User.objects.get(username="admin"))
    for url in (reverse("scrutiny:list"), jtai.get_absolute_url()):
        assert client.get(url).status_code == 200
    thread = client.get(reverse("scrutiny:thread", args=[jtai.uuid])).content.decode()
    assert action.reference in thread


def test_demo_child_deaths_fill_the_cdop_annual_report_with_suppressed_counts(demo, client):
    deaths = ChildDeathDetails.objects.filter(review__kind=Review.Kind.CHILD_DEATH)
    assert deaths.count() >= 17
    assert not deaths.filter(review__pseudonym="").exists()  # pseudonyms, never names
    client.force_login(User.objects.get(username="executive"))
    response = client.get(reverse("dashboard:report", args=["cdop"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "&lt;5" in page and "Perinatal/neonatal event" in page
