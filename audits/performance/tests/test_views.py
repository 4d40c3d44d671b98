import datetime
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning.models import AssuranceEvidence, PracticeCheck
from learning.tests.factories import CheckFactory, OutcomeFactory

from .. import services
from ..models import Indicator, IndicatorValue
from .factories import IndicatorFactory, IndicatorSetFactory, IndicatorValueFactory

pytestmark = pytest.mark.django_db
TODAY = "2025-11-10"  # Q3 of 2025/26: the last quarter ended is Q2


def body(response):
    return unescape(response.content.decode())


@pytest.fixture
def scorecard():
    return IndicatorSetFactory(name="QAP core dataset")


def test_anonymous_users_are_sent_to_sign_in(client, scorecard):
    for url in (
        reverse("performance:index"),
        reverse("performance:scorecard", args=[scorecard.uuid]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_who_may_see_the_framework(client, scorecard, agency, other_agency, make_user, qap_user):
    IndicatorFactory(indicator_set=scorecard, agency=agency, name="Police indicator")
    IndicatorFactory(indicator_set=scorecard, agency=other_agency, name="Social care indicator")
    url = reverse("performance:scorecard", args=[scorecard.uuid])
    lead = make_user(role="agency_lead", agency=agency, username="lead")
    for user, sees in [
        (make_user(role="business_unit", username="bu1"), {"Police", "Social care"}),
        (make_user(role="executive", username="exec1"), {"Police", "Social care"}),
        (qap_user, {"Police", "Social care"}),
        (lead, {"Police"}),
    ]:
        client.force_login(user)
        text = body(client.get(url))
        for name in ("Police", "Social care"):
            assert (f"{name} indicator" in text) == (name in sees), (user, name)
    for user in (
        make_user(role="subgroup_member", username="notqap"),
        make_user(role="independent_reviewer", username="rev"),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get(reverse("performance:index")).status_code == 403


@time_machine.travel(TODAY)
def test_the_scorecard_shows_rag_trend_and_missing_returns(client, bu_user, scorecard, agency):
    good = IndicatorFactory(
        indicator_set=scorecard,
        agency=agency,
        name="Initial health assessments in 20 days",
        target=Decimal(90),
        tolerance=Decimal(5),
    )
    late = IndicatorFactory(
        indicator_set=scorecard,
        agency=agency,
        name="Re-referrals within 12 months",
        polarity="lower",
        target=Decimal(20),
        tolerance=Decimal(3),
    )
    for quarter, value in ((1, "86"), (2, "90")):
        IndicatorValueFactory(indicator=good, year=2025, quarter=quarter, value=Decimal(value))
    IndicatorValueFactory(indicator=late, year=2025, quarter=1, value=Decimal("23.01"))
    client.force_login(bu_user)
    response = client.get(reverse("performance:scorecard", args=[scorecard.uuid]))
    text = body(response)
    assert "Q2 2025/26" in text  # the last quarter ended
    assert "Green: on target" in text and "Red: beyond tolerance" in text
    assert "1 green, 0 amber, 1 red of 2 indicators" in text
    missing = text.split('data-testid="missing-returns"')[1].split("</ul>")[0]
    assert "Re-referrals within 12 months" in missing
    assert "Initial health assessments" not in missing
    # The sparkline is SVG with a text alternative naming each quarter's value.
    assert "<svg" in text and "Q1 2025/26: 86%; Q2 2025/26: 90%" in text
    older = client.get(
        reverse("performance:scorecard", args=[scorecard.uuid]), {"year": 2025, "quarter": 1}
    )
    assert "0 green, 1 amber, 1 red of 2 indicators" in body(older)


@time_machine.travel(TODAY)
def test_a_quarter_not_offered_is_said_not_applied_and_the_last_ended_is_shown(
    client, bu_user, scorecard
):
    IndicatorFactory(indicator_set=scorecard)
    client.force_login(bu_user)
    url = reverse("performance:scorecard", args=[scorecard.uuid])
    for query, ignored in (
        ({"year": 2025, "quarter": 9}, "the quarter “9”"),
        ({"year": 1990, "quarter": 1}, "the financial year “1990”"),
    ):
        response = client.get(url, query)
        assert response.context["card"]["quarter"] == 2, query  # the last quarter ended
        assert f"Not applied, as it is not offered to you: {ignored}." in body(response)
        assert response.context["form"].initial == {"year": 2025, "quarter": 2}
    assert 'data-testid="choice-ignored"' not in body(client.get(url, {"year": 2025, "quarter": 1}))


@time_machine.travel(TODAY)
def test_the_scorecard_runs_the_same_queries_for_2_or_40_indicators_over_8_quarters(
    client, bu_user, scorecard, agency, count_queries, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            indicator = IndicatorFactory(indicator_set=scorecard, agency=agency)
            for index in range(8):
                year, quarter = divmod(2023 * 4 + 2 + index, 4)
                IndicatorValueFactory(indicator=indicator, year=year, quarter=quarter + 1)

    client.force_login(bu_user)
    url = reverse("performance:scorecard", args=[scorecard.uuid])
    grow(2)
    small = count_queries(url)
    grow(38)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert body(response).count('data-testid="scorecard-row"') == 40
    for name in ("performance:scorecard-csv", "performance:scorecard-xlsx"):
        assert client.get(reverse(name, args=[scorecard.uuid])).status_code == 200


@time_machine.travel(TODAY)
def test_the_scorecard_exports_as_csv(client, bu_user, scorecard, agency):
    indicator = IndicatorFactory(indicator_set=scorecard, agency=agency, name="=Indicator")
    IndicatorValueFactory(indicator=indicator, year=2025, quarter=2, value=Decimal("84.5"))
    client.force_login(bu_user)
    response = client.get(
        reverse("performance:scorecard-csv", args=[scorecard.uuid]), {"year": 2025, "quarter": 2}
    )
    text = response.getvalue().decode("utf-8-sig")
    assert "'=Indicator,West Mercia Police" in text  # a formula is written as text
    assert "84.50" in text and "Beyond tolerance" in text


@time_machine.travel(TODAY)
def test_an_agency_lead_submits_a_value_through_the_page(client, agency_user, scorecard):
    indicator = IndicatorFactory(indicator_set=scorecard, agency=agency_user.agency)
    client.force_login(agency_user)
    url = reverse("performance:submit", args=[indicator.uuid])
    form = client.get(url, {"year": 2025, "quarter": 1})
    assert form.status_code == 200
    response = client.post(
        url, {"year": 2025, "quarter": 2, "value": "92.5", "commentary": "Stable."}
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get()
    assert (value.year, value.quarter, value.value, value.submitted_by) == (
        2025,
        2,
        Decimal("92.50"),
        agency_user,
    )
    refused = client.post(url, {"year": 2025, "quarter": 3, "value": "50"})
    assert refused.status_code == 400
    assert "has not ended yet" in body(refused)
    assert IndicatorValue.objects.count() == 1


def test_an_agency_lead_cannot_open_or_submit_another_agencys_indicator(
    client, agency_user, other_agency, scorecard
):
    theirs = IndicatorFactory(indicator_set=scorecard, agency=other_agency)
    client.force_login(agency_user)
    url = reverse("performance:submit", args=[theirs.uuid])
    assert client.post(url, {"year": 2024, "quarter": 1, "value": "1"}).status_code == 404
    assert client.get(reverse("performance:indicator", args=[theirs.uuid])).status_code == 404
    assert not IndicatorValue.objects.exists()


def test_an_executive_reads_but_does_not_submit(client, executive_user, agency, scorecard):
    indicator = IndicatorFactory(indicator_set=scorecard, agency=agency)
    client.force_login(executive_user)
    assert client.get(reverse("performance:indicator", args=[indicator.uuid])).status_code == 200
    url = reverse("performance:submit", args=[indicator.uuid])
    assert client.post(url, {"year": 2024, "quarter": 1, "value": "1"}).status_code == 403
    assert client.get(reverse("performance:upload")).status_code == 403


@time_machine.travel(TODAY)
def test_an_upload_with_a_bad_row_says_which_and_stores_nothing(client, agency_user, scorecard):
    IndicatorFactory(indicator_set=scorecard, agency=agency_user.agency, name="Visits on time")
    client.force_login(agency_user)
    text = (
        "indicator,financial year,quarter,value,commentary\r\n"
        "Visits on time,2025,1,80,\r\n"
        "Visits on time,2025,2,lots,\r\n"
    )
    response = client.post(
        reverse("performance:upload"),
        {"agency": agency_user.agency.pk, "file": SimpleUploadedFile("v.csv", text.encode())},
    )
    assert response.status_code == 400
    assert "Row 3: the value “lots” is not a number." in body(response)
    assert not IndicatorValue.objects.exists()
    template = client.get(reverse("performance:template"))
    assert template.content.decode("utf-8-sig").startswith(
        "indicator,financial year,quarter,value,commentary"
    )


@time_machine.travel(TODAY)
def test_the_template_gives_a_lead_a_row_for_each_of_their_own_agencys_indicators(
    client, agency_user, other_agency, scorecard, bu_user
):
    """Laid out as the template shows and filled in, the file is one the lead's agency may
    upload: it names none of another agency's indicators (which the upload refuses)."""
    agency = agency_user.agency
    IndicatorFactory(indicator_set=scorecard, agency=agency, name="Visits on time")
    IndicatorFactory(indicator_set=scorecard, agency=agency, name="Old measure", is_active=False)
    IndicatorFactory(indicator_set=scorecard, agency=other_agency, name="Re-referrals in 12 months")
    client.force_login(agency_user)
    text = client.get(reverse("performance:template")).content.decode("utf-8-sig")
    assert text.splitlines() == [
        "indicator,financial year,quarter,value,commentary",
        '"Visits on time","2025","Q2","",""',
    ]
    filled = text.replace('"Q2","",""', '"Q2","80","Seen within a day"')
    response = client.post(
        reverse("performance:upload"),
        {"agency": agency.pk, "file": SimpleUploadedFile("v.csv", filled.encode())},
    )
    assert response.status_code == 302
    stored = IndicatorValue.objects.get()
    assert (stored.indicator.name, stored.year, stored.quarter, stored.value) == (
        "Visits on time",
        2025,
        2,
        Decimal("80"),
    )
    # The Business Unit returns any agency's values: its example names none of them.
    client.force_login(bu_user)
    text = client.get(reverse("performance:template")).content.decode("utf-8-sig")
    assert "Visits on time" not in text and "Re-referrals" not in text
    assert f'"{services.TEMPLATE_EXAMPLE[0]}"' in text


@time_machine.travel(TODAY)
def test_my_agency_lists_the_values_due_with_a_link(client, agency_user, scorecard):
    indicator = IndicatorFactory(
        indicator_set=scorecard, agency=agency_user.agency, name="Strategy discussions in 1 day"
    )
    client.force_login(agency_user)
    text = body(client.get(reverse("learning:my_agency")))
    due = text.split('data-testid="performance-due"')[1]
    assert "Strategy discussions in 1 day" in due and "Q2 2025/26" in due
    assert reverse("performance:submit", args=[indicator.uuid]) + "?year=2025&quarter=2" in due


@time_machine.travel(TODAY)
def test_the_leads_home_page_names_the_values_overdue(client, agency_user, other_agency, scorecard):
    """Q2 2025/26's values were due by 30 October: on 10 November the lead's home page says
    which of their agency's are overdue, and neither a returned one nor another agency's."""
    overdue = IndicatorFactory(indicator_set=scorecard, agency=agency_user.agency, name="Overdue")
    returned = IndicatorFactory(indicator_set=scorecard, agency=agency_user.agency, name="Returned")
    IndicatorValueFactory(indicator=returned, year=2025, quarter=2)
    IndicatorFactory(indicator_set=scorecard, agency=other_agency, name="Theirs")
    client.force_login(agency_user)
    text = body(client.get(reverse("home")))
    late = text.split("Overdue or late")[1]
    assert "Overdue: Q2 2025/26 value overdue" in late
    assert reverse("performance:submit", args=[overdue.uuid]) in late
    assert "Returned:" not in text and "Theirs" not in text


def test_a_performance_check_shows_the_indicators_it_relies_on(client, bu_user, agency, scorecard):
    indicator = IndicatorFactory(indicator_set=scorecard, agency=agency, name="Re-referrals")
    outcome = OutcomeFactory()
    check = CheckFactory(outcome=outcome, agency=agency, way=PracticeCheck.Way.PERFORMANCE)
    check.indicators.set([indicator])
    client.force_login(bu_user)
    text = body(client.get(outcome.get_absolute_url()))
    shown = text.split('data-testid="check-indicators"')[1]
    assert "Re-referrals" in shown and indicator.get_absolute_url() in shown


def test_a_training_evaluation_cannot_rely_on_indicators(client, bu_user, agency, scorecard):
    indicator = IndicatorFactory(indicator_set=scorecard, agency=agency)
    outcome = OutcomeFactory()
    client.force_login(bu_user)
    response = client.post(
        reverse("learning:check_new", args=[outcome.uuid]),
        {
            "way": "single_agency_audit",
            "agency": agency.pk,
            "indicators": [indicator.pk],
            "result": "pending",
        },
    )
    assert response.status_code == 400
    assert "Only a performance framework check relies on indicators." in body(response)
    response = client.post(
        reverse("learning:check_new", args=[outcome.uuid]),
        {
            "way": "performance",
            "agency": agency.pk,
            "indicators": [indicator.pk],
            "result": "pending",
        },
    )
    assert response.status_code == 302
    assert list(PracticeCheck.objects.get().indicators.all()) == [indicator]


def test_evidence_cites_a_scorecard_quarter_and_links_to_it(client, bu_user, scorecard, agency):
    IndicatorFactory(indicator_set=scorecard, agency=agency)
    outcome = OutcomeFactory()
    client.force_login(bu_user)
    response = client.post(
        reverse("learning:evidence_new", args=[outcome.uuid]),
        {
            "way": "performance_data",
            "title": "Q2 scorecard",
            "scorecard": scorecard.pk,
            "scorecard_year": "2025",
            "scorecard_quarter": "2",
        },
    )
    assert response.status_code == 302, body(response)
    evidence = AssuranceEvidence.objects.get()
    text = body(client.get(evidence.get_absolute_url()))
    cited = text.split('data-testid="scorecard-cited"')[1]
    link = reverse("performance:scorecard", args=[scorecard.uuid]) + "?year=2025&quarter=2"
    assert link in cited and "Q2 2025/26" in cited
    refused = client.post(
        reverse("learning:evidence_new", args=[outcome.uuid]),
        {
            "way": "agency_report",
            "title": "Report",
            "scorecard": scorecard.pk,
            "scorecard_year": "2025",
            "scorecard_quarter": "2",
        },
    )
    assert refused.status_code == 400
    assert "Only QAP performance data cites a scorecard quarter." in body(refused)
    assert AssuranceEvidence.objects.count() == 1


@time_machine.travel(TODAY)
def test_the_qap_report_carries_the_scorecard(client, bu_user, scorecard, agency):
    indicator = IndicatorFactory(indicator_set=scorecard, agency=agency, name="Visits on time")
    IndicatorValueFactory(indicator=indicator, year=2025, quarter=1, value=Decimal(95))
    client.force_login(bu_user)
    text = body(client.get(reverse("dashboard:report", args=["qap"]), {"year": 2025, "quarter": 1}))
    assert "Visits on time" in text and "Green: on target" in text
    assert reverse("performance:scorecard-xlsx", args=[scorecard.uuid]) in text


def test_the_audits_page_links_the_framework(client, bu_user, agency_user, make_user):
    for user, shown in (
        (bu_user, True),
        (agency_user, True),
        (make_user(role="independent_reviewer", username="r"), False),
    ):
        client.force_login(user)
        assert (
            'data-testid="performance-link"' in body(client.get(reverse("audits:list")))
        ) == shown


@time_machine.travel(TODAY)
@pytest.mark.parametrize("page_name", ["index", "indicator", "my_agency", "home"])
def test_the_framework_pages_run_the_same_queries_for_2_or_30_indicators(
    client, agency_user, scorecard, count_queries, django_assert_max_num_queries, page_name
):
    first = IndicatorFactory(indicator_set=scorecard, agency=agency_user.agency)

    def grow(n):
        for _ in range(n):
            indicator = IndicatorFactory(indicator_set=scorecard, agency=agency_user.agency)
            IndicatorValueFactory(indicator=indicator, year=2025, quarter=1)
            IndicatorValueFactory(indicator=first, year=2020 + len(first.values.all()), quarter=2)

    url = {
        "index": reverse("performance:index"),
        "indicator": reverse("performance:indicator", args=[first.uuid]),
        "my_agency": reverse("learning:my_agency"),
        "home": reverse("home"),
    }[page_name]
    client.force_login(agency_user)
    grow(1)
    small = count_queries(url)
    grow(29)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


@time_machine.travel("2026-12-07")
def test_a_value_not_yet_due_is_not_missing_and_an_earlier_late_one_is(
    client, bu_user, scorecard, agency
):
    """The QAP report opens on the quarter running: its values are not due until 30 days after
    it ends, while a quarter before it whose date has passed is late."""
    late = IndicatorFactory(indicator_set=scorecard, agency=agency, name="Re-referrals")
    on_time = IndicatorFactory(indicator_set=scorecard, agency=agency, name="Visits on time")
    # Added in Q2 2026/27: values are asked for from Q1.
    Indicator.objects.update(created_at=datetime.datetime(2026, 7, 15, tzinfo=datetime.UTC))
    IndicatorValueFactory(indicator=late, year=2026, quarter=1, value=Decimal(91))
    for quarter in (1, 2):
        IndicatorValueFactory(indicator=on_time, year=2026, quarter=quarter, value=Decimal(95))
    client.force_login(bu_user)
    url = reverse("performance:scorecard", args=[scorecard.uuid])
    text = body(client.get(url, {"year": 2026, "quarter": 3}))
    assert "Missing" not in text
    assert text.count("Not due yet: due by 30 Jan 2027") == 2
    assert "Values for Q3 2026/27 are due by 30 January 2027: until then none is missing." in text
    missing = text.split('data-testid="missing-returns"')[1].split("</ul>")[0]
    assert "Re-referrals</a> — West Mercia Police: Q2 2026/27 (due by 30 Oct 2026)" in missing
    assert "Visits on time" not in missing

    # Q2's own scorecard: its date has passed, so the value not returned is missing.
    text = body(client.get(url, {"year": 2026, "quarter": 2}))
    states = [
        cell.split(">", 1)[1].split("</td>")[0]
        for cell in text.split('data-testid="return-state"')[1:]
    ]
    assert states == [
        '<span class="badge text-bg-danger">Missing</span>',
        "Returned",
    ]
    csv = client.get(
        reverse("performance:scorecard-csv", args=[scorecard.uuid]), {"year": 2026, "quarter": 3}
    ).getvalue()
    assert csv.decode("utf-8-sig").count("Not due yet") == 2


@time_machine.travel(TODAY)
def test_a_corrected_value_shows_what_it_held_before(client, agency_user, scorecard):
    indicator = IndicatorFactory(indicator_set=scorecard, agency=agency_user.agency)
    for value, commentary in (("88", "First count."), ("90", "Recounted after cleansing.")):
        services.indicator_value_submit(
            indicator=indicator,
            by=agency_user,
            year=2025,
            quarter=2,
            value=Decimal(value),
            commentary=commentary,
        )
    client.force_login(agency_user)
    text = body(client.get(reverse("performance:indicator", args=[indicator.uuid])))
    earlier = text.split('data-testid="earlier-versions"')[1].split("</td>")[0]
    assert "Q2 2025/26 before it was corrected: 88% (“First count.”), returned 10 Nov 2025" in (
        earlier
    )
    assert "90%" not in earlier
    form = body(client.get(reverse("performance:submit", args=[indicator.uuid])))
    assert "the old one is listed under it on the indicator's page" in form


@time_machine.travel(TODAY)
def test_the_indicator_page_runs_the_same_queries_for_2_or_20_corrected_values(
    client, agency_user, scorecard, count_queries, django_assert_max_num_queries
):
    indicator = IndicatorFactory(indicator_set=scorecard, agency=agency_user.agency)

    def correct(years):
        for year in years:
            for value in ("50", "60", "70"):
                IndicatorValue.objects.update_or_create(
                    indicator=indicator,
                    year=year,
                    quarter=1,
                    defaults={"value": Decimal(value), "submitted_by": agency_user},
                )

    client.force_login(agency_user)
    url = reverse("performance:indicator", args=[indicator.uuid])
    correct(range(2015, 2017))
    small = count_queries(url)
    correct(range(2017, 2025))
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert body(response).count('data-testid="earlier-versions"') == 10


def test_a_lead_whose_agency_has_no_indicators_is_told_so(client, agency_user):
    client.force_login(agency_user)
    text = body(client.get(reverse("performance:index")))
    assert "No indicators ask your agency for values yet" in text
    assert "Every value due has been returned" not in text
