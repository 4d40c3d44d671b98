import datetime
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from learning import services
from learning.models import (
    Action,
    AssuranceEvidence,
    Finding,
    LearningOutcome,
    PracticeCheck,
    PriorityTheme,
)
from learning.tests.factories import (
    ActionFactory,
    ActivityFactory,
    CheckFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ReviewFactory,
    ThemeFactory,
)
from sscb.dates import say
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, StrategicPriorityFactory, SubGroupFactory

pytestmark = pytest.mark.django_db

LIST_PAGES = [
    "index",
    "findings",
    "outcomes",
    "activities",
    "checks",
    "evidence_list",
    "actions",
]


def body(response):
    return unescape(response.content.decode())


@pytest.mark.parametrize("name", [*LIST_PAGES, "collate", "my_agency", "finding_new", "theme_new"])
def test_anonymous_users_are_sent_to_sign_in(client, name):
    response = client.get(reverse(f"learning:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize("role", ["business_unit", "subgroup_member", "executive", "agency_lead"])
def test_list_pages_open_for_every_role_that_reads_them(client, users_by_role, name, role):
    client.force_login(users_by_role[role])
    response = client.get(reverse(f"learning:{name}"))
    assert response.status_code == 200
    assert "<h1" in response.content.decode()


@pytest.mark.parametrize("name", ["finding_new", "theme_new", "collate"])
@pytest.mark.parametrize(
    "role", ["executive", "agency_lead", "independent_reviewer", "subgroup_member"]
)
def test_only_those_who_record_the_work_may_create(client, users_by_role, name, role):
    client.force_login(users_by_role[role])
    assert client.get(reverse(f"learning:{name}")).status_code == 403


def test_my_agency_is_for_agency_leads(client, member_user, agency_user):
    client.force_login(member_user)
    assert client.get(reverse("learning:my_agency")).status_code == 403
    client.force_login(agency_user)
    assert client.get(reverse("learning:my_agency")).status_code == 200


def test_a_member_records_a_finding_from_a_review(client, li_member, li, agency):
    review = ReviewFactory(subgroup=li, referred_on=datetime.date(2025, 4, 1))
    client.force_login(li_member)
    form = client.get(reverse("learning:finding_new") + f"?review={review.uuid}")
    assert form.status_code == 200
    # The thread page's link names the review by its UUID; the form starts with it chosen.
    assert f'<option value="{review.pk}" selected>' in form.content.decode()
    response = client.post(
        reverse("learning:finding_new"),
        {
            "title": "Fathers not seen",
            "detail": "Child B's father was not assessed.",
            "source": "learning_review",
            "nature": "improvement",
            "review": review.pk,
            "agencies": [agency.pk],
            "subgroup": li.pk,
            "identified_on": "2025-05-01",
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.review == review and finding.recorded_by == li_member
    assert list(finding.agencies.all()) == [agency]
    assert finding.history.first().history_user == li_member


def test_bad_finding_input_is_explained_and_changes_nothing(client, li_member, li):
    client.force_login(li_member)
    response = client.post(
        reverse("learning:finding_new"),
        {"title": "", "detail": "x", "source": "scr", "nature": "improvement", "subgroup": li.pk},
    )
    assert response.status_code == 400
    text = body(response)
    assert "Choose the review this finding came from." in text
    assert "This field is required." in text
    assert Finding.objects.count() == 0


def test_collating_puts_findings_into_a_theme(client, li_member, li):
    theme = ThemeFactory(subgroup=li)
    first, second, left = FindingFactory(), FindingFactory(), FindingFactory()
    client.force_login(li_member)
    response = client.post(
        reverse("learning:collate"), {"theme": theme.pk, "findings": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    assert set(theme.findings.all()) == {first, second}
    left.refresh_from_db()
    assert left.theme is None


def test_collate_page_shows_what_recurs_for_an_agency(client, li_member):
    police = AgencyFactory(name="West Mercia Police")
    FindingFactory(agencies=[police], nature="improvement")
    FindingFactory(agencies=[police], nature="improvement")
    FindingFactory(agencies=[AgencyFactory(name="Probation")], nature="improvement")
    client.force_login(li_member)
    text = body(client.get(reverse("learning:collate")))
    assert "West Mercia Police" in text.split("What recurs")[1].split("Findings not yet")[0]
    assert "Probation" not in text.split("What recurs")[1].split("Findings not yet")[0]


def test_the_collate_pages_columns_add_up_to_its_total(client, li_member):
    """fr #11: two reviews' findings and one from practitioners are 3 = 2 + 0 + 1."""
    police = AgencyFactory(name="West Mercia Police")
    FindingFactory.create_batch(2, agencies=[police], nature="improvement")
    FindingFactory(agencies=[police], nature="improvement", review=None, source="practitioner")
    client.force_login(li_member)
    page = client.get(reverse("learning:collate"))
    [row] = page.context["recurring"]
    counts = (row.finding_count, row.review_count, row.audit_count, row.other_count)
    assert counts == (3, 2, 0, 1)
    assert '<th scope="col">From other sources</th>' in body(page)


def test_theme_needs_a_strategic_priority(client, li_member, li):
    client.force_login(li_member)
    response = client.post(reverse("learning:theme_new"), {"title": "Neglect", "subgroup": li.pk})
    assert response.status_code == 400
    assert "Tie the theme to at least one of the Board's strategic priorities." in body(response)
    assert PriorityTheme.objects.count() == 0
    priority = StrategicPriorityFactory()
    response = client.post(
        reverse("learning:theme_new"),
        {"title": "Neglect", "subgroup": li.pk, "priorities": [priority.pk]},
    )
    assert response.status_code == 302


def test_only_the_executive_records_executive_decisions(client, member_user, executive_user):
    outcome = OutcomeFactory()
    url = reverse("learning:outcome_decide", args=[outcome.uuid])
    data = {"decision": "agreed", "notes": "Agreed with a June briefing"}
    client.force_login(member_user)
    assert client.post(url, data).status_code == 403
    outcome.refresh_from_db()
    assert outcome.decision == LearningOutcome.Decision.PENDING
    client.force_login(executive_user)
    assert client.post(url, data).status_code == 302
    outcome.refresh_from_db()
    assert outcome.decision == "agreed" and outcome.decided_by == executive_user


def test_an_executive_decision_carries_its_day_and_a_new_one_keeps_the_earlier(
    client, executive_user
):
    outcome = OutcomeFactory(executive_on=timezone.localdate() - datetime.timedelta(days=7))
    url = reverse("learning:outcome_decide", args=[outcome.uuid])
    met = timezone.localdate() - datetime.timedelta(days=7)
    client.force_login(executive_user)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused = client.post(url, {"decision": "agreed", "notes": "Yes", "decided_on": tomorrow})
    assert "cannot be in the future" in body(refused)
    outcome.refresh_from_db()
    assert outcome.decision == LearningOutcome.Decision.PENDING
    client.post(url, {"decision": "amended", "notes": "With a June briefing", "decided_on": met})
    client.post(url, {"decision": "not_agreed", "notes": "Changed our mind"})
    outcome.refresh_from_db()
    assert (outcome.decision, outcome.decided_on) == ("not_agreed", timezone.localdate())
    page = body(client.get(outcome.get_absolute_url()))
    assert "Earlier decisions (1)" in page
    assert f"{LearningOutcome.Decision.AGREED_WITH_CHANGES.label} on {met:%-d %b %Y}" in page
    assert "With a June briefing" in page
    # A decision dated before the one it would replace is refused: the latest stands.
    earlier = client.post(url, {"decision": "agreed", "notes": "Late entry", "decided_on": met})
    assert "cannot be before the decision it replaces (not agreed" in body(earlier)
    outcome.refresh_from_db()
    assert outcome.decision == "not_agreed"


def test_a_member_off_the_sub_group_cannot_edit_its_theme(client, member_user):
    theme = ThemeFactory()
    client.force_login(member_user)
    assert client.get(reverse("learning:theme", args=[theme.uuid])).status_code == 200
    assert client.get(reverse("learning:theme_edit", args=[theme.uuid])).status_code == 403


def test_restricted_review_finding_is_404_off_the_panel(client, member_user, bu_user):
    finding = FindingFactory(review=ReviewFactory(is_restricted=True))
    client.force_login(member_user)
    assert client.get(reverse("learning:finding", args=[finding.uuid])).status_code == 404
    client.force_login(bu_user)
    assert client.get(reverse("learning:finding", args=[finding.uuid])).status_code == 200


# Agency isolation -------------------------------------------------------------------------------


@pytest.fixture
def two_agencies(agency_user):
    other = AgencyFactory(name="Probation Service")
    mine = ActionFactory(owner_agency=agency_user.agency, title="Police action")
    theirs = ActionFactory(owner_agency=other, title="Probation action")
    my_evidence = EvidenceFactory(agency=agency_user.agency, title="Police report")
    their_evidence = EvidenceFactory(agency=other, title="Probation report")
    return mine, theirs, my_evidence, their_evidence


def test_agency_lead_sees_only_their_agencys_actions_and_evidence(
    client, agency_user, two_agencies
):
    mine, theirs, my_evidence, their_evidence = two_agencies
    client.force_login(agency_user)
    text = body(client.get(reverse("learning:actions")))
    assert "Police action" in text and "Probation action" not in text
    text = body(client.get(reverse("learning:my_agency")))
    assert "Police action" in text and "Police report" in text
    assert "Probation" not in text
    assert client.get(reverse("learning:action", args=[theirs.uuid])).status_code == 404
    assert client.get(reverse("learning:evidence", args=[their_evidence.uuid])).status_code == 404
    assert client.get(reverse("learning:action", args=[mine.uuid])).status_code == 200


def test_my_agency_is_kept_for_its_lead_alone_until_a_record_changes(
    client, agency_user, make_user, two_agencies
):
    """Kept ({% kept_for_reader %}): asked again, the same page in fewer
    queries; another agency's lead gets their own, and a new action shows at once."""
    from django.test import Client

    from sscb.tests.kept import made_then_kept, main_of

    mine, theirs, _, _ = two_agencies
    url = reverse("learning:my_agency")
    other = Client()  # signed in first: a sign-in saves the person, a record
    other.force_login(make_user(role="agency_lead", agency=theirs.owner_agency, username="pr"))
    main_of(other, url)
    client.force_login(agency_user)
    made, afresh, kept = made_then_kept(client, url)
    assert kept < afresh and "Police action" in made
    text = main_of(other, url)[0]
    assert "Probation action" in text and "Police action" not in text
    ActionFactory(owner_agency=agency_user.agency, title="Police action, added since")
    assert "Police action, added since" in main_of(client, url)[0]


def test_my_agency_marks_evidence_overdue_only_while_awaited_past_its_due_date(client, agency_user):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    for title, due_on, received_on in [
        ("Late report", today - day, None),
        ("Due today", today, None),
        ("Sent late", today - day, today),
        ("No date", None, None),
    ]:
        EvidenceFactory(
            agency=agency_user.agency,
            title=title,
            requested_on=today - 30 * day,
            due_on=due_on,
            received_on=received_on,
        )
    client.force_login(agency_user)
    evidence = client.get(reverse("learning:my_agency")).context["evidence"]
    assert [e.title for e in evidence if e.overdue] == ["Late report"]


def test_my_agency_shows_the_actions_due_soonest_and_counts_the_rest(client, agency_user):
    from learning.selectors import AGENCY_ROWS

    today = timezone.localdate()
    for n in range(AGENCY_ROWS + 2):
        ActionFactory(
            owner_agency=agency_user.agency,
            title=f"Open action {n}",
            due_on=today + datetime.timedelta(days=n),
        )
    ActionFactory(owner_agency=agency_user.agency, status=Action.Status.CANCELLED)
    client.force_login(agency_user)
    response = client.get(reverse("learning:my_agency"))
    shown = [action.title for action in response.context["actions"]]
    assert shown == [f"Open action {n}" for n in range(AGENCY_ROWS)]
    text = body(response)
    assert f"the {AGENCY_ROWS} due soonest of your agency's {AGENCY_ROWS + 2} open actions" in text
    link = f"{reverse('learning:actions')}?owner_agency={agency_user.agency_id}"
    assert f'href="{link}"' in response.content.decode()
    listed = client.get(link).context["page_obj"].paginator.count
    assert listed == AGENCY_ROWS + 3  # every one, the cancelled one too, to filter by status


def test_my_agency_says_more_than_once_its_count_stopped(client, agency_user, monkeypatch):
    from learning.selectors import AGENCY_ROWS
    from sscb import lists

    monkeypatch.setattr(lists, "COUNTED_UP_TO", AGENCY_ROWS + 1)
    for n in range(AGENCY_ROWS + 3):
        ActionFactory(owner_agency=agency_user.agency, title=f"Open action {n}")
    client.force_login(agency_user)
    text = body(client.get(reverse("learning:my_agency")))
    assert (
        f"the {AGENCY_ROWS} due soonest of your agency's more than {AGENCY_ROWS + 1} open actions"
        in text
    )


def test_agency_lead_reports_progress_on_their_action(client, agency_user, two_agencies):
    mine, theirs, *_ = two_agencies
    client.force_login(agency_user)
    data = {"progress": "Training booked", "at_risk": "on"}
    url = reverse("learning:action_progress", args=[theirs.uuid])
    assert client.post(url, data).status_code == 404
    response = client.post(reverse("learning:action_progress", args=[mine.uuid]), data)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == Action.Status.IN_PROGRESS and mine.at_risk
    assert mine.history.first().history_user == agency_user
    # The agency may not sign off its own action.
    response = client.post(
        reverse("learning:action_sign_off", args=[mine.uuid]), {"follow_up_on": "2030-01-01"}
    )
    assert response.status_code == 403


def test_each_act_on_an_action_has_its_own_address_and_the_page_takes_none(client, bu_user):
    action = ActionFactory(
        status=Action.Status.COMPLETE, completed_on=timezone.localdate(), completion_evidence="x"
    )
    services.action_sign_off(action=action, signed_off_by=bu_user, follow_up_on=None)
    client.force_login(bu_user)
    page = reverse("learning:action", args=[action.uuid])
    assert client.post(page, {"result": "It lasted"}).status_code == 405
    url = reverse("learning:action_follow_up", args=[action.uuid])
    assert client.get(url).status_code == 405
    assert f'action="{url}"' in body(client.get(page))

    # Refused: the page again, with the form's message, and nothing changed.
    response = client.post(url, {"result": ""})
    assert response.status_code == 200
    assert "Say whether the change has lasted." in body(response)
    assert 'data-testid="action-status">Signed off<' in body(response)
    action.refresh_from_db()
    assert action.followed_up_on is None

    response = client.post(url, {"lasted": "yes", "result": ""})
    assert "Say what the check found." in body(response)
    response = client.post(
        url, {"lasted": "yes", "result": "Still in use six weeks on"}, follow=True
    )
    assert response.redirect_chain == [(page, 302)]
    assert "Follow-up recorded: the change has lasted." in body(response)
    action.refresh_from_db()
    assert action.followed_up_on == timezone.localdate()
    assert action.follow_up_result == "Still in use six weeks on"


def test_progress_refused_for_its_file_is_not_shown_as_saved(
    client, agency_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    action = ActionFactory(owner_agency=agency_user.agency)
    client.force_login(agency_user)
    response = client.post(
        reverse("learning:action_progress", args=[action.uuid]),
        {
            "progress": "Every officer trained",
            "completed_on": timezone.localdate().isoformat(),
            "completion_evidence": "Training register",
            "file": SimpleUploadedFile("register.html", b"<html><body>x</body></html>"),
        },
    )
    assert response.status_code == 200
    text = body(response)
    assert "Latest progress" not in text and 'data-testid="action-status">Not started<' in text
    action.refresh_from_db()
    assert (action.status, action.progress) == (Action.Status.OPEN, "")
    assert not action.attachments.exists()


def test_a_refused_judgement_shows_the_evidence_page_again(client, bu_user):
    evidence = EvidenceFactory(received_on=timezone.localdate(), summary="Report")
    client.force_login(bu_user)
    url = reverse("learning:evidence_judge", args=[evidence.uuid])
    response = client.post(url, {"judgement": "", "reason": "Shows it"})
    assert response.status_code == 200
    assert "Choose a judgement." in body(response) and evidence.title in body(response)
    response = client.post(url, {"judgement": "assured", "reason": "Shows it"})
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.judgement, evidence.judged_by) == ("assured", bu_user)


def test_agency_lead_provides_evidence_with_a_file_that_only_the_right_people_can_open(
    client, agency_user, two_agencies, make_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    _, _, my_evidence, _ = two_agencies
    client.force_login(agency_user)
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 police report", "application/pdf")
    response = client.post(
        reverse("learning:evidence_provide", args=[my_evidence.uuid]),
        {"summary": "Audit of 30 strategy discussions", "file": upload},
    )
    assert response.status_code == 302
    my_evidence.refresh_from_db()
    assert my_evidence.received_on is not None
    attachment = my_evidence.attachments.get()
    url = reverse("learning:attachment", args=[attachment.uuid])

    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 police report"

    other_lead = make_user(role="agency_lead", agency=AgencyFactory(name="ICB"), username="icb")
    client.force_login(other_lead)
    assert client.get(url).status_code == 404

    # And the agency cannot judge its own evidence.
    response = client.post(
        reverse("learning:evidence_judge", args=[my_evidence.uuid]),
        {"judgement": "assured", "reason": "x"},
    )
    assert response.status_code == 404
    my_evidence.refresh_from_db()
    assert my_evidence.judgement == AssuranceEvidence.Judgement.PENDING


def test_files_are_not_served_from_a_public_url(client, agency_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    action = ActionFactory(owner_agency=agency_user.agency)
    attachment = services.attachment_add(
        parent=action,
        upload=SimpleUploadedFile("x.txt", b"secret"),
        uploaded_by=agency_user,
    )
    client.force_login(agency_user)
    assert client.get("/media/" + attachment.file.name).status_code == 404


# Query counts -----------------------------------------------------------------------------------


def _populate(n, agency):
    for _ in range(n):
        review = ReviewFactory()
        theme = ThemeFactory()
        outcome = OutcomeFactory(
            theme=theme, decision="agreed", decided_on=datetime.date(2025, 5, 1)
        )
        FindingFactory(review=review, theme=theme, agencies=[agency])
        FindingFactory(review=review, agencies=[agency])
        ActivityFactory(outcome=outcome)
        CheckFactory(outcome=outcome, agency=agency)
        EvidenceFactory(outcome=outcome, agency=agency)
        ActionFactory(review=review, owner_agency=agency)
    return review


@pytest.mark.parametrize("name", [*LIST_PAGES, "my_agency"])
def test_list_pages_run_the_same_queries_for_2_or_50_rows(
    client, bu_user, agency_user, count_queries, django_assert_max_num_queries, name
):
    user = agency_user if name == "my_agency" else bu_user
    client.force_login(user)
    _populate(2, agency_user.agency)
    url = reverse(f"learning:{name}")
    small = count_queries(url)
    _populate(48, agency_user.agency)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


def test_golden_thread_page_runs_the_same_queries_for_2_or_50_rows(
    client, bu_user, agency, count_queries, django_assert_max_num_queries
):
    client.force_login(bu_user)
    review = ReviewFactory()
    theme = ThemeFactory()

    def grow(n):
        for _ in range(n):
            outcome = OutcomeFactory(theme=theme)
            finding = FindingFactory(review=review, theme=theme, agencies=[agency])
            ActivityFactory(outcome=outcome)
            CheckFactory(outcome=outcome, agency=agency)
            EvidenceFactory(outcome=outcome, agency=agency)
            ActionFactory(review=review, owner_agency=agency)
            # Actions answering the review's finding, and an outcome, from other plans.
            ActionFactory(finding=finding, title="Answers a finding")
            ActionFactory(outcome=outcome, review=None, plan=f"outcome:{outcome.pk}")
            FindingFactory(review=review, theme=ThemeFactory())

    grow(2)
    url = reverse("learning:thread_review", args=[review.uuid])
    small = count_queries(url)
    grow(48)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert body(response).count("Outcome ") >= 50
    # The actions come a page at a time: at scale a thread reaches hundreds.
    assert body(response).count('data-testid="action-answers"') == 25
    assert "150 actions, 25 to a page" in body(response)
    assert "Page 1 of 6 (150 in all)" in body(response)


@pytest.mark.parametrize("kind", ["theme", "outcome", "evidence"])
def test_detail_pages_run_the_same_queries_for_2_or_50_rows(
    client, bu_user, agency, count_queries, django_assert_max_num_queries, kind
):
    client.force_login(bu_user)
    theme = ThemeFactory()
    outcome = OutcomeFactory(theme=theme)
    evidence = EvidenceFactory(outcome=outcome)

    def grow(n):
        for _ in range(n):
            finding = FindingFactory(theme=theme, agencies=[agency])
            ActivityFactory(outcome=outcome)
            CheckFactory(outcome=outcome, agency=agency)
            EvidenceFactory(outcome=outcome, agency=agency)
            ActionFactory(outcome=outcome, review=None, plan=f"outcome:{outcome.pk}")
            ActionFactory(review=finding.review, finding=finding)
            OutcomeFactory(theme=theme)

    url = {
        "theme": reverse("learning:theme", args=[theme.uuid]),
        "outcome": reverse("learning:outcome", args=[outcome.uuid]),
        "evidence": reverse("learning:evidence", args=[evidence.uuid]),
    }[kind]
    grow(2)
    small = count_queries(url)
    grow(48)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200
    shown = {"theme": 25, "outcome": 25, "evidence": 0}[kind]  # the first page of actions
    assert body(response).count('<a href="/learning/actions/') == shown
    in_all = {"theme": "(100 in all)", "outcome": "(50 in all)", "evidence": ""}[kind]
    assert in_all in body(response)


def test_a_section_11_standard_not_met_is_flagged_until_it_has_an_action(
    client, bu_user, agency_user, agency, li
):
    from audits.models import SelfAssessment, StandardAssessment
    from audits.tests.factories import SelfAssessmentFactory, section_11

    standard = section_11().standards.get(number=5)
    answer = StandardAssessment.objects.create(
        self_assessment=SelfAssessmentFactory(
            agency=agency, status=SelfAssessment.Status.SUBMITTED, submitted_at=timezone.now()
        ),
        standard=standard,
        self_score=StandardAssessment.Score.NOT_MET,
    )
    client.force_login(agency_user)
    assert (
        "standards-needing-action" not in client.get(reverse("learning:actions")).content.decode()
    )

    client.force_login(bu_user)
    text = body(client.get(reverse("learning:actions")))
    assert f"?standard={answer.uuid}" in text
    response = client.post(
        reverse("learning:action_new") + f"?standard={answer.uuid}",
        {
            "title": "Safer recruitment training for all managers",
            "owner_agency": agency.pk,
            "subgroup": li.pk,
            "due_on": (datetime.date.today() + datetime.timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.standard_assessment == answer and action.number == 1
    assert (
        "standards-needing-action" not in client.get(reverse("learning:actions")).content.decode()
    )


def test_the_action_list_names_the_first_standards_needing_an_action_and_counts_the_rest(
    client, bu_user, agency, count_queries, django_assert_max_num_queries
):
    """However many returns rate standards not met, the action list names the first few, each
    with its return, and counts the rest, in the same queries."""
    from audits.models import SelfAssessment, StandardAssessment
    from audits.tests.factories import SelfAssessmentFactory, section_11
    from learning.views import STANDARDS_SHOWN

    standards = list(section_11().standards.order_by("number"))

    def returns(count):
        for _ in range(count):
            returned = SelfAssessmentFactory(
                agency=AgencyFactory(),
                status=SelfAssessment.Status.SUBMITTED,
                submitted_at=timezone.now(),
            )
            for standard in standards[:3]:
                StandardAssessment.objects.create(
                    self_assessment=returned,
                    standard=standard,
                    self_score=StandardAssessment.Score.NOT_MET,
                )

    client.force_login(bu_user)
    url = reverse("learning:actions")
    returns(1)
    small = count_queries(url)
    assert 'data-testid="standards-not-shown"' not in client.get(url).content.decode()
    returns(4)  # 15 standards not met
    with django_assert_max_num_queries(small):
        text = body(client.get(url))
    assert text.count("Add an action</a>") == text.count("its return</a>") == STANDARDS_SHOWN
    assert f"{15 - STANDARDS_SHOWN} more standards rated not met have no action yet" in text


def test_delivery_and_practice_check_lists_filter_by_year_and_result(client, member_user, agency):
    ActivityFactory(
        title="Briefing delivered last year",
        planned_on=datetime.date(2025, 1, 5),
        delivered_on=datetime.date(2025, 1, 10),
        reach=50,
    )
    ActivityFactory(
        title="Module delivered this year",
        planned_on=datetime.date(2025, 5, 1),
        delivered_on=datetime.date(2025, 5, 2),
        reach=120,
    )
    CheckFactory(agency=agency, checked_on=datetime.date(2025, 6, 1), result="improved")
    CheckFactory(agency=AgencyFactory(name="ICB"), result="pending")
    client.force_login(member_user)
    text = body(client.get(reverse("learning:activities"), {"delivered_year": 2025}))
    assert "Module delivered this year" in text and "Briefing delivered last year" not in text
    text = body(client.get(reverse("learning:checks"), {"result": "improved"}))
    assert "West Mercia Police" in text and "ICB" not in text.split("<tbody>")[1]


@pytest.mark.parametrize(
    "name, factory",
    [
        ("index", ThemeFactory),
        ("findings", FindingFactory),
        ("outcomes", OutcomeFactory),
        ("activities", ActivityFactory),
        ("actions", ActionFactory),
    ],
)
def test_search_finds_words_in_the_title(client, bu_user, name, factory):
    factory(title="Neglect of a toddler")
    factory(title="Exploitation outside the home")
    client.force_login(bu_user)
    text = body(client.get(reverse(f"learning:{name}"), {"q": "TODDLER"}))
    assert "Neglect of a toddler" in text
    assert "Exploitation outside the home" not in text


@pytest.mark.parametrize(
    "name, factory, label, none",
    [
        ("outcomes", OutcomeFactory, "Learning outcomes", "No learning outcomes match."),
        ("activities", ActivityFactory, "Delivery activities", "No delivery activities match."),
        ("checks", CheckFactory, "Practice development checks", "No practice checks match."),
        ("evidence_list", EvidenceFactory, "Assurance evidence", "No assurance evidence matches."),
    ],
)
def test_a_list_page_names_its_table_or_says_that_nothing_matches(
    client, bu_user, name, factory, label, none
):
    client.force_login(bu_user)
    url = reverse(f"learning:{name}")
    text = body(client.get(url))
    assert none in text and "<table" not in text
    factory()
    text = body(client.get(url))
    assert none not in text
    assert 'aria-labelledby="rows-label"' in text
    assert f'<caption class="visually-hidden" id="rows-label">{label}</caption>' in text
    assert text.count("<tr>") == 2  # the header and the one row


def test_page_links_carry_the_filters_on(client, bu_user):
    FindingFactory.create_batch(26, nature=Finding.Nature.IMPROVEMENT)
    client.force_login(bu_user)
    # "items" is a name a template could mistake for the query's own items().
    response = client.get(reverse("learning:findings"), {"nature": "improvement", "items": "x"})
    assert 'href="?nature=improvement&amp;items=x&amp;page=2"' in response.content.decode()


def test_an_actions_owner_is_offered_from_partner_agencies_and_on_edit_the_owning_one(
    client, bu_user, executive_user, reviewer_user, agency_user, make_user
):
    other = AgencyFactory(name="Shropshire Council", short_name="Council")
    council_lead = make_user(role="agency_lead", agency=other, username="councillead")
    action = ActionFactory(owner_agency=agency_user.agency, owner=agency_user)
    client.force_login(bu_user)

    def offered(url):
        return set(client.get(url).context["form"].fields["owner"].queryset)

    new = reverse("learning:action_new") + f"?review={action.review.uuid}"
    assert offered(new) == {agency_user, council_lead}  # not the executive, reviewer or BU
    assert offered(reverse("learning:action_edit", args=[action.uuid])) == {agency_user}
    assert f"{agency_user} (West Mercia Police)" in body(client.get(new))


def test_agency_leads_home_counts_what_waits_on_them_and_each_link_opens_what_it_counts(
    client, agency_user
):
    today = timezone.localdate()
    agency = agency_user.agency
    for days in (-3, -1):
        ActionFactory(owner_agency=agency, due_on=today + datetime.timedelta(days=days))
    ActionFactory(owner_agency=agency, due_on=today + datetime.timedelta(days=14))
    ActionFactory(owner_agency=agency, due_on=today + datetime.timedelta(days=60), at_risk=True)
    ActionFactory(owner_agency=agency, due_on=today + datetime.timedelta(days=15))
    ActionFactory(
        owner_agency=agency,
        due_on=today - datetime.timedelta(days=9),
        status="complete",
        completed_on=today,
    )
    ActionFactory(due_on=today - datetime.timedelta(days=9))  # another agency's
    EvidenceFactory(agency=agency)
    client.force_login(agency_user)
    home = client.get(reverse("home"))
    items = home.context["lists"]()["attention"]
    mine = {
        item.title: item
        for item in items
        if "action" in item.title or "evidence request" in item.title
    }
    assert list(mine) == [
        "2 actions overdue for your agency",
        "2 actions due in the next 14 days or at risk",
        "1 evidence request waiting for your agency",
        "1 other open action for your agency",
    ], "most urgent first"
    for title, item in mine.items():
        listed = client.get(item.url).context["page_obj"].paginator.count
        assert listed == int(title.split()[0]), f"{title} opens {item.url} listing {listed}"
    page = body(home)
    assert page.index("Overdue or late") < page.index("Due soon, or waiting on you")


def test_evidence_once_received_is_added_to_and_once_judged_is_closed(client, agency_user):
    evidence = EvidenceFactory(agency=agency_user.agency)
    client.force_login(agency_user)
    url = reverse("learning:evidence", args=[evidence.uuid])
    assert "Send the evidence" in body(client.get(url))
    AssuranceEvidence.objects.filter(pk=evidence.pk).update(received_on=timezone.localdate())
    page = body(client.get(url))
    assert "Send the evidence" not in page and "Add to the evidence" in page
    AssuranceEvidence.objects.filter(pk=evidence.pk).update(
        judgement="assured", judged_by=agency_user, judged_on=timezone.localdate()
    )
    assert "Add to the evidence" not in body(client.get(url))
    provide = reverse("learning:evidence_provide", args=[evidence.uuid])
    assert client.post(provide, {"summary": "More"}).status_code == 403


def test_evidence_asked_of_an_agency_needs_the_day_it_was_asked(client, li, li_member, agency):
    """Without it the agency's list, its reminders and the outstanding figures never see the
    request (fn #3): refused in words naming the agency, and saved once the day is given."""
    outcome = OutcomeFactory(theme=ThemeFactory(subgroup=li))
    client.force_login(li_member)
    url = reverse("learning:evidence_new", args=[outcome.uuid])
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    form = {"way": "agency_report", "agency": agency.pk, "title": "Neglect report", "due_on": due}
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert refused.context["form"].errors["requested_on"] == [
        "Give the date it was asked for, or West Mercia Police will not see the request."
    ]
    assert not AssuranceEvidence.objects.exists()
    # Data the sub-group interrogates itself, naming the agency it is about, asks nothing.
    about = {"way": "performance_data", "agency": agency.pk, "title": "Police referral data"}
    assert client.post(url, about).status_code == 302
    asked = client.post(url, form | {"requested_on": timezone.localdate().isoformat()})
    assert asked.status_code == 302
    assert AssuranceEvidence.objects.filter(requested_on=timezone.localdate()).count() == 1


def test_an_action_names_who_monitors_it_not_who_signed_it_off_before_anyone_has(client, bu_user):
    action = ActionFactory()
    client.force_login(bu_user)
    page = body(client.get(reverse("learning:action", args=[action.uuid])))
    assert "Signed off" not in page
    assert f'Monitored by</dt><dd class="col-sm-8">{action.subgroup}' in page


def test_a_finding_from_a_review_starts_with_its_source_and_sub_group(client, bu_user):
    review = ReviewFactory(kind="lcspr")
    FindingFactory(review=review)  # a second finding is one click away too
    client.force_login(bu_user)
    thread = body(client.get(reverse("learning:thread_review", args=[review.uuid])))
    new = f"{reverse('learning:finding_new')}?review={review.uuid}"
    assert f'href="{new}"' in thread
    detail = body(client.get(reverse("reviews:detail", args=[review.uuid])))
    assert f'href="{new}"' in detail
    form = client.get(new).context["form"]
    assert form.initial["review"] == review
    assert form.initial["source"] == Finding.Source.SERIOUS_CASE_REVIEW
    assert form.initial["subgroup"] == review.subgroup_id


def test_actions_for_a_returns_unmet_standards_in_one_step(client, bu_user, agency, li):
    from audits.models import SelfAssessment, StandardAssessment
    from audits.tests.factories import SelfAssessmentFactory

    own = SelfAssessmentFactory(
        agency=agency, status=SelfAssessment.Status.SUBMITTED, submitted_at=timezone.now()
    )
    framework = own.cycle.framework
    met, unmet, moderated_down = framework.standards.order_by("number")[:3]
    not_met = StandardAssessment.Score.NOT_MET
    StandardAssessment.objects.create(self_assessment=own, standard=met, self_score=3)
    StandardAssessment.objects.create(self_assessment=own, standard=unmet, self_score=not_met)
    StandardAssessment.objects.create(
        self_assessment=own, standard=moderated_down, self_score=3, moderated_score=not_met
    )
    client.force_login(bu_user)
    page = body(client.get(reverse("audits:return", args=[own.uuid])))
    url = reverse("learning:actions_from_return", args=[own.uuid])
    assert f'href="{url}"' in page and "Raise actions for the 2 standards not met" in page
    due = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    refused = client.post(url, {"subgroup": li.pk, "due_on": "2001-01-01"})
    assert "cannot be due in the past" in body(refused) and not Action.objects.exists()
    response = client.post(url, {"subgroup": li.pk, "due_on": due}, follow=True)
    assert "2 actions added for" in body(response)
    actions = Action.objects.order_by("number")
    assert [(a.standard_assessment.standard.number, a.owner_agency) for a in actions] == [
        (2, agency),
        (3, agency),
    ]
    assert "already has an action" in body(client.get(url))  # nothing twice
    # Answered, the standards no longer ask for an action anywhere, and each action names the
    # cycle it came from and opens its return.
    page = body(client.get(reverse("audits:return", args=[own.uuid])))
    assert "Not met: action needed" not in page and "Raise actions" not in page
    # Each is numbered as a chair says it, never by a key, and its standard links to it (fn #7).
    year = own.cycle.financial_year
    label = f"S11-{year}/{(year + 1) % 100:02d}-{agency.label}"
    assert [a.reference for a in actions] == [f"{label}-2/1", f"{label}-3/1"]
    for action in actions:
        link = f'<a href="{action.get_absolute_url()}">{action.reference}</a>: {action.title}'
        assert link in page
    cycle = body(client.get(reverse("audits:cycle", args=[own.cycle.uuid])))
    assert "need an action" not in cycle
    detail = client.get(actions[0].get_absolute_url()).content.decode()
    assert f'href="{reverse("audits:return", args=[own.uuid])}" data-testid="plan-return"' in detail
    assert f"{own.cycle}</a>: {agency}, standard {unmet}" in unescape(detail)


def test_actions_from_a_return_offer_only_the_returns_agencys_people_as_owner(
    client, bu_user, agency, agency_user, executive_user, make_user, li
):
    from audits.models import SelfAssessment, StandardAssessment
    from audits.tests.factories import SelfAssessmentFactory

    other = AgencyFactory(name="Shropshire Council", short_name="Council")
    council_lead = make_user(role="agency_lead", agency=other, username="councillead")
    own = SelfAssessmentFactory(
        agency=agency, status=SelfAssessment.Status.SUBMITTED, submitted_at=timezone.now()
    )
    standard = own.cycle.framework.standards.order_by("number").first()
    StandardAssessment.objects.create(
        self_assessment=own,
        standard=standard,
        self_score=StandardAssessment.Score.NOT_MET,
        moderation_comment="No named senior lead.",
    )
    client.force_login(bu_user)
    url = reverse("learning:actions_from_return", args=[own.uuid])
    assert set(client.get(url).context["form"].fields["owner"].queryset) == {agency_user}
    due = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    refused = client.post(url, {"subgroup": li.pk, "due_on": due, "owner": council_lead.pk})
    assert refused.status_code == 200 and not Action.objects.exists()
    client.post(url, {"subgroup": li.pk, "due_on": due, "owner": agency_user.pk})
    [action] = Action.objects.all()
    assert action.owner == agency_user
    assert action.description == "Moderation found this standard not met: No named senior lead."


def test_an_action_owner_from_another_agency_is_refused_and_nothing_changes(
    client, bu_user, agency_user, make_user
):
    other = AgencyFactory(name="Shropshire Council", short_name="Council")
    council_lead = make_user(role="agency_lead", agency=other, username="councillead")
    action = ActionFactory(owner_agency=agency_user.agency, owner=agency_user)
    client.force_login(bu_user)
    url = reverse("learning:action_edit", args=[action.uuid])
    data = {
        "title": action.title,
        "owner_agency": agency_user.agency.pk,
        "owner": council_lead.pk,
        "subgroup": action.subgroup.pk,
        "due_on": action.due_on.isoformat(),
    }
    response = client.post(url, data)
    assert "works for Shropshire Council, not West Mercia Police" in body(response)
    action.refresh_from_db()
    assert action.owner == agency_user


def test_an_action_says_what_it_involves_on_its_page_and_in_the_export(client, bu_user):
    action = ActionFactory(
        title="Chronology training", description="A half-day session for every team manager."
    )
    client.force_login(bu_user)
    page = body(client.get(reverse("learning:action", args=[action.uuid])))
    assert "A half-day session for every team manager." in page
    assert "Signed off" not in page  # nobody has signed it off yet
    export = client.get(reverse("learning:actions_csv")).getvalue().decode()
    assert "Description" in export and "A half-day session for every team manager." in export
    form = client.get(reverse("learning:action_edit", args=[action.uuid])).context["form"]
    assert "description" in form.fields


def test_an_actions_history_says_who_changed_what(client, bu_user, member_user):
    """A due date moved is there for the chair to see, not only "changed"."""
    action = ActionFactory(due_on=datetime.date(2027, 1, 6), title="Chronology training")
    action._history_user = member_user
    action.due_on, action.progress = datetime.date(2027, 2, 5), "Trainer booked."
    action.save()
    action.at_risk = True
    action.save()

    client.force_login(bu_user)
    page = unescape(body(client.get(reverse("learning:action", args=[action.uuid]))))
    history = page[page.index('data-testid="action-history"') :]
    entries = [" ".join(item.split()) for item in history.split("<li")[1:4]]
    # A person is named as they are, nobody else (a factory's "Catherine Sampson" is not Sam).
    assert not re.search(r"\bSam\b", history)
    assert f"{member_user}: at risk no → yes" in entries[0]
    assert f"{member_user}: due on 6 Jan 2027 → 5 Feb 2027; changed the progress" in entries[1]
    assert "recorded it" in entries[2]


@pytest.fixture
def agency_returns(agency_user):
    """Four returns of the lead's agency: a draft, a submitted one, two moderated."""
    from audits.models import StandardAssessment
    from audits.tests.factories import AuditCycleFactory, SelfAssessmentFactory

    def make(n, agency=agency_user.agency):
        made = []
        for status in ("draft", "submitted", "moderated", "moderated"):
            cycle = AuditCycleFactory(title=f"Section 11 {2020 + len(made)}/{n}")
            moment = None if status == "draft" else timezone.now()
            made.append(
                SelfAssessmentFactory(
                    cycle=cycle,
                    agency=agency,
                    status=status,
                    submitted_at=moment,
                    moderated_at=moment if status == "moderated" else None,
                )
            )
        standard = made[2].cycle.framework.standards.order_by("number").first()
        StandardAssessment.objects.create(
            self_assessment=made[2],
            standard=standard,
            self_score=3,
            moderated_score=StandardAssessment.Score.NOT_MET,
        )
        return made

    return make


def test_my_agency_lists_its_returns_each_with_what_to_do_next(client, agency_user, agency_returns):
    draft, submitted, not_met, all_met = agency_returns(1)
    AgencyFactory(name="Shropshire Council", short_name="Council")
    action = ActionFactory(owner_agency=agency_user.agency, title="Police action")
    evidence = EvidenceFactory(
        agency=agency_user.agency, requested_on=timezone.localdate(), title="Police report"
    )
    client.force_login(agency_user)
    response = client.get(reverse("learning:my_agency"))
    page = body(response)
    steps = {r.uuid: (r.next_step, r.next_url) for r in response.context["returns"]}
    assert steps[draft.uuid][1] == reverse("audits:return-edit", args=[draft.uuid])
    assert steps[draft.uuid][0] == "Overdue: fill in and submit it by 31 July 2025"
    assert steps[submitted.uuid][0] == (
        "Nothing: the Quality Assurance and Performance sub-group or the Business Unit moderates it"
    )
    assert steps[not_met.uuid][0].startswith("Read the moderation: 1 standard not met")
    assert steps[all_met.uuid][0] == "Nothing: moderated, every standard met"
    for record in (draft, submitted, not_met, all_met):
        assert record.cycle.title in page
    assert page.count('data-testid="next-step"') == 6  # four returns, an action, a request
    assert f'href="{action.get_absolute_url()}">Report progress' in page
    assert f'href="{evidence.get_absolute_url()}">Send the evidence' in page


def test_my_agency_runs_the_same_queries_for_few_or_many_returns(
    client, agency_user, agency_returns, count_queries, django_assert_max_num_queries
):
    client.force_login(agency_user)
    agency_returns(1)
    _populate(2, agency_user.agency)
    url = reverse("learning:my_agency")
    small = count_queries(url)
    for n in range(2, 6):
        agency_returns(n)
    _populate(20, agency_user.agency)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert len(response.context["returns"]) == 20


def test_a_theme_starts_from_a_finding_with_it_ticked_and_collates_it(client, li_member, li):
    finding = FindingFactory(subgroup=li, title="Bruising not referred")
    other = FindingFactory(subgroup=li, title="Another unthemed finding")
    priority = StrategicPriorityFactory(title="Neglect")
    client.force_login(li_member)
    page = body(client.get(reverse("learning:finding", args=[finding.uuid])))
    start = f"{reverse('learning:theme_new')}?finding={finding.uuid}"
    assert f'href="{start}">Start a priority theme from this finding' in page.replace("&amp;", "&")
    form = client.get(start).context["form"]
    assert form.initial == {"findings": [finding.uuid], "subgroup": li.pk}
    assert set(form.fields["findings"].queryset) == {finding, other}
    response = client.post(
        start,
        {
            "title": "Bruising in babies",
            "priorities": [priority.pk],
            "subgroup": li.pk,
            "findings": [str(finding.uuid)],
        },
    )
    theme = PriorityTheme.objects.get(title="Bruising in babies")
    assert response.status_code == 302 and response.url == theme.get_absolute_url()
    assert list(theme.findings.all()) == [finding]
    other.refresh_from_db()
    assert other.theme is None
    # A themed finding no longer offers it; editing a theme offers no findings.
    assert "Start a priority theme" not in body(
        client.get(reverse("learning:finding", args=[finding.uuid]))
    )
    edit = client.get(reverse("learning:theme_edit", args=[theme.uuid])).context["form"]
    assert "findings" not in edit.fields


def test_an_action_from_the_evidence_page_starts_with_its_agency_and_sub_group(
    client, li_member, li, agency_user, make_user
):
    council = AgencyFactory(name="Shropshire Council", short_name="Council")
    make_user(role="agency_lead", agency=council, username="councillead")
    evidence = EvidenceFactory(outcome=OutcomeFactory(theme=ThemeFactory(subgroup=li)))
    evidence.agency = agency_user.agency
    evidence.save()
    client.force_login(li_member)
    page = body(client.get(reverse("learning:evidence", args=[evidence.uuid]))).replace(
        "&amp;", "&"
    )
    new = (
        f"{reverse('learning:action_new')}?outcome={evidence.outcome.uuid}"
        f"&agency={agency_user.agency.uuid}"
    )
    assert f'href="{new}">Add an action for West Mercia Police' in page
    form = client.get(new).context["form"]
    assert form.initial == {"owner_agency": agency_user.agency.pk, "subgroup": li.pk}
    assert set(form.fields["owner"].queryset) == {agency_user}
    client.force_login(agency_user)
    page = body(client.get(reverse("learning:evidence", args=[evidence.uuid])))
    assert "Add an action for" not in page


def test_new_theme_page_runs_the_same_queries_for_2_or_30_unthemed_findings(
    client, li_member, li, count_queries, django_assert_max_num_queries
):
    client.force_login(li_member)
    first = FindingFactory(subgroup=li)
    FindingFactory(subgroup=li)
    url = f"{reverse('learning:theme_new')}?finding={first.uuid}"
    small = count_queries(url)
    FindingFactory.create_batch(28, subgroup=li)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert len(response.context["form"].fields["findings"].choices) == 30


def test_theme_list_counts_each_themes_findings_and_outcomes(client, bu_user):
    """Counted once each however many of the other there are, and a theme with neither shows
    noughts; the page's count is of themes, not of their findings."""
    busy = ThemeFactory(title="Busy")
    for _ in range(3):
        FindingFactory(theme=busy)
    OutcomeFactory(theme=busy)
    OutcomeFactory(theme=busy)
    ThemeFactory(title="Quiet")
    FindingFactory()  # in no theme
    client.force_login(bu_user)
    page = client.get(reverse("learning:index"))
    rows = {
        theme.title: (theme.finding_count, theme.outcome_count)
        for theme in page.context["page_obj"].object_list
    }
    assert rows == {"Busy": (3, 2), "Quiet": (0, 0)}
    assert page.context["page_obj"].paginator.count == 2
    assert "<td>3</td>\n    <td>2</td>" in page.content.decode()


def test_home_counts_what_waits_on_a_sub_group_no_further_than_it_says(
    client, bu_user, monkeypatch
):
    """The home's counts stop one past ``COUNTED_UP_TO`` and then say "more than" (issue 15)."""
    from sscb import lists

    monkeypatch.setattr(lists, "COUNTED_UP_TO", 2)
    today = timezone.localdate()
    complete = {"status": Action.Status.COMPLETE, "completed_on": today}
    ActionFactory.create_batch(2, **complete)
    client.force_login(bu_user)
    assert "2 actions reported complete, awaiting sign-off" in body(client.get("/"))
    ActionFactory(**complete)
    page = body(client.get("/"))
    assert "More than 2 actions reported complete, awaiting sign-off" in page
    assert "3 actions" not in page


def test_how_many_names_one_many_and_more_than_were_counted(monkeypatch):
    from sscb import lists

    monkeypatch.setattr(lists, "COUNTED_UP_TO", 1000)
    assert lists.how_many(1, "action") == "1 action"
    assert lists.how_many(0, "finding") == "0 findings"
    assert lists.how_many(1000, "piece") == "1,000 pieces"
    assert lists.how_many(1001, "piece") == "More than 1,000 pieces"
    assert lists.how_many(1001) == "more than 1,000"
    assert lists.how_many(1234 - 300) == "934"


@pytest.mark.parametrize(
    "url", ["/learning/", "/learning/findings/", "/learning/actions/?status=open&page=1"]
)
def test_a_learning_list_is_kept_for_its_reader_until_a_record_changes(
    client, agency_user, two_agencies, bu_user, url
):
    """{% kept_for_reader %} on the learning lists and the action tracker: asked again, the same
    list in fewer queries; the agency lead, signed in first, still sees only their agency's
    actions; a record saved since shows at once."""
    from sscb.tests.kept import kept_beside_another, main_of

    made, afresh, _, lead = kept_beside_another(client, bu_user, agency_user, url)
    if "actions" in url:
        assert "Probation action" in made
        assert "Probation action" not in main_of(lead, url)[0]
    ActionFactory(owner_agency=agency_user.agency, title="Saved since")
    since, queries = main_of(client, url)
    assert ("Saved since" in since) == ("actions" in url)
    assert queries == afresh  # every list is made afresh once any record is saved


def test_an_actions_page_and_title_are_kept_for_their_reader_and_a_refused_form_is_not(
    client, agency_user, two_agencies, bu_user
):
    """The action's title and page but its files' access log are kept for their reader: asked
    again, in fewer queries; the agency lead, signed in first, never gets the Business Unit's
    copy (with its Edit link); a progress report refused is shown with its errors, afresh."""
    from sscb.tests.kept import kept_beside_another, main_of

    mine = two_agencies[0]
    url = reverse("learning:action", args=[mine.uuid])
    made, _, kept, lead = kept_beside_another(client, bu_user, agency_user, url)
    assert "Edit</a>" in made and "Edit</a>" not in main_of(lead, url)[0]

    def title(browser, response=None):
        text = (response or browser.get(url)).content.decode()
        return text[text.index("<title>") : text.index("</title>")]

    # The lead may not open the review the action answers: their title names it no more.
    assert title(client) == title(client) != title(lead) == title(lead)
    assert mine.reference in title(client) and "Review not open to you" in title(lead)
    refused = lead.post(reverse("learning:action_progress", args=[mine.uuid]), {"progress": ""})
    assert refused.status_code == 200 and "Describe the progress made." in refused.content.decode()
    assert title(lead, refused) == title(lead)


def test_an_outcomes_planned_dates_are_not_in_the_past_when_set(client, bu_user):
    """fn #8: as an action's due date, an evaluation or follow-up date set in the past is
    refused, each in words, both at once; one that has since passed stays on an edit."""
    theme = ThemeFactory()
    today = timezone.localdate()
    client.force_login(bu_user)
    url = reverse("learning:outcome_new", args=[theme.uuid])
    form = {"title": "Chronologies used", "schedule": "Briefing", "impact_measure": "Audit"}
    past, later = today - datetime.timedelta(days=326), today - datetime.timedelta(days=36)
    refused = client.post(
        url, form | {"evaluate_on": past.isoformat(), "follow_up_on": later.isoformat()}
    )
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert errors["evaluate_on"] == [
        f"The evaluation date ({say(past)}) cannot be in the past: today is {say(today)}."
    ]
    assert errors["follow_up_on"] == [
        f"The follow-up date ({say(later)}) cannot be in the past: today is {say(today)}."
    ]
    assert not LearningOutcome.objects.exists()
    soon, sooner = today + datetime.timedelta(days=90), today + datetime.timedelta(days=30)
    refused = client.post(
        url, form | {"evaluate_on": soon.isoformat(), "follow_up_on": sooner.isoformat()}
    )
    assert (
        "cannot be on or before the evaluation date"
        in refused.context["form"].errors["follow_up_on"][0]
    )
    outcome = OutcomeFactory(theme=theme, evaluate_on=past)  # set a year ago, since passed
    edit = reverse("learning:outcome_edit", args=[outcome.uuid])
    kept = form | {"evaluate_on": past.isoformat(), "title": "Renamed"}
    assert client.post(edit, kept).status_code == 302


def test_a_themes_page_names_the_step_its_loop_waits_for(client, bu_user):
    """fn #10: a practice check counts from its "Checked on" date; the check's form says so
    and the theme's page names the missing step until it is given."""
    today = timezone.localdate()
    outcome = OutcomeFactory(decision="agreed", decided_on=today)
    ActivityFactory(outcome=outcome, planned_on=today, delivered_on=today, reach=20)
    check = CheckFactory(outcome=outcome)
    client.force_login(bu_user)
    url = reverse("learning:theme", args=[outcome.theme.uuid])
    page = body(client.get(url))
    assert 'data-stage="Delivered"' in page
    assert (
        "To reach “Practice checked”: a practice development check of a delivered outcome with "
        "its “Checked on” date and what it found: a check without them does not count yet."
    ) in page
    form = body(client.get(reverse("learning:check_edit", args=[check.uuid])))
    assert "This is what moves the learning loop to “Practice checked”" in form
    PracticeCheck.objects.filter(pk=check.pk).update(checked_on=today, result="improved")
    page = body(client.get(url))
    assert 'data-stage="Practice checked"' in page
    assert (
        "To reach “Assured”: assurance evidence on that outcome, judged “Assured”, with practice "
        "checks that saw practice improve (and no agency whose latest check saw no change)."
    ) in page


def test_a_completion_says_every_problem_at_once_and_may_predate_the_tracker(
    client, agency_user, bu_user
):
    """fn #12: done before the action was typed in is accepted, not before its review was
    referred; a refused form says that beside its own errors; sign-off offers the follow-up date
    the action already holds."""
    today = timezone.localdate()
    referred = today - datetime.timedelta(days=20)
    follow_up = today + datetime.timedelta(days=120)
    action = ActionFactory(
        review=ReviewFactory(referred_on=referred),
        owner_agency=agency_user.agency,
        follow_up_on=follow_up,
        recorded_on=today,
    )
    client.force_login(agency_user)
    url = reverse("learning:action_progress", args=[action.uuid])
    early = today - datetime.timedelta(days=30)
    refused = client.post(url, {"progress": "Done", "completed_on": early.isoformat()})
    errors = refused.context["progress_form"].errors
    assert errors["completion_evidence"] == ["Say what shows the action is complete."]
    assert errors["completed_on"] == [
        f"The completion date ({say(early)}) cannot be before the review's referral "
        f"({say(referred)})."
    ]
    done = today - datetime.timedelta(days=5)
    form = {"progress": "Done", "completed_on": done.isoformat(), "completion_evidence": "Audit"}
    assert client.post(url, form).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (Action.Status.COMPLETE, done)
    client.force_login(bu_user)
    page = client.get(action.get_absolute_url())
    assert page.context["sign_off_form"]["follow_up_on"].value() == follow_up


def test_learning_delivered_earlier_than_planned_keeps_its_plan(client, bu_user):
    """fn #9: delivered before the day planned is recorded as it happened (a day that has not
    come is still refused, as is a delivery for an outcome not yet agreed)."""
    today = timezone.localdate()
    agreed = today - datetime.timedelta(days=10)
    outcome = OutcomeFactory(decision="agreed", decided_on=agreed)
    planned = today + datetime.timedelta(days=44)
    activity = ActivityFactory(outcome=outcome, planned_on=planned)
    client.force_login(bu_user)
    url = reverse("learning:activity_edit", args=[activity.uuid])
    form = {"way": activity.way, "title": activity.title, "planned_on": planned.isoformat()}
    ahead = today + datetime.timedelta(days=1)
    refused = client.post(url, form | {"delivered_on": ahead.isoformat(), "reach": "35"})
    assert refused.status_code == 400
    assert refused.context["form"].errors["delivered_on"] == [
        f"The delivery date ({say(ahead)}) cannot be in the future: today is {say(today)}."
    ]
    assert (
        client.post(url, form | {"delivered_on": today.isoformat(), "reach": "35"}).status_code
        == 302
    )
    activity.refresh_from_db()
    assert (activity.planned_on, activity.delivered_on, activity.reach) == (planned, today, 35)


@pytest.mark.parametrize(
    "reach, message",
    [
        ("99999999999", "Give the number of people, at most 100,000."),
        ("-5", "Give a number of 0 or more."),
    ],
)
def test_a_reach_no_activity_could_have_is_refused_with_one_message(
    client, bu_user, reach, message
):
    """The Board's totals add every reach: a slip of the keyboard must not reach them, and a
    refused figure is not also reported as missing."""
    outcome = OutcomeFactory()
    client.force_login(bu_user)
    delivered = timezone.localdate() - datetime.timedelta(days=3)
    response = client.post(
        reverse("learning:activity_new", args=[outcome.uuid]),
        {
            "way": "core_training",
            "title": "Neglect toolkit training",
            "planned_on": delivered.isoformat(),
            "delivered_on": delivered.isoformat(),
            "reach": reach,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["reach"] == [message]
    assert not outcome.activities.exists()


def test_a_members_home_counts_their_sub_groups_work_and_each_link_opens_what_it_counts(
    client, li, li_member
):
    """Overdue actions, sign-offs, follow-ups and evidence to judge in the member's sub-groups:
    each count opens a list of exactly those (an awaited report or another sub-group's work is
    in neither)."""
    today = timezone.localdate()
    signed_off = {
        "status": Action.Status.SIGNED_OFF,
        "signed_off_by": li_member,
        "signed_off_on": today - datetime.timedelta(days=10),
    }
    qap = SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE)
    for subgroup, times in ((li, 1), (qap, 2)):  # the other sub-group's are counted for no one
        for _ in range(times):
            ActionFactory(subgroup=subgroup, due_on=today - datetime.timedelta(days=5))
            ActionFactory(subgroup=subgroup, status=Action.Status.COMPLETE, completed_on=today)
            ActionFactory(
                subgroup=subgroup,
                **signed_off,
                completed_on=today - datetime.timedelta(days=40),
                due_on=today - datetime.timedelta(days=30),
                follow_up_on=today - datetime.timedelta(days=1),
            )
            outcome = OutcomeFactory(theme=ThemeFactory(subgroup=subgroup))
            EvidenceFactory(outcome=outcome, received_on=today)
    EvidenceFactory(outcome=OutcomeFactory(theme=ThemeFactory(subgroup=li)))  # awaited
    ActionFactory(  # signed off, its check not yet due
        subgroup=li,
        **signed_off,
        completed_on=today,
        follow_up_on=today + datetime.timedelta(days=30),
    )
    client.force_login(li_member)
    items = {
        item.title: item
        for item in client.get(reverse("home")).context["lists"]()["attention"]
        if "sub-groups" in item.title or "action" in item.title or "evidence" in item.title
    }
    assert set(items) == {
        "1 action overdue in your sub-groups",
        "1 action reported complete, awaiting sign-off",
        "1 action due a follow-up check",
        "1 piece of assurance evidence to judge",
    }
    for title, item in items.items():
        listed = client.get(item.url).context["page_obj"].paginator.count
        assert listed == 1, f"{title} opens {item.url} listing {listed}"


def test_a_members_home_never_counts_actions_they_may_not_open(client, li, li_member, bu_user):
    """An action of a restricted review the member is not on the panel of is neither listed nor
    counted: each count on the home page opens a list of as many (fr #3)."""
    today = timezone.localdate()
    restricted = ReviewFactory(subgroup=li, is_restricted=True)
    for review in (restricted, ReviewFactory(subgroup=li)):
        ActionFactory(review=review, subgroup=li, due_on=today - datetime.timedelta(days=5))
        ActionFactory(review=review, subgroup=li, status=Action.Status.COMPLETE, completed_on=today)
    client.force_login(li_member)
    items = {
        item.title: item
        for item in client.get(reverse("home")).context["lists"]()["attention"]
        if "action" in item.title
    }
    assert set(items) == {
        "1 action overdue in your sub-groups",
        "1 action reported complete, awaiting sign-off",
    }
    for title, item in items.items():
        assert client.get(item.url).context["page_obj"].paginator.count == 1, title
    client.force_login(bu_user)
    home = body(client.get(reverse("home")))
    assert "2 actions reported complete, awaiting sign-off" in home


def test_the_action_tracker_says_how_many_actions_the_figures_count_that_it_cannot_list(
    client, li, executive_user, bu_user
):
    """Opened from the Board's figures, the tracker lists only what its reader may open and
    says, as a number only, how many more the figures count (fr #2); a search of words never
    says so, nor does the list of someone who may open them all."""
    ActionFactory(review=ReviewFactory(subgroup=li), title="Listed action")
    ActionFactory(review=ReviewFactory(subgroup=li, is_restricted=True), title="Unlisted action")
    client.force_login(executive_user)
    url = reverse("learning:actions")
    page = body(client.get(url, {"subgroup": li.pk}))
    assert "Listed action" in page and "Unlisted action" not in page
    assert "1 more action matches these filters and is counted in the Board's figures" in page
    page = body(client.get(url, {"rag": "green"}))
    assert 'data-testid="not-shown"' in page  # the figures' own filters, the RAG among them
    for words in ("Unlisted", "Nothing"):
        assert 'data-testid="not-shown"' not in body(client.get(url, {"q": words}))
    client.force_login(bu_user)
    assert 'data-testid="not-shown"' not in body(client.get(url))


def test_a_new_action_opened_without_its_plan_says_where_to_add_it(client, li_member):
    client.force_login(li_member)
    response = client.get(reverse("learning:action_new"), follow=True)
    assert response.redirect_chain == [(reverse("learning:actions"), 302)]
    assert "An action belongs to a plan: add it from the review, audit" in body(response)


def test_empty_pages_say_what_is_so_not_that_all_is_done(client, bu_user):
    """With nothing recorded, the collate page does not say every finding is in a theme, and
    an outcome with no activity is not "0 of 0" delivered."""
    client.force_login(bu_user)
    collate = unescape(client.get(reverse("learning:collate")).content.decode())
    assert "No findings have been recorded yet" in collate
    assert "Every finding is in a theme" not in collate
    FindingFactory(theme=ThemeFactory())
    collate = unescape(client.get(reverse("learning:collate")).content.decode())
    assert "Every finding is in a theme" in collate
    OutcomeFactory(title="Hear the child")
    outcomes = unescape(client.get(reverse("learning:outcomes")).content.decode())
    assert "nothing planned yet" in outcomes and "0 of 0" not in outcomes
