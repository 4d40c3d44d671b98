"""Each figure opens exactly the records it counted: a quarter's figures open that quarter's
records (not the whole year's), an archived agency's figures open that agency's records (not the
whole tracker), a filter that cannot be applied lists and exports nothing, and a sub-group's
impact by outcome counts only the judgements its assurance totals count."""

import csv
import datetime
import io
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.dashboard.annual_report import annual_report
from learning.dashboard.assurance import assurance_totals
from learning.dashboard.figure import Figure
from learning.dashboard.outcomes import impact_by_outcome
from learning.dashboard.overview import dashboard_figures, scope_figures
from learning.dashboard.scope import make_scope
from learning.tests.factories import (
    CheckFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ThemeFactory,
)
from learning.training import services as training
from learning.training.models import Attendee
from reviews.models import Review, ReviewStageChange
from sscb.dates import financial_year_of
from sscb.filters import NOTHING_LISTED, QUARTER_NEEDS_A_YEAR
from sscb.models import Agency, SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dashboard_day")]


# What a figure under these keys links to is not a list of as many records: a reach (people
# reached, linking to the deliveries) and a cycle's returns (linking to the cycle's page).
NOT_COUNTS = ("reach", "returns")


def figures_in(value):
    """Every Figure that counts records in a report's nested dicts and lists."""
    if isinstance(value, Figure):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_COUNTS:
                yield from figures_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from figures_in(item)


def listed(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page_obj"].paginator.count


def exported(client, query) -> list[list[str]]:
    response = client.get(reverse("learning:actions_csv") + query)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    start = rows.index(["Actions"]) + 2  # the table's title, then its header
    return [row for row in rows[start:] if row]


# A: a quarter's figures -------------------------------------------------------------------------


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_every_figure_of_a_quarter_opens_exactly_the_records_it_counted(
    client, bu_user, data, quarter
):
    client.force_login(bu_user)
    report = client.get(
        reverse("dashboard:report", args=["li"]), {"year": 2025, "quarter": quarter}
    ).context["report"]
    # The dashboard's tables for a quarter too.
    board = scope_figures(make_scope(bu_user, year=2025, quarter=quarter))
    figures = [
        *figures_in(report),
        *figures_in(annual_report(bu_user, 2025, quarter=quarter)),
        *figures_in(annual_report(bu_user, 2025, data["li"], quarter=quarter)),
        *figures_in(board),
    ]
    assert len(figures) > 100
    for figure in figures:
        assert "year=2025" not in figure.url or f"quarter={quarter}" in figure.url, figure.url
        assert listed(client, figure.url) == figure.value, figure.url


def test_a_quarters_figures_differ_from_the_years_and_open_the_quarters_records(
    client, bu_user, data
):
    """In the dashboard data, Q2 of 2025/26 starts one review of the year's two (R4, on
    1 July), completes none (R2 in December) and falls due one action of the year's seven."""
    client.force_login(bu_user)
    li = reverse("dashboard:report", args=["li"])
    year = client.get(li, {"year": 2025}).context["report"]
    q2 = client.get(li, {"year": 2025, "quarter": 2}).context["report"]
    assert q2["reviews"]["started"].url == (
        f"/reviews/?financial_year=2025&quarter=2&subgroup={data['li'].pk}"
    )
    whole = annual_report(bu_user, 2025)
    by_quarter = annual_report(bu_user, 2025, quarter=2)
    assert (whole["reviews"]["started"].value, by_quarter["reviews"]["started"].value) == (2, 1)
    assert listed(client, by_quarter["reviews"]["started"].url) == 1  # the restricted R4
    assert (whole["actions"]["due"].value, by_quarter["actions"]["due"].value) == (7, 2)
    assert listed(client, by_quarter["actions"]["due"].url) == 2
    assert (year["actions"]["due"].value, q2["actions"]["due"].value) == (7, 2)


def test_the_lists_offer_the_quarter_and_a_quarter_without_its_year_lists_nothing(
    client, bu_user, data
):
    client.force_login(bu_user)
    for name in (
        "reviews:list",
        "learning:actions",
        "learning:activities",
        "learning:checks",
        "learning:evidence_list",
        "learning:outcomes",
    ):
        page = client.get(reverse(name))
        assert "quarter" in page.context["filter"].form.fields, name
        alone = client.get(reverse(name), {"quarter": 2})
        assert alone.context["page_obj"].paginator.count == 0, name
        assert alone.context["filter"].errors["quarter"] == [QUARTER_NEEDS_A_YEAR, NOTHING_LISTED]
    page = unescape(client.get(reverse("learning:actions"), {"quarter": 2}).content.decode())
    assert QUARTER_NEEDS_A_YEAR in page and NOTHING_LISTED in page
    # Q4 of 2025/26 is January to March 2026: a3 (10 Jan), a4, a5 and a7 (20 and 30 March, 20 Feb).
    assert listed(client, reverse("learning:actions") + "?financial_year=2025&quarter=4") == 4
    assert len(exported(client, "?financial_year=2025&quarter=4")) == 4


def test_an_ended_quarters_reviews_are_counted_and_listed_at_their_stage_at_its_end(
    client, bu_user, data
):
    """R2 went to Board sign-off on 1 December 2025 and was published on 10 January 2026: at
    the end of Q3 it was at sign-off, and the cell that counts it lists it."""
    r2 = Review.objects.get(published_on=datetime.date(2026, 1, 10))
    for on, was, to in [
        (datetime.date(2025, 12, 1), "analysis", "board_signoff"),
        (datetime.date(2026, 1, 10), "board_signoff", "published"),
    ]:
        ReviewStageChange.objects.create(
            review=r2, from_stage=was, to_stage=to, happened_on=on, moved_by=bu_user
        )
    client.force_login(bu_user)
    table = scope_figures(make_scope(bu_user, year=2025, quarter=3))["by_kind_and_stage"]
    assert table["stage_when"] == "at the quarter's end, 31 December 2025"
    cells = dict(zip([value for value, _ in table["stages"]], table["stage_totals"], strict=True))
    assert "published" not in cells and cells["board_signoff"].value == 1
    for cell in cells.values():
        assert "quarter=3" in cell.url and "year_end_stage=" in cell.url
        assert listed(client, cell.url) == cell.value, cell.url


# B: an archived agency, and a filter that cannot be applied ------------------------------------


def test_an_archived_agencys_figure_opens_and_exports_its_own_actions(client, bu_user, data):
    police = data["police"]
    Agency.objects.filter(pk=police.pk).update(is_active=False)
    client.force_login(bu_user)
    row = next(
        row
        for row in dashboard_figures(bu_user, 2025)["actions_by_agency"]
        if row["agency_name"] == police.name
    )
    assert row["total"].value == 3
    page = client.get(row["total"].url)
    assert page.context["page_obj"].paginator.count == 3
    assert not page.context["filter"].errors
    assert len(exported(client, "?" + row["total"].url.partition("?")[2])) == 3
    # Offered after the active agencies, marked as archived.
    labels = [label for _, label in page.context["filter"].form.fields["owner_agency"].choices]
    assert labels[-1] == "West Mercia Police (archived)"
    assert labels.index("Children's Social Care") < labels.index("West Mercia Police (archived)")


@pytest.mark.parametrize(
    ("url_name", "param"),
    [
        ("learning:findings", "agency"),
        ("learning:evidence_list", "agency"),
        ("learning:checks", "agency"),
    ],
)
def test_every_agency_filter_takes_an_archived_agency(client, bu_user, url_name, param):
    archived = AgencyFactory(name="Old Probation Trust", is_active=False)
    FindingFactory(agencies=[archived])
    EvidenceFactory(agency=archived)
    CheckFactory(agency=archived)
    for _ in range(2):  # another agency's records, which the list must not show
        other = AgencyFactory()
        FindingFactory(agencies=[other])
        EvidenceFactory(agency=other)
        CheckFactory(agency=other)
    client.force_login(bu_user)
    page = client.get(reverse(url_name), {param: archived.pk})
    assert not page.context["filter"].errors
    assert page.context["page_obj"].paginator.count == 1
    assert "Old Probation Trust (archived)" in unescape(page.content.decode())


def test_a_filter_that_cannot_be_applied_lists_and_exports_nothing_and_says_so(
    client, bu_user, data
):
    client.force_login(bu_user)
    query = "?owner_agency=999999&financial_year=2025"
    page = client.get(reverse("learning:actions") + query)
    assert page.context["page_obj"].paginator.count == 0
    body = unescape(page.content.decode())
    assert "Choose one of the options shown." in body and NOTHING_LISTED in body
    assert exported(client, query) == []
    # Every list: nothing, never the whole list.
    for name, bad in (
        ("reviews:list", {"subgroup": 999999}),
        ("reviews:list", {"financial_year": 1066}),
        ("learning:index", {"subgroup": 999999}),
        ("learning:findings", {"agency": 999999}),
        ("learning:evidence_list", {"theme": 999999}),
        ("learning:activities", {"delivered_year": "garbage"}),
        ("learning:checks", {"agency": 999999}),
        ("learning:outcomes", {"agreed_year": 1066}),
        ("learning:actions", {"due_before": "2026-13-45"}),
        ("audits:list", {"lead_subgroup": 999999}),
    ):
        assert listed(client, reverse(name)) > 0 or name == "audits:list", name
        assert client.get(reverse(name), bad).context["page_obj"].paginator.count == 0, name
    # The register marks the filter not applied.
    register = client.get(reverse("reviews:list"), {"subgroup": 999999}).content.decode()
    assert 'aria-invalid="true"' in register


# C: a sub-group's impact by outcome -------------------------------------------------------------


def test_a_sub_groups_impact_by_outcome_counts_only_the_judgements_its_totals_count(
    client, bu_user
):
    """The Training sub-group's course delivered L&I's outcome, whose evidence L&I judged: the
    outcome is in Training's table (its delivery), but the judgement is L&I's alone."""
    today = timezone.localdate()
    training_group = SubGroupFactory(code=SubGroup.Code.TRAINING, name="Training")
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    outcome = OutcomeFactory(
        theme=ThemeFactory(subgroup=li),
        decision="agreed",
        decided_on=today - datetime.timedelta(days=60),
    )
    course = training.course_save(
        title="Cumulative harm refresher",
        kind="themed_event",
        subgroup=training_group,
        learning_points="Reading a chronology",
        outcomes=[outcome],
    )
    session = training.session_save(
        course=course,
        held_on=today - datetime.timedelta(days=2),
        trainer="Jo Trainer",
        venue="Guildhall",
        places=5,
    )
    training.attendee_add(
        session=session,
        agency=AgencyFactory(),
        name="Robin Social",
        email="robin@example.org",
        manager_email="boss@example.org",
        status=Attendee.Status.ATTENDED,
    )
    training.session_deliver(session=session)
    EvidenceFactory(
        outcome=outcome,
        judgement="assured",
        received_on=today - datetime.timedelta(days=1),
        judged_on=today - datetime.timedelta(days=1),
        judged_by=bu_user,
    )
    client.force_login(bu_user)
    year = financial_year_of(today)
    for group, judged in ((training_group, 0), (li, 1)):
        scope = make_scope(bu_user, year=year, subgroup=group)
        assert assurance_totals(scope)["totals"]["assured"].value == judged
        (row,) = impact_by_outcome(scope)["rows"]
        assert row["outcome"] == outcome and row["delivered"].value == 1
        assured = row["judgements"]["assured"]
        assert assured.value == judged, group
        assert listed(client, assured.url) == judged
        assert listed(client, row["delivered"].url) == 1
