"""Reports by reporting line: who may read each, and what each says for its period."""

from html import unescape

import pytest
from django.urls import reverse

from audits.tests.factories import AuditFactory
from learning.tests.factories import FindingFactory
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory, SubGroupMembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dashboard_day")]
LINES = ["qap", "cdop", "education", "li"]


@pytest.mark.parametrize("line", LINES)
def test_executive_reads_every_report(client, executive_user, data, line):
    client.force_login(executive_user)
    response = client.get(reverse("dashboard:report", args=[line]), {"year": 2025})
    assert response.status_code == 200
    assert "Print this page" in response.content.decode()


@pytest.mark.parametrize("line", LINES)
def test_agency_lead_and_reviewer_are_refused(client, agency_user, reviewer_user, line):
    for user in (agency_user, reviewer_user):
        client.force_login(user)
        assert client.get(reverse("dashboard:report", args=[line])).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(reverse("dashboard:report", args=["qap"])).status_code == 302


def test_unknown_report_is_not_found(client, executive_user):
    client.force_login(executive_user)
    assert client.get(reverse("dashboard:report", args=["nope"])).status_code == 404


def test_member_reads_only_their_sub_groups_reports(client, member_user, data):
    SubGroupMembershipFactory(subgroup=data["li"], user=member_user)
    client.force_login(member_user)
    assert client.get(reverse("dashboard:report", args=["li"])).status_code == 200
    assert client.get(reverse("dashboard:report", args=["qap"])).status_code == 403
    body = client.get(reverse("dashboard:reports")).content.decode()
    assert "Learning and Improvement sub-group report" in body
    assert "QAP quarterly report" not in body


def test_qap_report_is_quarterly_with_audits_findings_and_section_11(client, executive_user, data):
    qap = SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE)
    in_q2 = AuditFactory(lead_subgroup=qap, title="Neglect themed audit")
    FindingFactory(audit=in_q2, review=None, subgroup=qap, title="Neglect not recognised early")
    client.force_login(executive_user)
    body = unescape(
        client.get(
            reverse("dashboard:report", args=["qap"]), {"year": 2025, "quarter": 2}
        ).content.decode()
    )
    assert "Quarter 2 of 2025/26" in body
    assert "Neglect themed audit" in body and "Neglect not recognised early" in body
    assert " — Identified</li>" in body  # how far round the loop the finding has come
    assert "Section 11 audit 2025/26" in body
    assert "West Mercia Police" in body or "Police" in body  # the heat map's rows
    q4 = unescape(
        client.get(
            reverse("dashboard:report", args=["qap"]), {"year": 2025, "quarter": 4}
        ).content.decode()
    )
    assert "Neglect themed audit" not in q4  # its audit period ended in September


def test_qap_report_opens_on_this_quarter(client, executive_user, data):
    client.force_login(executive_user)
    response = client.get(reverse("dashboard:report", args=["qap"]))
    assert response.context["period"].label == "Quarter 4 of 2025/26"


def test_a_period_not_offered_keeps_the_other_choice_and_says_which_was_not_applied(
    client, executive_user, data
):
    """A year not offered beside a valid quarter keeps the quarter (of this year), and a quarter
    not offered keeps the year; the page says which was not applied, and so does nothing else."""
    client.force_login(executive_user)
    url = reverse("dashboard:report", args=["qap"])
    for query, label, ignored in (
        ({"year": 1990, "quarter": 2}, "Quarter 2 of 2025/26", "the financial year “1990”"),
        ({"year": 2024, "quarter": 7}, "2024/25", "the quarter “7”"),
    ):
        response = client.get(url, query)
        assert response.context["period"].label == label, query
        assert f"Not applied, as it is not offered to you: {ignored}." in unescape(
            response.content.decode()
        )
    assert 'data-testid="choice-ignored"' not in client.get(url, {"year": 2024}).content.decode()


def test_cdop_report_counts_child_death_reviews(client, bu_user, data):
    client.force_login(bu_user)
    response = client.get(reverse("dashboard:report", args=["cdop"]), {"year": 2025})
    headline = {row["label"]: row for row in response.context["report"]["annual"]["headline"]}
    # One death notified (R4, restricted: counted, never named), none reviewed: "<5", not 1.
    assert headline["Deaths notified in the year"]["this"].value == 1
    assert headline["Deaths notified in the year"]["this"].shown == "<5"
    assert headline["Deaths reviewed by the panel in the year"]["this"].shown == "0"


def test_education_report_shows_the_section_175_cycle_of_its_year(client, executive_user, data):
    client.force_login(executive_user)
    body = client.get(reverse("dashboard:report", args=["education"]), {"year": 2024})
    assert "Section 175 audit 2024/25" in body.content.decode()
    body = client.get(reverse("dashboard:report", args=["education"]), {"year": 2025})
    assert "No Section 175/157 cycle for this year" in body.content.decode()


def test_li_report_covers_the_sub_groups_loop(client, executive_user, data):
    client.force_login(executive_user)
    response = client.get(reverse("dashboard:report", args=["li"]), {"year": 2025})
    report = response.context["report"]
    assert report["reviews"]["started"].value == 1  # R2; R4 is the panel's
    assert report["delivery"]["reach"] == 40
    assert report["assurance"]["totals"]["assured"].value == 1
    assert "T5 assured" in response.content.decode()
    assert "<td>Assured</td>" in response.content.decode()  # its loop stage, named


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/annual-report/?year=2025",
        "/dashboard/export.csv?year=2025",
        "/dashboard/reports/qap/?year=2025",
        "/dashboard/reports/cdop/?year=2025",
        "/dashboard/reports/education/?year=2025",
        "/dashboard/reports/li/?year=2025",
    ],
)
def test_reports_run_the_same_queries_for_2_or_50_records(
    client, executive_user, count_queries, django_assert_max_num_queries, url
):
    from learning.tests.test_dashboard import _populate

    client.force_login(executive_user)
    _populate(2)
    small = count_queries(url)
    _populate(48)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


def _listed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page_obj"].paginator.count


def test_a_reports_outcomes_agreed_and_child_death_actions_open_exactly_their_rows(
    client, bu_user, data
):
    client.force_login(bu_user)
    li = client.get(reverse("dashboard:report", args=["li"]), {"year": 2025}).context["report"]
    agreed = li["outcomes_agreed"]
    assert agreed.value == 1 and _listed(client, agreed.url) == 1  # T2's; not 2023/24's
    cdop = client.get(reverse("dashboard:report", args=["cdop"]), {"year": 2025}).context["report"]
    assert _listed(client, cdop["actions_url"]) == cdop["actions"]["due"]
    # Review actions fall due in the year: a link that ignored the kind of review would list them.
    assert _listed(client, reverse("learning:actions") + "?source=review&financial_year=2025") > 0


def test_completed_on_time_says_what_it_is_a_share_of_on_every_page(client, executive_user, data):
    """33% is 1 of the 3 actions whose due date has passed or that are done, not of those due
    in the year (fr #5): the dashboard, the annual report and the L&I report say so alike."""
    client.force_login(executive_user)
    said = "33% of the 3 whose due date has passed or that are done"
    for url in (reverse("dashboard:annual-report"), reverse("dashboard:report", args=["li"])):
        assert said in unescape(client.get(url, {"year": 2025}).content.decode()), url
    page = unescape(client.get(reverse("dashboard:index"), {"year": 2025}).content.decode())
    assert "completed on time, of the 3 whose due date has passed or that are done" in page
