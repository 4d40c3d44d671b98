import io
from html import unescape

import pytest
from django.core.management import call_command
from django.urls import reverse

from learning.models import AssuranceEvidence, PracticeCheck
from sscb.models import User

from ..demo import CORE_DATASET
from ..models import Indicator, IndicatorSet, IndicatorValue

pytestmark = pytest.mark.django_db


def test_demo_shows_a_scorecard_with_every_rag_a_missing_return_and_the_loop(settings, client):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    counts = [m.objects.count() for m in (IndicatorSet, Indicator, IndicatorValue)]
    call_command("load_demo", stdout=io.StringIO())
    assert [m.objects.count() for m in (IndicatorSet, Indicator, IndicatorValue)] == counts
    core = IndicatorSet.objects.get(name=CORE_DATASET)
    assert counts[1] >= 8 and counts[2] >= 60

    client.force_login(User.objects.get(username="qapchair"))
    text = unescape(client.get(reverse("performance:scorecard", args=[core.uuid])).content.decode())
    for rag in ("Green: on target", "Amber: within tolerance", "Red: beyond tolerance"):
        assert rag in text
    missing = text.split('data-testid="missing-returns"')[1]
    assert "Domestic abuse incidents with children present" in missing

    client.force_login(User.objects.get(username="agency"))  # the police lead
    due = unescape(client.get(reverse("learning:my_agency")).content.decode())
    assert "Domestic abuse incidents with children present" in due.split("performance-due")[1]

    check = PracticeCheck.objects.get(way=PracticeCheck.Way.PERFORMANCE)
    assert check.indicators.count() == 2
    assert AssuranceEvidence.objects.get(way="performance_data", scorecard=core).cites_scorecard
