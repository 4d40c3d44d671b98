import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learning.models import Action, Finding
from learning.tests.factories import ThemeFactory
from sscb import sending
from sscb.dates import say
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory, SubGroupMembershipFactory
from sscb.tests.posting import from_page
from sscb.tests.reading import history_entries

from .. import services
from ..models import Inspection, Recommendation
from .factories import InspectionFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def body(response):
    return unescape(response.content.decode())


def in_days(n):
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def test_the_business_unit_adds_an_inspection_with_a_reference_from_its_kind(client, bu_user):
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    agency = AgencyFactory()
    client.force_login(bu_user)
    response = client.post(
        reverse("scrutiny:create"),
        {
            "kind": "ilacs",
            "title": "ILACS standard inspection",
            "carried_out_by": "Ofsted",
            "started_on": "2025-03-03",
            "reported_on": "2025-04-10",
            "scope": "Children's services in full.",
            "judgement": "Good",
            "agencies": [agency.pk],
            "subgroup": li.pk,
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert inspection.reference == "ILACS-2025-1"
    assert list(inspection.agencies.all()) == [agency]
    assert inspection.history.exists()


def test_a_report_cannot_come_out_before_the_inspection(client, bu_user):
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    client.force_login(bu_user)
    response = client.post(
        reverse("scrutiny:create"),
        {
            "kind": "cqc",
            "title": "CQC review of health services for looked after children",
            "started_on": "2025-03-03",
            "reported_on": "2025-02-01",
            "scope": "Health services.",
            "subgroup": li.pk,
        },
    )
    assert response.status_code == 400
    assert "cannot be before the date it took place" in body(response)
    assert not Inspection.objects.exists()


def test_recommendations_are_numbered_in_the_order_they_are_added(client, bu_user):
    inspection = InspectionFactory()
    client.force_login(bu_user)
    url = reverse("scrutiny:recommendation-add", args=[inspection.uuid])
    for text in ("Improve the front door.", "Hear the child's voice."):
        assert client.post(url, {"text": text, "agency": ""}).status_code == 302
    assert list(inspection.recommendations.values_list("number", "text")) == [
        (1, "Improve the front door."),
        (2, "Hear the child's voice."),
    ]


def test_members_read_the_register_but_only_the_business_unit_keeps_it(client, member_user):
    inspection = InspectionFactory()
    client.force_login(member_user)
    assert client.get(reverse("scrutiny:list")).status_code == 200
    assert client.get(inspection.get_absolute_url()).status_code == 200
    assert client.get(reverse("scrutiny:create")).status_code == 403
    assert client.get(reverse("scrutiny:edit", args=[inspection.uuid])).status_code == 403


def test_agency_leads_and_reviewers_do_not_read_the_register(client, agency_user, reviewer_user):
    inspection = InspectionFactory()
    for user in (agency_user, reviewer_user):
        client.force_login(user)
        assert client.get(reverse("scrutiny:list")).status_code == 403
        assert client.get(inspection.get_absolute_url()).status_code == 404


def test_a_recommendation_becomes_a_finding_in_one_step_and_only_once(client, bu_user):
    agency = AgencyFactory()
    recommendation = RecommendationFactory(agency=agency, text="Share information sooner.")
    client.force_login(bu_user)
    url = reverse(
        "scrutiny:recommendation-finding",
        args=[recommendation.inspection.uuid, recommendation.uuid],
    )
    response = client.post(url)
    finding = Finding.objects.get()
    assert response.status_code == 302 and response.url == finding.get_absolute_url()
    assert finding.source == Finding.Source.INSPECTION
    assert finding.recommendation == recommendation
    assert finding.subgroup == recommendation.inspection.subgroup
    assert list(finding.agencies.all()) == [agency]
    assert finding.detail == "Share information sooner."
    client.post(url)
    assert Finding.objects.count() == 1
    page = body(client.get(finding.get_absolute_url()))
    assert f"{recommendation.inspection.reference}" in page
    assert reverse("scrutiny:thread", args=[recommendation.inspection.uuid]) in page


def test_a_recommendation_turned_into_an_action_is_on_the_golden_thread(client, bu_user):
    agency = AgencyFactory(name="Shropshire Council", short_name="Council")
    recommendation = RecommendationFactory(text="Review the neglect strategy.")
    inspection = recommendation.inspection
    client.force_login(bu_user)
    response = client.post(
        reverse("scrutiny:recommendation-action", args=[inspection.uuid, recommendation.uuid]),
        {"owner_agency": agency.pk, "due_on": in_days(60)},
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.recommendation == recommendation
    assert action.owner_agency == agency
    assert action.subgroup == inspection.subgroup
    assert action.plan == f"inspection:{inspection.pk}" and action.number == 1
    assert action.reference == f"{inspection.reference}/1"

    with CaptureQueriesContext(connection) as queries:
        thread = body(client.get(reverse("scrutiny:thread", args=[inspection.uuid])))
    # The thread's actions are asked by the action's own key, not through the recommendation's
    # table (joined, the database read every action: 130 ms at scale 1).
    asked = [
        q["sql"].split(" WHERE ", 1)[1]
        for q in queries.captured_queries
        if 'FROM "learning_action"' in q["sql"] and " WHERE " in q["sql"]
    ]
    assert asked and not [where for where in asked if '"scrutiny_recommendation"' in where]
    assert f"Recommendation {recommendation.number}" in thread
    assert f"{inspection.reference}/1" in thread
    assert 'data-testid="thread-rec-action"' in thread
    assert f"{inspection.reference} action plan" in thread  # the actions table: what it answers
    detail = body(client.get(action.get_absolute_url()))
    assert reverse("scrutiny:thread", args=[inspection.uuid]) in detail


def test_an_action_from_a_finding_of_the_recommendation_is_on_the_thread_too(client, bu_user):
    recommendation = RecommendationFactory()
    theme = ThemeFactory()
    finding = services.recommendation_to_finding(recommendation=recommendation, by=bu_user)
    finding.theme = theme
    finding.save()
    client.force_login(bu_user)
    thread = body(client.get(reverse("scrutiny:thread", args=[recommendation.inspection.uuid])))
    assert finding.title in thread
    assert theme.title in thread


def test_a_refused_action_says_why_and_adds_nothing(client, bu_user):
    recommendation = RecommendationFactory()
    client.force_login(bu_user)
    response = client.post(
        reverse(
            "scrutiny:recommendation-action",
            args=[recommendation.inspection.uuid, recommendation.uuid],
        ),
        {"owner_agency": "", "due_on": in_days(-1)},
    )
    assert response.status_code == 400
    page = body(response)
    assert "Choose the agency that will own the action." in page
    assert "A new action cannot be due in the past." in page
    assert not Action.objects.exists()


def test_only_the_monitoring_sub_group_turns_recommendations_into_work(client, member_user):
    recommendation = RecommendationFactory()
    client.force_login(member_user)
    url = reverse(
        "scrutiny:recommendation-finding",
        args=[recommendation.inspection.uuid, recommendation.uuid],
    )
    assert client.post(url).status_code == 403
    SubGroupMembershipFactory(subgroup=recommendation.inspection.subgroup, user=member_user)
    assert client.post(url).status_code == 302
    assert Finding.objects.filter(recommendation=recommendation).exists()


def _grow(inspection, n, agency, by):
    for _ in range(n):
        recommendation = services.recommendation_save(
            inspection=inspection, text="Strengthen supervision.", agency=agency
        )
        finding = services.recommendation_to_finding(recommendation=recommendation, by=by)
        finding.theme = ThemeFactory()
        finding.save()
        services.recommendation_to_action(
            recommendation=recommendation,
            owner_agency=agency,
            due_on=timezone.localdate() + datetime.timedelta(days=30),
        )


@pytest.mark.parametrize("name", ["scrutiny:detail", "scrutiny:thread"])
def test_inspection_pages_run_the_same_queries_for_2_or_50_recommendations(
    client, bu_user, count_queries, django_assert_max_num_queries, name
):
    agency = AgencyFactory()
    inspection = InspectionFactory()
    client.force_login(bu_user)
    _grow(inspection, 2, agency, bu_user)
    url = reverse(name, args=[inspection.uuid])
    small = count_queries(url)
    _grow(inspection, 48, agency, bu_user)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert body(response).count("Strengthen supervision.") >= 50
    assert Recommendation.objects.count() == 50


def test_the_register_runs_the_same_queries_for_2_or_50_rows(
    client, bu_user, count_queries, django_assert_max_num_queries
):
    client.force_login(bu_user)
    subgroup = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    InspectionFactory.create_batch(2, subgroup=subgroup)
    url = reverse("scrutiny:list")
    small = count_queries(url)
    InspectionFactory.create_batch(48, subgroup=subgroup)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert body(response).count('data-testid="inspection-row"') == 25


def test_a_recommendation_made_an_action_twice_from_the_same_page_adds_one(client, bu_user):
    agency = AgencyFactory(name="Shropshire Council", short_name="Council")
    recommendation = RecommendationFactory(text="Review the neglect strategy.")
    inspection = recommendation.inspection
    client.force_login(bu_user)
    page = client.get(inspection.get_absolute_url()).content.decode()
    key = re.search(rf'name="{sending.ONCE}" value="([^"]+)"', page).group(1)
    url = reverse("scrutiny:recommendation-action", args=[inspection.uuid, recommendation.uuid])
    data = {"owner_agency": agency.pk, "due_on": in_days(60), sending.ONCE: key}

    assert client.post(url, data).status_code == 302
    again = client.post(url, data)

    assert Action.objects.count() == 1
    assert again.status_code == 400
    assert "This page had already been sent and was saved then" in body(again)


def test_an_action_due_too_far_ahead_names_the_field_and_keeps_what_was_typed(client, bu_user):
    agency = AgencyFactory(name="Shropshire Council", short_name="Council")
    recommendation = RecommendationFactory()
    client.force_login(bu_user)
    response = client.post(
        reverse(
            "scrutiny:recommendation-action",
            args=[recommendation.inspection.uuid, recommendation.uuid],
        ),
        {"owner_agency": agency.pk, "due_on": "2999-01-01"},
    )
    assert response.status_code == 400
    page = body(response)
    summary = re.search(r'data-testid="error-summary">(.*?)</div>', page, re.S).group(1)
    assert "Due on: The due date (1 January 2999) is too far ahead" in summary
    assert re.search(rf'<option value="{agency.pk}" selected>', page)
    assert 'value="2999-01-01"' in page
    assert not Action.objects.exists()


def test_a_refusal_by_the_action_itself_is_said_beside_the_form_with_what_was_typed(
    client, bu_user, monkeypatch
):
    """A rule of the action (not of this form) refuses it: the refusal is shown with the form,
    against the field it names, and nothing typed is lost."""
    from django.core.exceptions import ValidationError

    agency = AgencyFactory(name="Shropshire Council", short_name="Council")
    recommendation = RecommendationFactory()

    def refuse(**fields):
        raise ValidationError({"due_on": "Give a date between 1900 and 2100."})

    monkeypatch.setattr(services, "recommendation_to_action", refuse)
    client.force_login(bu_user)
    response = client.post(
        reverse(
            "scrutiny:recommendation-action",
            args=[recommendation.inspection.uuid, recommendation.uuid],
        ),
        {"owner_agency": agency.pk, "due_on": in_days(30)},
    )
    assert response.status_code == 400
    page = body(response)
    summary = re.search(r'data-testid="error-summary">(.*?)</div>', page, re.S).group(1)
    assert "Due on: Give a date between 1900 and 2100." in summary
    assert re.search(rf'<option value="{agency.pk}" selected>', page)
    assert f'value="{in_days(30)}"' in page


def test_the_register_holds_nothing_dated_before_2000_or_in_the_future(client, bu_user):
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    client.force_login(bu_user)
    for started_on, refusal in (
        (
            "1901-03-03",
            "The date (3 March 1901) cannot be before the earliest date the register "
            "holds (1 January 2000).",
        ),
        (in_days(1), "cannot be in the future"),
    ):
        response = client.post(
            reverse("scrutiny:create"),
            {
                "kind": "peer_review",
                "title": "Peer review of the front door",
                "started_on": started_on,
                "scope": "The front door.",
                "subgroup": li.pk,
            },
        )
        assert response.status_code == 400
        assert refusal in body(response)
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    "kind, words",
    [
        ("self_evaluation", "What the partnership's self-evaluation looked at"),
        ("cqc", "What the Care Quality Commission (CQC) inspection looked at"),
        ("hmip", "What the inspection by HM Inspectorate of Probation looked at"),
    ],
)
def test_an_inspection_page_names_its_kind_in_a_sentence_as_it_is_written(
    client, bu_user, kind, words
):
    inspection = InspectionFactory(kind=kind)
    client.force_login(bu_user)
    page = body(client.get(inspection.get_absolute_url()))
    assert words in page
    assert "the the" not in page.lower()


# History ---------------------------------------------------------------------------------------


def _history(response, testid="inspection-history") -> list[str]:
    return history_entries(response, testid)


def test_an_inspections_history_says_who_changed_it_and_its_recommendations(
    client, bu_user, member_user
):
    """Not the finding or the action a recommendation became: each has its own rule for who
    may see it."""
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    SubGroupMembershipFactory(subgroup=li, user=member_user)
    police = AgencyFactory(name="West Mercia Police")
    council = AgencyFactory(name="Shropshire Council")
    data = {
        "kind": "ilacs",
        "title": "ILACS standard inspection",
        "carried_out_by": "Ofsted",
        "started_on": "2025-03-03",
        "reported_on": "2025-04-10",
        "scope": "Children's services in full.",
        "judgement": "Good",
        "agencies": [police.pk],
        "subgroup": li.pk,
    }
    client.force_login(bu_user)
    client.post(reverse("scrutiny:create"), data)
    inspection = Inspection.objects.get()
    edit = reverse("scrutiny:edit", args=[inspection.uuid])
    changed = {"judgement": "Requires improvement to be good", "agencies": [police.pk, council.pk]}
    client.post(edit, data | changed)
    add = reverse("scrutiny:recommendation-add", args=[inspection.uuid])
    client.post(add, {"text": "Strengthen the front door.", "agency": ""})
    recommendation = inspection.recommendations.get()
    client.post(
        reverse("scrutiny:recommendation-edit", args=[inspection.uuid, recommendation.uuid]),
        {"text": "Strengthen the front door.", "agency": council.pk},
    )
    client.force_login(member_user)
    client.post(
        reverse("scrutiny:recommendation-finding", args=[inspection.uuid, recommendation.uuid])
    )
    client.post(
        reverse("scrutiny:recommendation-action", args=[inspection.uuid, recommendation.uuid]),
        {"owner_agency": police.pk, "due_on": in_days(60)},
    )
    finding, action = Finding.objects.get(), Action.objects.get()

    entries = _history(client.get(inspection.get_absolute_url()))
    # What was made of a recommendation, by whom: the action by its agency and due date.
    due = say(action.due_on)
    assert entries[0].endswith(
        f"{member_user}: recommendation (1): raised an action owned by {police}, due {due}"
    )
    assert entries[1].endswith(f"{member_user}: recommendation (1): made a finding of it")
    entries = entries[2:]
    assert entries[0].endswith(
        f"{bu_user}: recommendation (1): addressed to none → Shropshire Council"
    )
    assert entries[1].endswith(f"{bu_user}: recommendation (1): recorded it")
    both = ", ".join(sorted([str(police), str(council)]))
    assert entries[2].endswith(f"{bu_user}: agencies {police} → {both}")
    assert entries[3].endswith(f"{bu_user}: judgement Good → Requires improvement to be good")
    assert entries[4].endswith(f"{bu_user}: agencies none → {police}")  # first named
    assert entries[5].endswith(f"{bu_user}: recorded it") and len(entries) == 6
    said = " ".join(entries)
    assert finding.title not in said and action.reference not in said


def test_an_inspections_history_runs_the_same_queries_for_few_or_many_versions(
    client, bu_user, count_queries, django_assert_num_queries
):
    police, council = AgencyFactory(), AgencyFactory()
    inspection = InspectionFactory()

    def change(times):
        for n in range(times):
            services.inspection_save(inspection=inspection, judgement=f"Judgement {n}")
            recommendation = services.recommendation_save(
                inspection=inspection, text="Strengthen supervision.", agency=police
            )
            services.recommendation_save(
                recommendation=recommendation, text="Strengthen supervision.", agency=council
            )

    client.force_login(bu_user)
    change(1)
    url = inspection.get_absolute_url()
    count_queries(url)  # the first page after signing in also saves the session
    few = count_queries(url)
    change(30)
    with django_assert_num_queries(few):
        response = client.get(url)
    said = _history(response)
    assert len(said) == 20 and "addressed to" in said[0]
    assert "judgement Judgement 28 → Judgement 29" in " ".join(said)


def test_an_edit_keeps_the_archived_agencies_of_an_inspection_and_a_recommendation(client, bu_user):
    """An agency archived since stays inspected, and a recommendation addressed to it stays
    addressed to it rather than to the partnership as a whole; none archived is added."""
    police = AgencyFactory(name="West Mercia Police")
    archived = AgencyFactory(name="Education Access", is_active=False)
    closed = AgencyFactory(name="Closed Trust", is_active=False)
    inspection = InspectionFactory()
    inspection.agencies.set([police, archived])
    recommendation = RecommendationFactory(inspection=inspection, agency=archived)
    client.force_login(bu_user)
    url = reverse("scrutiny:edit", args=[inspection.uuid])
    html = client.get(url).content.decode()
    assert "Education Access (archived)" in unescape(html) and "Closed Trust" not in html
    assert client.post(url, from_page(html, title="JTAI: neglect")).status_code == 302
    assert set(inspection.agencies.all()) == {police, archived}
    refused = client.post(url, from_page(html, agencies=[str(police.pk), str(closed.pk)]))
    assert refused.status_code == 400
    assert set(inspection.agencies.all()) == {police, archived}

    url = reverse("scrutiny:recommendation-edit", args=[inspection.uuid, recommendation.uuid])
    html = client.get(url).content.decode()
    assert "Education Access (archived)" in unescape(html) and "Closed Trust" not in html
    assert client.post(url, from_page(html)).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.agency == archived
    assert client.post(url, from_page(html, agency=str(closed.pk))).status_code == 400
    recommendation.refresh_from_db()
    assert recommendation.agency == archived


def test_an_actions_owner_agency_starts_as_the_agency_the_recommendation_is_addressed_to(
    client, bu_user
):
    police = AgencyFactory(name="West Mercia Police")
    recommendation = RecommendationFactory(text="Share intelligence sooner.", agency=police)
    client.force_login(bu_user)
    page = client.get(recommendation.inspection.get_absolute_url())
    [form] = [
        each.action_form for each in page.context["recommendations"] if each.pk == recommendation.pk
    ]
    assert form["owner_agency"].value() == police.pk
    assert f'<option value="{police.pk}" selected>' in str(form["owner_agency"])
