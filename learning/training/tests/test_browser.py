"""The questionnaire page in Chromium: it passes axe-core (WCAG 2.2 A/AA) and, once answered,
says so."""

import pytest
from django.conf import settings

from sscb.tests.test_accessibility_browser import AXE, FAILING_IMPACTS, RUN_AXE, WCAG_22_AA

from .. import services
from ..models import Questionnaire

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_questionnaire_passes_axe_and_takes_one_answer(page, live_server, delivered):
    sam = delivered.attendees.get(name="Sam Patel")
    questionnaire = Questionnaire.objects.create(attendee=sam, stage=Questionnaire.Stage.IMMEDIATE)
    token = services.link_issue(questionnaire=questionnaire, sent_to=sam.email)
    url = f"{live_server.url}/training/answer/{token}/"
    page.goto(url)
    page.add_script_tag(url=f"{live_server.url}{settings.STATIC_URL}{AXE}")
    violations = [v for v in page.evaluate(RUN_AXE, WCAG_22_AA) if v["impact"] in FAILING_IMPACTS]
    assert not violations, violations
    page.get_by_role("group", name="Recording the child's own words").get_by_label("4").check()
    page.get_by_role("group", name="Asking about daily life").get_by_label(
        "5 — very confident"
    ).check()
    page.get_by_label("What will you do differently in your practice?").fill("Ask about the day.")
    page.get_by_role("button", name="Send my answers").click()
    assert "have been received" in page.get_by_test_id("thanks").inner_text()
    page.goto(url)
    assert page.get_by_test_id("already-answered").is_visible()
    page.add_script_tag(url=f"{live_server.url}{settings.STATIC_URL}{AXE}")
    violations = [v for v in page.evaluate(RUN_AXE, WCAG_22_AA) if v["impact"] in FAILING_IMPACTS]
    assert not violations, violations
