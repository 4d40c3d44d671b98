"""An audit comes before the body it reports to (``Audit.reports_to``), on its agenda and in its
report by reporting line, whoever leads it: the framework routes deep-dive audits to the Board
"via Learning and Improvement sub-group", and a body's agenda is its own sub-group's work only."""

import datetime
from html import unescape

import pytest
from django.urls import reverse

from audits.models import Audit
from audits.tests.factories import AuditFactory
from learning.meetings import agenda
from learning.meetings.models import AgendaItem
from learning.meetings.tests.factories import MeetingFactory
from learning.tests.factories import FindingFactory
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory

pytestmark = pytest.mark.django_db

Subject = AgendaItem.Subject
D = datetime.date


@pytest.fixture
def groups(db):
    return {
        "li": SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT),
        "qap": SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE),
        "crp": SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL),
    }


def _audit(kind, lead, reports_to, title, stage=Audit.Stage.REPORTING, **fields):
    return AuditFactory(
        kind=kind,
        lead_subgroup=lead,
        reports_to=reports_to,
        title=title,
        stage=stage,
        reference=f"{Audit.REFERENCE_PREFIX[kind]}-2025-{AuditFactory._meta.next_sequence():03d}",
        **fields,
    )


def _audits_offered(user, body):
    return {
        (p.subject, p.record.title)
        for p in agenda.proposals(user, MeetingFactory(body=body))
        if p.subject in (Subject.AUDIT, Subject.SINGLE_AGENCY_AUDIT)
    }


def test_each_body_is_offered_the_audits_reported_to_it_and_no_others(bu_user, groups):
    li, qap = groups["li"], groups["qap"]
    _audit(Audit.Kind.DEEP_DIVE, li, li, "Deep dive: neglect of a baby")
    # Led by QAP, reported to L&I (as the demo's case file audit): L&I's.
    _audit(Audit.Kind.CASE_FILE, qap, li, "Domestic abuse case files")
    _audit(Audit.Kind.THEMED, qap, qap, "Themed: neglect under fives")
    _audit(Audit.Kind.SINGLE_AGENCY, qap, qap, "Police single agency", Audit.Stage.IN_PROGRESS)
    _audit(Audit.Kind.THEMED, li, li, "Not yet reporting", Audit.Stage.IN_PROGRESS)
    _audit(Audit.Kind.DEEP_DIVE, li, li, "Already complete", Audit.Stage.COMPLETE)
    assert _audits_offered(bu_user, li) == {
        (Subject.AUDIT, "Deep dive: neglect of a baby"),
        (Subject.AUDIT, "Domestic abuse case files"),
    }
    assert _audits_offered(bu_user, qap) == {
        (Subject.AUDIT, "Themed: neglect under fives"),
        (Subject.SINGLE_AGENCY_AUDIT, "Police single agency"),
    }
    assert _audits_offered(bu_user, groups["crp"]) == set()


def test_an_audit_on_the_agenda_of_the_body_it_reports_to_is_marked_there(bu_user, groups):
    li = groups["li"]
    audit = _audit(Audit.Kind.DEEP_DIVE, li, li, "Deep dive: neglect of a baby")
    meeting = MeetingFactory(body=li)
    AgendaItem.objects.create(
        meeting=meeting, position=1, subject=Subject.AUDIT, title="Deep dive", audit=audit
    )
    [proposal] = [p for p in agenda.proposals(bu_user, meeting) if p.record == audit]
    assert proposal.on_agenda


def test_the_agenda_reads_the_audits_in_one_query_however_many(
    bu_user, groups, django_assert_num_queries
):
    li = groups["li"]
    meeting = MeetingFactory(body=li)
    _audit(Audit.Kind.DEEP_DIVE, li, li, "First deep dive")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert len(agenda.proposals(bu_user, meeting)) == 1
    for n in range(6):
        _audit(Audit.Kind.DEEP_DIVE, li, li, f"Deep dive {n}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(agenda.proposals(bu_user, meeting)) == 7


# The reports by reporting line -------------------------------------------------------------


def _report(client, line, **query):
    response = client.get(reverse("dashboard:report", args=[line]), query)
    assert response.status_code == 200
    return response, unescape(response.content.decode())


@pytest.mark.usefixtures("dashboard_day")
def test_the_li_report_lists_the_audits_reported_to_li_and_qaps_only_its_own(
    client, executive_user, data
):
    li = data["li"]
    qap = SubGroup.objects.get(code=SubGroup.Code.QUALITY_ASSURANCE)
    period = {"period_start": D(2025, 6, 1), "period_end": D(2025, 11, 30)}
    deep_dive = _audit(Audit.Kind.DEEP_DIVE, li, li, "Deep dive: neglect of a baby", **period)
    FindingFactory(audit=deep_dive, review=None, subgroup=li, title="Health visits missed")
    case_file = _audit(Audit.Kind.CASE_FILE, qap, li, "Domestic abuse case files", **period)
    themed = _audit(Audit.Kind.THEMED, qap, qap, "Themed: neglect under fives", **period)
    client.force_login(executive_user)

    response, li_page = _report(client, "li", year=2025)
    assert {a.pk for a in response.context["report"]["audits"]} == {deep_dive.pk, case_file.pk}
    assert deep_dive.reference in li_page and "Deep dive: neglect of a baby" in li_page
    assert "Domestic abuse case files" in li_page
    assert "Health visits missed" in li_page  # what the audit found
    assert "Themed: neglect under fives" not in li_page
    assert f'href="{reverse("audits:detail", args=[deep_dive.uuid])}"' in li_page

    response, qap_page = _report(client, "qap", year=2025)
    assert [a.pk for a in response.context["report"]["audits"]] == [themed.pk]
    assert "Deep dive: neglect of a baby" not in qap_page
    assert "Domestic abuse case files" not in qap_page  # led by QAP, reported to L&I

    _, last_year = _report(client, "li", year=2024)
    assert "Deep dive: neglect of a baby" not in last_year
    assert "No audit reported to the Learning and Improvement sub-group covers" in last_year


@pytest.mark.usefixtures("dashboard_day")
def test_the_li_report_runs_the_same_queries_for_one_audit_or_many(
    client, executive_user, data, count_queries, django_assert_num_queries
):
    li = data["li"]
    period = {"period_start": D(2025, 6, 1), "period_end": D(2025, 11, 30)}
    first = _audit(Audit.Kind.DEEP_DIVE, li, li, "Deep dive 0", **period)
    FindingFactory(audit=first, review=None, subgroup=li)
    client.force_login(executive_user)
    url = reverse("dashboard:report", args=["li"]) + "?year=2025"
    count_queries(url)  # the first page after signing in also saves the session
    few = count_queries(url)
    for n in range(1, 8):
        audit = _audit(Audit.Kind.DEEP_DIVE, li, li, f"Deep dive {n}", **period)
        FindingFactory(audit=audit, review=None, subgroup=li)
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(response.context["report"]["audits"]) == 8
