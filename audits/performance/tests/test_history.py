"""An indicator's page and its scorecard's say who changed them, and what (README, "History"):
the scorecard's only for the indicators its reader may see."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sscb.tests.posting import as_posted
from sscb.tests.reading import history_entries

from .factories import IndicatorFactory, IndicatorSetFactory

pytestmark = pytest.mark.django_db


def _history(client, url, testid) -> list[str]:
    return history_entries(client.get(url), testid)


def _change_in_the_admin(client, indicator, **changes):
    """What the Business Unit changes of an indicator, in the admin (where the framework is
    held)."""
    url = reverse("admin:performance_indicator_change", args=[indicator.pk])
    data = as_posted(client.get(url).context["adminform"].form) | changes
    assert client.post(url, data).status_code == 302


@pytest.fixture
def scorecard():
    return IndicatorSetFactory(name="QAP core dataset")


def test_an_indicators_history_says_who_changed_its_target(client, bu_user, agency, scorecard):
    indicator = IndicatorFactory(indicator_set=scorecard, agency=agency, name="Visits on time")
    client.force_login(bu_user)
    _change_in_the_admin(client, indicator, target="85", tolerance="2")
    url = reverse("performance:indicator", args=[indicator.uuid])
    entries = _history(client, url, "indicator-history")
    assert entries[0].endswith(f"{bu_user}: target 90.00 → 85.00; tolerance 5.00 → 2.00")
    assert entries[-1].endswith("the system: recorded it")


def test_a_scorecards_history_holds_only_the_indicators_its_reader_may_see(
    client, bu_user, agency_user, agency, other_agency, scorecard
):
    ours = IndicatorFactory(indicator_set=scorecard, agency=agency, name="Police indicator")
    theirs = IndicatorFactory(
        indicator_set=scorecard, agency=other_agency, name="Social care indicator"
    )
    client.force_login(bu_user)
    for indicator in (ours, theirs):
        _change_in_the_admin(client, indicator, target="80")
    url = reverse("performance:scorecard", args=[scorecard.uuid])
    said = " ".join(_history(client, url, "scorecard-history"))
    assert f"{bu_user}: indicator (Social care indicator): target 90.00 → 80.00" in said
    client.force_login(agency_user)
    said = " ".join(_history(client, url, "scorecard-history"))
    assert f"{bu_user}: indicator (Police indicator): target 90.00 → 80.00" in said
    assert "Social care" not in said


@pytest.mark.parametrize("page", ["indicator", "scorecard"])
def test_the_histories_run_the_same_queries_for_few_or_many_versions_and_indicators(
    client, bu_user, agency, scorecard, count_queries, django_assert_num_queries, page
):
    first = IndicatorFactory(indicator_set=scorecard, agency=agency)
    url = {
        "indicator": reverse("performance:indicator", args=[first.uuid]),
        "scorecard": reverse("performance:scorecard", args=[scorecard.uuid]),
    }[page]
    client.force_login(bu_user)
    client.get(url)  # the session's first save, not counted

    def change(rounds):
        for n in range(rounds):
            IndicatorFactory(indicator_set=scorecard, agency=agency)
            first.target = Decimal(50 + n)
            first.save()
            scorecard.return_days = 20 + n
            scorecard.save()

    change(1)
    few = count_queries(url)
    change(30)
    with django_assert_num_queries(few):
        entries = _history(client, url, f"{page}-history")
    assert len(entries) == 20
    assert "target 78.00 → 79.00" in " ".join(entries)
