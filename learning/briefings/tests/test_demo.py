import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from learning.dashboard.overview import dashboard_figures
from sscb.dates import financial_year_of
from sscb.models import User

from ..models import Briefing

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # idempotent


def test_demo_shows_a_cascaded_briefing_and_one_awaiting_the_chair(demo, client):
    published = Briefing.objects.get(status=Briefing.Status.PUBLISHED)
    assert published.activity.reach == 46 + 38 + 120
    waiting = Briefing.objects.get(status=Briefing.Status.SUBMITTED)
    assert (waiting.version, waiting.versions.count()) == (2, 1)

    admin = User.objects.get(username="admin")
    reach = [
        delivery["reach"].value
        for row in dashboard_figures(admin, financial_year_of(published.published_on))["reach"]
        for delivery in row["deliveries"]
        if delivery["activity"].pk == published.activity_id
    ]
    assert reach == [204]

    client.force_login(User.objects.get(username="agency"))
    cascades = client.get(reverse("briefings:cascades")).content.decode()
    assert published.title in cascades and "Team meeting" in cascades
    assert client.get(reverse("briefings:pdf", args=[published.uuid])).content[:5] == b"%PDF-"
    client.force_login(User.objects.get(username="member"))  # the L&I chair
    page = client.get(waiting.get_absolute_url()).content.decode()
    assert "Approve version 2" in page and "Version 1: written by" in page
