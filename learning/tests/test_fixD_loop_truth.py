"""Figures that stay true: a past year's themes as they were at its end, the loop assured (and
impact claimed) only where practice checks saw practice change, and the theme list's stage on
the day a past year's figure links to."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from learning import selectors, services
from learning.dashboard.annual_report import annual_report
from learning.dashboard.outcomes import impact_by_outcome
from learning.dashboard.overview import dashboard_figures
from learning.dashboard.scope import make_scope
from learning.models import LoopStage, PracticeCheck, PriorityTheme
from learning.tests.factories import (
    ActivityFactory,
    CheckFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ReviewFactory,
    ThemeFactory,
)
from sscb.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)
YEAR_END = datetime.date(2016, 3, 31)  # the end of 2015/16


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC), tick=False):
        yield


def made_on(theme, day):
    """As if the theme had been recorded on ``day`` (and the first version of its history)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    PriorityTheme.objects.filter(pk=theme.pk).update(created_at=moment)
    PriorityTheme.history.filter(id=theme.pk, history_type="+").update(history_date=moment)


def stage_counts(figures):
    return {row["value"]: row["count"].value for row in figures["themes_by_stage"]}


# 1. A past year's themes, as they were at its end ---------------------------------------------


def test_a_theme_made_today_is_not_counted_in_a_past_year(executive_user):
    then = ThemeFactory(title="There in 2015")
    made_on(then, datetime.date(2015, 6, 1))
    before = stage_counts(dashboard_figures(executive_user, year=2015))
    assert before[LoopStage.THEMED] == 1

    ThemeFactory(title="Made today")
    ThemeFactory(title="Made today too")
    figures = dashboard_figures(executive_user, year=2015)
    assert stage_counts(figures) == before
    assert [theme.title for theme in figures["themes"]] == ["There in 2015"]
    # This year counts all three.
    assert stage_counts(dashboard_figures(executive_user, year=2026))[LoopStage.THEMED] == 3


def test_a_theme_recorded_later_counts_from_the_day_its_dates_say_it_was_there(executive_user):
    """A theme typed in afterwards, agreed in 2015, was there at the end of 2015/16."""
    theme = ThemeFactory(agreed_on=datetime.date(2015, 9, 1))
    assert stage_counts(dashboard_figures(executive_user, year=2015))[LoopStage.THEMED] == 1
    assert stage_counts(dashboard_figures(executive_user, year=2014))[LoopStage.THEMED] == 0
    assert theme in selectors.with_loop_stage(PriorityTheme.objects.all())


def test_a_theme_closed_since_was_open_at_a_past_years_end(executive_user):
    theme = ThemeFactory(title="Closed today", status=PriorityTheme.Status.ACTIVE)
    FindingFactory(theme=theme)
    services.theme_move(theme=theme, to=PriorityTheme.Status.CLOSED)
    made_on(theme, datetime.date(2015, 6, 1))

    [listed] = dashboard_figures(executive_user, year=2015)["themes"]
    assert listed.title == "Closed today"
    assert listed.get_status_display() == "Active", "its status then, from its history"
    assert dashboard_figures(executive_user, year=2026)["themes"] == [], "closed now"


def test_the_dashboard_page_of_a_past_year_leaves_out_a_theme_made_today(client, executive_user):
    ThemeFactory(title="Made today")
    client.force_login(executive_user)
    page = client.get(reverse("dashboard:index"), {"year": 2015}).content.decode()
    assert "Made today" not in page
    assert 'data-testid="stage-themed">0<' in page


# 2. Assured, and impact, only where practice checks saw practice change -----------------------


def delivered_outcome():
    outcome = OutcomeFactory(
        theme=ThemeFactory(), decision="agreed", decided_on=datetime.date(2026, 5, 1)
    )
    ActivityFactory(outcome=outcome, delivered_on=datetime.date(2026, 6, 1), reach=30)
    return outcome


def check(outcome, agency, result, day):
    return CheckFactory(outcome=outcome, agency=agency, checked_on=day, result=result)


def judge(outcome, judgement, bu_user):
    evidence = EvidenceFactory(outcome=outcome)
    services.evidence_provide(evidence=evidence, summary="Audit of 20 cases")
    services.evidence_judge(
        evidence=evidence, judgement=judgement, reason="Read", judged_by=bu_user
    )


def test_a_check_whose_result_is_not_yet_known_does_not_check_practice():
    outcome = delivered_outcome()
    check(outcome, AgencyFactory(), PracticeCheck.Result.PENDING, datetime.date(2026, 9, 1))
    assert selectors.theme_loop_stage(outcome.theme) == LoopStage.DELIVERED
    check(outcome, AgencyFactory(), PracticeCheck.Result.NO_CHANGE, datetime.date(2026, 9, 2))
    assert selectors.theme_loop_stage(outcome.theme) == LoopStage.PRACTICE_CHECKED


def test_evidence_judged_assured_while_every_check_saw_no_change_is_not_impact(
    executive_user, bu_user
):
    outcome = delivered_outcome()
    FindingFactory(theme=outcome.theme, review=ReviewFactory(reference="LCSPR-2026-01"))
    police = AgencyFactory()
    for day in (1, 2, 3):
        check(outcome, police, PracticeCheck.Result.NO_CHANGE, datetime.date(2026, 9, day))
    judge(outcome, "not_assured", bu_user)
    judge(outcome, "assured", bu_user)

    theme = outcome.theme
    assert selectors.theme_loop_stage(theme) == LoopStage.PRACTICE_CHECKED
    figures = dashboard_figures(executive_user, year=2026)
    assert stage_counts(figures)[LoopStage.ASSURED] == 0
    assert stage_counts(figures)[LoopStage.PRACTICE_CHECKED] == 1
    report = annual_report(executive_user, year=2026)
    assert report["impact"]["reviews"] == []
    assert report["not_shown"]["impact"] == 0
    [row] = impact_by_outcome(make_scope(executive_user, year=2026))["rows"]
    assert {value: figure.value for value, figure in row["checks"].items()} == {
        "improved": 0,
        "partly": 0,
        "no_change": 3,
    }
    assert "result=no_change" in row["checks"]["no_change"].url

    # Improvement seen by another agency, while the police's latest check still saw none.
    check(outcome, AgencyFactory(), PracticeCheck.Result.IMPROVED, datetime.date(2026, 10, 1))
    assert selectors.theme_loop_stage(theme) == LoopStage.PRACTICE_CHECKED
    # The police's latest check sees improvement: practice changed, and the loop is assured.
    check(outcome, police, PracticeCheck.Result.PARTLY, datetime.date(2026, 11, 1))
    assert selectors.theme_loop_stage(theme) == LoopStage.ASSURED
    [review] = annual_report(executive_user, year=2026)["impact"]["reviews"]
    assert review["reference"] == "LCSPR-2026-01"


def test_an_outcome_whose_only_figures_are_checks_is_in_the_impact_table(client, executive_user):
    outcome = OutcomeFactory(title="Checked only")
    check(outcome, AgencyFactory(), PracticeCheck.Result.NO_CHANGE, datetime.date(2026, 9, 1))
    client.force_login(executive_user)
    page = client.get(reverse("dashboard:index"), {"year": 2026}).content.decode()
    assert "Checked only" in page
    assert "Practice development checks" in page


def test_a_past_years_assured_stage_reads_the_checks_made_by_its_end(executive_user, bu_user):
    outcome = delivered_outcome()
    police = AgencyFactory()
    check(outcome, police, PracticeCheck.Result.IMPROVED, datetime.date(2026, 9, 1))
    judge(outcome, "assured", bu_user)
    assert selectors.theme_loop_stage(outcome.theme) == LoopStage.ASSURED
    # A later check by the same agency finds the change gone: no longer assured.
    check(outcome, police, PracticeCheck.Result.NO_CHANGE, datetime.date(2026, 12, 1))
    assert selectors.theme_loop_stage(outcome.theme) == LoopStage.PRACTICE_CHECKED
    stage_then = (
        selectors.with_loop_stage(
            PriorityTheme.objects.filter(pk=outcome.theme_id), datetime.date(2026, 11, 30)
        )
        .get()
        .loop_stage
    )
    # Judged today, so not assured by 30 November either; but practice was checked by then.
    assert stage_then == LoopStage.PRACTICE_CHECKED


# 3. The theme list opened from a past year's figure -------------------------------------------


def test_the_theme_list_shows_the_stage_on_the_day_its_figure_counts(client, bu_user):
    theme = ThemeFactory(title="Themed in 2015")
    made_on(theme, datetime.date(2015, 6, 1))
    outcome = OutcomeFactory(theme=theme, decision="agreed", decided_on=datetime.date(2026, 5, 1))
    ThemeFactory(title="Made today")
    client.force_login(bu_user)

    today = client.get(reverse("learning:index")).content.decode()
    assert 'data-testid="theme-stage">Outcome agreed<' in today
    assert "Loop stage at" not in today

    asked = {"loop_stage": LoopStage.THEMED, "stage_on": "2016-03-31"}
    page = client.get(reverse("learning:index"), asked).content.decode()
    assert "Loop stage at 31 March 2016" in page
    assert "Themed in 2015" in page
    assert "Made today" not in page, "not there at the end of 2015/16"
    assert 'data-testid="theme-stage">Themed<' in page
    assert 'data-testid="theme-stage">Outcome agreed<' not in page
    assert outcome.theme_id == theme.pk
