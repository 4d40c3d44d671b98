import datetime
import re
import uuid
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from django.utils import dateformat, timezone

from audits import services
from audits.models import Audit, AuditCycle, CaseAuditEntry, SelfAssessment
from audits.tests.conftest import full_answers
from audits.tests.factories import AuditFactory, CaseAuditEntryFactory, section_11
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory, UserFactory
from sscb.tests.posting import as_posted, from_page

pytestmark = pytest.mark.django_db


def body(response):
    return unescape(response.content.decode())


def _form_data(self_assessment, score=3, **overrides):
    data = {}
    for answer in self_assessment.answers.select_related("standard"):
        n = answer.standard.number
        data[f"standard-{n}-self_score"] = str(overrides.get(f"s{n}", score))
        data[f"standard-{n}-narrative"] = f"How we meet standard {n}."
        data[f"standard-{n}-evidence"] = "Policy."
        if answer.needs_reconfirmation:
            data[f"standard-{n}-confirmed"] = "on"
    return data


# --- anonymous people are sent to sign in ---------------------------------------------------

ANY_UUID = uuid.UUID(int=1)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("audits:list", {}),
        ("audits:create", {}),
        ("audits:detail", {"uuid": ANY_UUID}),
        ("audits:edit", {"uuid": ANY_UUID}),
        ("audits:case-add", {"uuid": ANY_UUID}),
        ("audits:cycle-create", {}),
        ("audits:cycle", {"uuid": ANY_UUID}),
        ("audits:cycle-deadline", {"uuid": ANY_UUID}),
        ("audits:heat-map", {"uuid": ANY_UUID}),
        ("audits:return", {"uuid": ANY_UUID}),
        ("audits:return-edit", {"uuid": ANY_UUID}),
        ("audits:return-moderate", {"uuid": ANY_UUID, "number": 1}),
        ("audits:agency-history", {"uuid": ANY_UUID}),
    ],
)
def test_anonymous_user_is_sent_to_sign_in(client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_navigation_links_to_audits(client, member_user):
    client.force_login(member_user)
    assert 'href="/audits/"' in client.get(reverse("home")).content.decode()


# --- the audits list ------------------------------------------------------------------------


def test_agency_lead_sees_their_own_returns_and_no_cycles(
    client, agency_user, police_return, csc_return
):
    client.force_login(agency_user)
    page = body(client.get(reverse("audits:list")))
    assert "Your agency's returns" in page
    assert reverse("audits:return-edit", args=[police_return.uuid]) in page
    assert reverse("audits:return-edit", args=[csc_return.uuid]) not in page
    assert "Self-assessment cycles" not in page


def test_qap_member_sees_cycles_with_counts(client, qap_user, cycle, police_return, submit):
    submit(police_return)
    client.force_login(qap_user)
    page = body(client.get(reverse("audits:list")))
    assert "Section 11 audit 2025/26" in page
    assert "1 of 2" in page
    assert "Open a cycle" not in page  # the Business Unit opens cycles


def test_reviewer_sees_an_empty_list_that_says_what_to_do(client, reviewer_user):
    AuditFactory()
    client.force_login(reviewer_user)
    response = client.get(reverse("audits:list"))
    assert response.status_code == 200
    assert "No audits match." in body(response)


def test_list_filters_by_kind(client, member_user):
    AuditFactory(title="Neglect themed audit")
    AuditFactory(title="Exploitation case file audit", kind=Audit.Kind.CASE_FILE)
    client.force_login(member_user)
    page = body(client.get(reverse("audits:list"), {"kind": "case_file"}))
    assert "Exploitation case file audit" in page
    assert "Neglect themed audit" not in page


# --- recording audits -----------------------------------------------------------------------


def _audit_post(qap, agencies, **changes):
    data = {
        "kind": "themed",
        "title": "Neglect in under fives",
        "lead_subgroup": qap.pk,
        "reports_to": qap.pk,
        "scope": "Chronic neglect.",
        "period_start": "2025-04-01",
        "period_end": "2025-09-30",
        "agencies": [a.pk for a in agencies],
    }
    data.update(changes)
    return data


def test_agency_lead_may_not_record_an_audit(client, agency_user):
    client.force_login(agency_user)
    assert client.get(reverse("audits:create")).status_code == 403


def test_qap_member_records_an_audit(client, qap_user, qap, agency):
    client.force_login(qap_user)
    assert client.get(reverse("audits:create")).status_code == 200
    response = client.post(reverse("audits:create"), _audit_post(qap, [agency]))
    audit = Audit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:detail", args=[audit.uuid])
    assert audit.reference.startswith("MATA-")
    assert list(audit.agencies.all()) == [agency]


def test_bad_audit_dates_are_explained_and_nothing_is_saved(client, qap_user, qap, agency):
    client.force_login(qap_user)
    response = client.post(
        reverse("audits:create"), _audit_post(qap, [agency], period_end="2025-01-01")
    )
    assert response.status_code == 200
    assert (
        "The end of the audit period (1 January 2025) cannot be before its start (1 April 2025)."
        in body(response)
    )
    assert not Audit.objects.exists()


def test_audit_detail_access(client, agency_user, other_lead, agency, other_agency, member_user):
    audit = AuditFactory(agencies=[agency])
    client.force_login(other_lead)
    assert client.get(reverse("audits:detail", args=[audit.uuid])).status_code == 404
    client.force_login(agency_user)
    assert client.get(reverse("audits:detail", args=[audit.uuid])).status_code == 200
    client.force_login(member_user)
    assert client.get(reverse("audits:detail", args=[audit.uuid])).status_code == 200
    assert client.get(reverse("audits:edit", args=[audit.uuid])).status_code == 403


def test_an_audits_page_leads_on_to_its_learning_for_those_who_may_record_it(
    client, qap_user, qap, agency_user, agency
):
    """Its golden thread for every reader; a finding and an action from it for those who record
    the work (fn #4), each opening with the audit chosen."""
    audit = AuditFactory(lead_subgroup=qap, reports_to=qap, agencies=[agency])
    thread = reverse("learning:thread_audit", args=[audit.uuid])
    finding = f"{reverse('learning:finding_new')}?audit={audit.uuid}"
    action = f"{reverse('learning:action_new')}?audit={audit.uuid}"
    client.force_login(qap_user)
    page = body(client.get(reverse("audits:detail", args=[audit.uuid])))
    assert "Learning from this audit" in page
    for link in (thread, finding, action):
        assert f'href="{link}"' in page
        assert client.get(link).status_code == 200, link
    assert client.get(finding).context["form"].initial["audit"] == audit
    client.force_login(agency_user)
    page = body(client.get(reverse("audits:detail", args=[audit.uuid])))
    assert f'href="{thread}"' in page and client.get(thread).status_code == 200
    assert f'href="{finding}"' not in page and f'href="{action}"' not in page


def test_lead_subgroup_edits_and_moves_the_audit(client, qap_user, qap, agency):
    audit = AuditFactory(lead_subgroup=qap, reports_to=qap, agencies=[agency])
    client.force_login(qap_user)
    response = client.post(
        reverse("audits:edit", args=[audit.uuid]), _audit_post(qap, [agency], title="Renamed")
    )
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.title == "Renamed"
    client.post(reverse("audits:stage", args=[audit.uuid]), {"stage": "complete"})
    audit.refresh_from_db()
    assert audit.stage == Audit.Stage.PLANNED
    response = client.post(
        reverse("audits:stage", args=[audit.uuid]), {"stage": "in_progress"}, follow=True
    )
    assert "The audit is now at “In progress”." in body(response)


def test_an_edit_keeps_an_archived_agency_and_another_sub_groups_lead(
    client, qap_user, qap, agency
):
    """A QAP member may edit any audit: saving one led by L&I keeps its lead, and an agency
    archived since stays a participant (and so keeps what its lead sees), offered and marked;
    none archived is added by sending its key."""
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    archived = AgencyFactory(name="Education Access", is_active=False)
    closed = AgencyFactory(name="Closed Trust", is_active=False)
    audit = AuditFactory(lead_subgroup=li, reports_to=qap, agencies=[agency, archived])
    client.force_login(qap_user)
    url = reverse("audits:edit", args=[audit.uuid])
    html = client.get(url).content.decode()
    assert "Education Access (archived)" in unescape(html) and "Closed Trust" not in html
    assert client.post(url, from_page(html, title="Renamed")).status_code == 302
    audit.refresh_from_db()
    assert (audit.title, audit.lead_subgroup) == ("Renamed", li)
    assert set(audit.agencies.all()) == {agency, archived}
    refused = client.post(url, from_page(html, agencies=[str(agency.pk), str(closed.pk)]))
    assert "Choose one of the options shown." in body(refused)
    assert set(audit.agencies.all()) == {agency, archived}


def test_stage_move_refused_for_readers(client, member_user):
    audit = AuditFactory()
    client.force_login(member_user)
    response = client.post(reverse("audits:stage", args=[audit.uuid]), {"stage": "in_progress"})
    assert response.status_code == 403


def test_case_file_audit_grades_cases(client, qap_user, qap, agency):
    audit = AuditFactory(kind=Audit.Kind.CASE_FILE, lead_subgroup=qap, agencies=[agency])
    client.force_login(qap_user)
    data = {"pseudonym": "Child A", "agency": agency.pk, "grade": "requires_improvement"}
    response = client.post(reverse("audits:case-add", args=[audit.uuid]), data, follow=True)
    page = body(response)
    assert "Child A graded for Police." in page
    assert "Requires improvement: 1" in page
    response = client.post(reverse("audits:case-add", args=[audit.uuid]), data)
    assert "Child A is already graded for Police in this audit." in body(response)
    assert CaseAuditEntry.objects.count() == 1


@time_machine.travel(datetime.date(2026, 12, 7))
def test_an_audit_period_in_the_future_or_before_2000_is_refused_in_words(
    client, qap_user, qap, agency
):
    client.force_login(qap_user)
    page = body(client.get(reverse("audits:create")))
    assert "Lead sub-group" in page and "Lead subgroup" not in page
    response = client.post(
        reverse("audits:create"),
        _audit_post(qap, [agency], period_start="1999-04-01", period_end="2030-03-31"),
    )
    page = body(response)
    assert "The start of the audit period (1 April 1999) is before 2000: check the year." in page
    assert (
        "The end of the audit period (31 March 2030) cannot be in the future: today is "
        "7 December 2026." in page
    )
    assert not Audit.objects.exists()


def _stage_choices(page):
    """The stages the audit's page offers to move it to."""
    if "Move the audit on" not in page:
        return []
    form = page.split("Move the audit on")[1].split("</form>")[0]
    return re.findall(r'<option value="([a-z_]+)"', form)


def test_an_audits_page_offers_only_the_moves_it_may_make(client, qap_user, qap, agency):
    audit = AuditFactory(kind=Audit.Kind.CASE_FILE, lead_subgroup=qap, agencies=[agency])
    client.force_login(qap_user)
    url = reverse("audits:detail", args=[audit.uuid])
    assert _stage_choices(body(client.get(url))) == ["in_progress"]
    Audit.objects.filter(pk=audit.pk).update(stage=Audit.Stage.REPORTING)
    page = body(client.get(url))
    assert _stage_choices(page) == ["in_progress"]
    to_complete = page.split('data-testid="to-complete"')[1]
    assert "A complete audit needs its summary of findings" in to_complete
    assert "A complete case file audit needs at least one graded case" in to_complete
    # Sent anyway (a page left open), the move is refused in words and nothing changes.
    response = client.post(
        reverse("audits:stage", args=[audit.uuid]), {"stage": "complete"}, follow=True
    )
    assert "A complete audit needs its summary of findings" in body(response)
    audit.refresh_from_db()
    assert audit.stage == Audit.Stage.REPORTING

    CaseAuditEntryFactory(audit=audit, agency=agency)
    Audit.objects.filter(pk=audit.pk).update(summary="Timely strategy discussions.")
    assert _stage_choices(body(client.get(url))) == ["complete", "in_progress"]
    client.post(reverse("audits:stage", args=[audit.uuid]), {"stage": "complete"})
    audit.refresh_from_db()
    assert audit.stage == Audit.Stage.COMPLETE
    page = body(client.get(url))
    assert "Move the audit on" not in page and 'name="stage"' not in page


# --- cycles ---------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2025, 5, 1, 12, 0))
def test_only_the_business_unit_opens_a_cycle(client, qap_user, bu_user, agency):
    client.force_login(qap_user)
    assert client.get(reverse("audits:cycle-create")).status_code == 403
    client.force_login(bu_user)
    assert client.get(reverse("audits:cycle-create")).status_code == 200
    response = client.post(
        reverse("audits:cycle-create"),
        {
            "framework": section_11().pk,
            "title": "Section 11 audit 2025/26",
            "financial_year": 2025,
            "opened_on": "2025-05-01",
            "deadline": "2025-07-31",
        },
        follow=True,
    )
    assert "Section 11 audit 2025/26 opened: 1 return sent." in body(response)
    assert SelfAssessment.objects.get().agency == agency


@time_machine.travel(datetime.datetime(2026, 12, 3, 12, 0))
def test_a_cycles_financial_year_is_chosen_by_its_name(client, bu_user):
    client.force_login(bu_user)
    page = body(client.get(reverse("audits:cycle-create")))
    assert '<option value="2027">2027/28</option>' in page  # next year's returns, opened early
    assert '<option value="2026" selected>2026/27</option>' in page  # this year, by default
    assert 'type="number" name="financial_year"' not in page


@time_machine.travel(datetime.date(2026, 12, 7))
def test_a_cycle_with_dates_that_cannot_be_is_refused_in_words(client, bu_user, agency):
    client.force_login(bu_user)
    response = client.post(
        reverse("audits:cycle-create"),
        {
            "framework": section_11().pk,
            "title": "Section 11 audit 2027/28",
            "financial_year": 2027,
            "opened_on": "1901-01-01",
            "deadline": "1901-03-01",
        },
    )
    assert (
        "The opening date (1 January 1901) must fall between 1 April 2026 and 31 March 2028 "
        "for a 2027/28 cycle" in body(response)
    )
    response = client.post(
        reverse("audits:cycle-create"),
        {
            "framework": section_11().pk,
            "title": "Section 11 audit 2026/27",
            "financial_year": 2026,
            "opened_on": "2026-12-01",
            "deadline": "2099-01-01",
        },
    )
    assert (
        "The deadline (1 January 2099) cannot be after the end of the 2026/27 financial year "
        "(31 March 2027)" in body(response)
    )
    assert not AuditCycle.objects.exists() and not SelfAssessment.objects.exists()


def test_the_business_unit_changes_a_cycles_deadline_from_its_page(
    client, bu_user, qap_user, cycle
):
    url = reverse("audits:cycle-deadline", args=[cycle.uuid])
    client.force_login(qap_user)
    assert "change the deadline" not in body(client.get(reverse("audits:cycle", args=[cycle.uuid])))
    assert client.get(url).status_code == 403
    assert client.post(url, {"deadline": "2025-09-30"}).status_code == 403

    client.force_login(bu_user)
    assert url in body(client.get(reverse("audits:cycle", args=[cycle.uuid])))
    assert "now 31 July 2025" in body(client.get(url))
    refused = client.post(url, {"deadline": "2099-01-01"})
    assert refused.status_code == 400
    assert "The deadline (1 January 2099) cannot be after the end of the 2025/26" in body(refused)
    cycle.refresh_from_db()
    assert cycle.deadline == datetime.date(2025, 7, 31)

    response = client.post(url, {"deadline": "2025-09-30"}, follow=True)
    page = body(response)
    assert "Deadline changed." in page
    assert page.split('data-testid="deadline"')[1].startswith(">30 Sep 2025<")
    changes = page.split('data-testid="deadline-changes"')[1]
    today = dateformat.format(timezone.localdate(), "j M Y")
    assert f"Deadline moved from 31 Jul 2025 to 30 Sep 2025 on {today} by {bu_user}." in changes


def test_a_second_cycle_for_the_same_year_is_refused_in_words(client, bu_user, cycle):
    client.force_login(bu_user)
    response = client.post(
        reverse("audits:cycle-create"),
        {
            "framework": section_11().pk,
            "title": "Again",
            "financial_year": 2025,
            "opened_on": "2025-05-01",
            "deadline": "2025-07-31",
        },
    )
    assert "cycle is already open for that financial year" in body(response)


@time_machine.travel(datetime.datetime(2025, 8, 5, 12, 0))
def test_cycle_page_shows_who_is_late(client, qap_user, cycle, police_return, submit):
    submit(police_return)
    client.force_login(qap_user)
    response = client.get(reverse("audits:cycle", args=[cycle.uuid]))
    page = body(response)
    assert response.context["progress"]["late_count"] == 1
    assert response.context["progress"]["returned_count"] == 1
    assert "late" in page.split("Children's Social Care")[1]


def _next_cycle(agency, bu_user):
    """The following year's Section 11 cycle, carrying forward last year's answers."""
    return services.audit_cycle_open(
        framework=section_11(),
        title="Section 11 audit 2026/27",
        financial_year=2026,
        opened_on=datetime.date(2026, 5, 1),
        deadline=datetime.date(2026, 7, 31),
        agencies=[agency],
        by=bu_user,
    )


def test_a_return_not_started_has_answered_no_standard_whatever_it_carried_forward(
    client, qap_user, cycle, police_return, submit, agency, bu_user
):
    submit(police_return)
    following = _next_cycle(agency, bu_user)
    client.force_login(qap_user)
    response = client.get(reverse("audits:cycle", args=[following.uuid]))
    [item] = response.context["returns"]
    assert item.get_status_display() == "Not started"
    assert (item.answered, item.to_reconfirm) == (0, 8)
    row = body(response).split('data-testid="returns"')[1].split("</tr>")[1]
    assert "<td>0 " in row and "8 carried forward to re-confirm" in row
    # Confirmed, an answer counts as answered.
    answers = full_answers(following.returns.get())
    first = next(iter(answers))
    answers = {first: answers[first] | {"confirmed": True}}
    services.self_assessment_save_draft(
        self_assessment=following.returns.get(), answers=answers, by=bu_user
    )
    [item] = client.get(reverse("audits:cycle", args=[following.uuid])).context["returns"]
    assert (item.status, item.answered, item.to_reconfirm) == ("draft", 1, 7)


def test_agency_lead_cannot_open_cycle_results(client, agency_user, cycle):
    client.force_login(agency_user)
    assert client.get(reverse("audits:cycle", args=[cycle.uuid])).status_code == 404
    assert client.get(reverse("audits:heat-map", args=[cycle.uuid])).status_code == 404


def test_heat_map_shows_self_and_moderated_scores_and_the_not_met_flag(
    client, executive_user, qap_user, cycle, police_return, submit
):
    submit(police_return, s1=1)
    answer = police_return.answers.get(standard__number=2)
    services.standard_assessment_moderate(
        standard_assessment=answer, moderated_score=2, by=qap_user
    )
    client.force_login(executive_user)
    response = client.get(reverse("audits:heat-map", args=[cycle.uuid]))
    assert response.status_code == 200
    rows = {row.self_assessment.agency.short_name: row for row in response.context["rows"]}
    assert (rows["Police"].cells[1].self_score, rows["Police"].cells[1].moderated_score) == (3, 2)
    page = body(response)
    assert "Action needed" in page
    assert "not returned" in page


# --- returns --------------------------------------------------------------------------------


def test_agency_lead_cannot_open_another_agencys_return(
    client, agency_user, police_return, csc_return
):
    client.force_login(agency_user)
    for name in ("audits:return", "audits:return-edit"):
        assert client.get(reverse(name, args=[csc_return.uuid])).status_code == 404
        assert client.get(reverse(name, args=[police_return.uuid])).status_code == 200
    for name in ("audits:return-save", "audits:return-submit"):
        response = client.post(reverse(name, args=[csc_return.uuid]), _form_data(csc_return))
        assert response.status_code == 404
    assert csc_return.answers.filter(self_score__isnull=False).count() == 0


def test_qap_member_reads_but_does_not_fill_in_a_return(client, qap_user, police_return):
    client.force_login(qap_user)
    assert client.get(reverse("audits:return", args=[police_return.uuid])).status_code == 200
    assert client.get(reverse("audits:return-edit", args=[police_return.uuid])).status_code == 403


def test_agency_lead_saves_a_draft_then_submits(client, agency_user, police_return):
    client.force_login(agency_user)
    save = reverse("audits:return-save", args=[police_return.uuid])
    submit = reverse("audits:return-submit", args=[police_return.uuid])
    page = body(client.get(reverse("audits:return-edit", args=[police_return.uuid])))
    assert f'action="{save}"' in page and f'formaction="{submit}"' in page
    response = client.post(save, _form_data(police_return, s4=1), follow=True)
    assert "Draft saved." in body(response)
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.DRAFT
    response = client.post(submit, _form_data(police_return, s4=1), follow=True)
    assert "Return submitted to the partnership." in body(response)
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.SUBMITTED
    assert "Not met: action needed" in body(response)
    # Read-only from now on: the edit page sends them back, a post changes nothing.
    for url in (save, submit):
        response = client.post(url, _form_data(police_return, score=4), follow=True)
        assert "can no longer be changed" in body(response)
        assert not police_return.answers.filter(self_score=4).exists()


def test_an_incomplete_submission_changes_nothing(client, agency_user, police_return):
    client.force_login(agency_user)
    data = _form_data(police_return)
    data["standard-3-narrative"] = ""
    response = client.post(reverse("audits:return-submit", args=[police_return.uuid]), data)
    assert response.status_code == 200
    assert "The return was not submitted, and nothing in it has changed." in body(response)
    assert "Say how you meet standard 3." in body(response)
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.NOT_STARTED
    assert not police_return.answers.filter(self_score__isnull=False).exists()


def test_a_refused_draft_shows_every_answer_that_needs_correcting(
    client, agency_user, police_return
):
    client.force_login(agency_user)
    data = _form_data(police_return, s2=9, s5=9)
    response = client.post(reverse("audits:return-save", args=[police_return.uuid]), data)
    assert response.status_code == 200
    page = body(response)
    assert "The return was not saved, and nothing in it has changed." in page
    # Both answers say so, not only the first.
    assert page.count("Choose one of the options shown.") == 2
    assert not police_return.answers.filter(self_score__isnull=False).exists()


def test_pages_flag_standards_needing_an_action_only_once_the_return_is_in(
    client, qap_user, other_lead, cycle, police_return, csc_return, submit, bu_user
):
    services.self_assessment_save_draft(
        self_assessment=csc_return, answers=full_answers(csc_return, s1=1), by=bu_user
    )
    submit(police_return, s2=1, s5=1)
    client.force_login(qap_user)
    page = body(client.get(reverse("audits:cycle", args=[cycle.uuid])))
    assert page.count("need an action") == 1 and "2 need an action" in page
    page = body(client.get(reverse("audits:return", args=[police_return.uuid])))
    assert page.count("Not met: action needed") == 2
    # The draft's answers are the agency's own: QAP reads none of them, its lead reads them all.
    page = body(client.get(reverse("audits:return", args=[csc_return.uuid])))
    assert "Self-assessed:" not in page and "Not met: action needed" not in page
    client.force_login(other_lead)
    page = body(client.get(reverse("audits:return", args=[csc_return.uuid])))
    assert page.count("Self-assessed:") == 8 and "Not met: action needed" not in page
    # Moderated up, one standard of the police's is left not met.
    services.standard_assessment_moderate(
        standard_assessment=police_return.answers.get(standard__number=2),
        moderated_score=3,
        by=qap_user,
    )
    client.force_login(qap_user)
    page = body(client.get(reverse("audits:cycle", args=[cycle.uuid])))
    assert "1 needs an action" in page


def test_a_carried_forward_answer_shows_to_re_confirm(
    client, agency_user, cycle, police_return, submit, agency, bu_user
):
    submit(police_return)
    following = _next_cycle(agency, bu_user)
    client.force_login(agency_user)
    page = body(client.get(reverse("audits:return-edit", args=[following.returns.get().uuid])))
    assert page.count("To re-confirm") == 8
    assert "This answer from the last cycle still stands" in page


def test_qap_member_moderates_a_standard(client, qap_user, agency_user, police_return, submit):
    submit(police_return)
    url = reverse("audits:return-moderate", args=[police_return.uuid, 6])
    client.force_login(agency_user)
    assert client.get(url).status_code == 403
    client.force_login(qap_user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"moderated_score": ""})
    assert "Choose the moderated score for this standard." in body(response)
    response = client.post(
        url,
        {
            "moderated_score": "1",
            "moderation_comment": "No DBS renewals.",
            "challenge_notes": "Agreed.",
        },
        follow=True,
    )
    assert "Standard 6 moderated." in body(response)
    answer = police_return.answers.get(standard__number=6)
    assert (answer.moderated_score, answer.moderated_by) == (1, qap_user)


def test_a_draft_cannot_be_moderated_through_the_page(client, qap_user, police_return):
    client.force_login(qap_user)
    url = reverse("audits:return-moderate", args=[police_return.uuid, 1])
    response = client.post(url, {"moderated_score": "3"}, follow=True)
    assert "has not been submitted yet" in body(response)
    assert police_return.answers.get(standard__number=1).moderated_score is None


def test_qap_sends_a_submitted_return_back(client, qap_user, agency_user, police_return, submit):
    submit(police_return)
    url = reverse("audits:return-send-back", args=[police_return.uuid])
    client.force_login(agency_user)
    assert client.post(url).status_code == 403
    client.force_login(qap_user)
    assert client.post(url, {"sent_back_reason": "Say more about standard 2."}).status_code == 302
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.DRAFT


def test_school_return_asks_for_sign_off(client, bu_user, school_cycle):
    school_return = school_cycle.returns.get()
    client.force_login(bu_user)
    url = reverse("audits:return-submit", args=[school_return.uuid])
    assert "Head teacher signed on" in body(
        client.get(reverse("audits:return-edit", args=[school_return.uuid]))
    )
    response = client.post(url, _form_data(school_return))
    assert "The head teacher must sign the return off (name and date)." in body(response)
    data = _form_data(school_return)
    data.update(
        {
            "signoff-head_teacher": "A. Head",
            "signoff-head_teacher_signed_on": "2025-07-01",
            "signoff-safeguarding_governor": "G. Governor",
            "signoff-safeguarding_governor_signed_on": "2025-07-02",
        }
    )
    client.post(url, data)
    school_return.refresh_from_db()
    assert school_return.status == SelfAssessment.Status.SUBMITTED
    assert school_return.head_teacher == "A. Head"


# --- history --------------------------------------------------------------------------------


def test_agency_history_is_the_agencys_own(
    client, agency_user, other_lead, agency, police_return, submit
):
    submit(police_return, s3=2)
    url = reverse("audits:agency-history", args=[agency.uuid])
    client.force_login(other_lead)
    assert client.get(url).status_code == 404
    client.force_login(agency_user)
    response = client.get(url)
    assert response.status_code == 200
    assert "S 2 · M –" in body(response)


def test_qap_reads_any_agencys_history(client, qap_user, other_agency, cycle):
    client.force_login(qap_user)
    response = client.get(reverse("audits:agency-history", args=[other_agency.uuid]))
    assert response.status_code == 200
    assert "2025/26" in body(response)


# --- home page ------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2025, 7, 25, 12, 0))
def test_home_tells_the_agency_lead_about_their_open_return(client, agency_user, police_return):
    client.force_login(agency_user)
    page = body(client.get(reverse("home")))
    assert "Section 11 audit 2025/26: your return is due in 6 days" in page
    assert reverse("audits:return-edit", args=[police_return.uuid]) in page


@time_machine.travel(datetime.datetime(2025, 8, 5, 12, 0))
def test_home_tells_qap_what_awaits_moderation_and_what_is_overdue(
    client, qap_user, executive_user, police_return, submit
):
    submit(police_return)
    client.force_login(qap_user)
    home = client.get(reverse("home"))
    page = body(home)
    assert "Section 11 audit 2025/26: 1 return awaiting moderation" in page
    assert "Section 11 audit 2025/26: 1 return overdue" in page
    items = home.context["lists"]()["attention"]
    awaiting = next(item for item in items if "awaiting" in item.title)
    listed = client.get(awaiting.url).context["returns"]
    assert [r.pk for r in listed] == [police_return.pk]  # the cycle's returns awaiting, only
    overdue = next(item for item in items if "overdue" in item.title)
    listed = client.get(overdue.url).context["returns"]
    assert len(listed) == 1 and listed[0].pk != police_return.pk and listed[0].late
    client.force_login(executive_user)
    assert "awaiting moderation" not in body(client.get(reverse("home")))


# --- fixed query counts ---------------------------------------------------------------------


def _cycle_with(n, bu_user, year):
    agencies = [AgencyFactory() for _ in range(n)]
    cycle = services.audit_cycle_open(
        framework=section_11(),
        title=f"Cycle {year}",
        financial_year=year,
        opened_on=datetime.date(year, 5, 1),
        deadline=datetime.date(year, 7, 31),
        agencies=agencies,
        by=bu_user,
    )
    # By key, as the tests pick a submitted return (the first) and an unsent one (the last):
    # by the returns' own order (their agency's name, made up by a factory) either may be sent.
    for item in cycle.returns.order_by("pk")[: n // 2]:
        services.self_assessment_save_draft(
            self_assessment=item, answers=full_answers(item), by=bu_user
        )
        services.self_assessment_submit(self_assessment=item, by=bu_user)
    return cycle


def test_heat_map_runs_the_same_queries_for_2_or_50_agencies(
    client, qap_user, bu_user, count_queries, django_assert_max_num_queries
):
    client.force_login(qap_user)
    small = _cycle_with(2, bu_user, 2024)
    small_count = count_queries(reverse("audits:heat-map", args=[small.uuid]))
    large = _cycle_with(50, bu_user, 2025)
    with django_assert_max_num_queries(small_count):
        response = client.get(reverse("audits:heat-map", args=[large.uuid]))
    assert len(response.context["rows"]) == 50


@pytest.mark.parametrize(
    "page_name", ["list", "cycle", "history", "return", "return-edit", "detail", "home"]
)
def test_pages_run_the_same_queries_for_2_or_50_rows(
    client, bu_user, count_queries, django_assert_max_num_queries, page_name
):
    client.force_login(bu_user)

    def url(cycle):
        first = cycle.returns.order_by("pk").first()
        unsent = cycle.returns.order_by("pk").last()  # _cycle_with submits the first half
        return {
            "return-edit": reverse("audits:return-edit", args=[unsent.uuid]),
            "detail": reverse("audits:detail", args=[case_file.uuid]),
            "home": reverse("home"),
            "list": reverse("audits:list"),
            "cycle": reverse("audits:cycle", args=[cycle.uuid]),
            "history": reverse("audits:agency-history", args=[first.agency.uuid]),
            "return": reverse("audits:return", args=[first.uuid]),
        }[page_name]

    small = _cycle_with(2, bu_user, 2024)
    case_file = AuditFactory(kind=Audit.Kind.CASE_FILE)
    for _ in range(2):
        CaseAuditEntryFactory(audit=case_file)
    small_count = count_queries(url(small))
    large = _cycle_with(50, bu_user, 2025)
    for _ in range(48):
        CaseAuditEntryFactory(audit=case_file)
        AuditFactory()
    large_url = url(large)
    with django_assert_max_num_queries(small_count):
        assert client.get(large_url).status_code == 200


def test_every_new_user_role_gets_somewhere_from_the_list(client):
    for role in ("business_unit", "subgroup_member", "executive", "independent_reviewer"):
        client.force_login(UserFactory(role=role))
        assert client.get(reverse("audits:list")).status_code == 200


def test_two_people_answering_the_same_standard_of_a_return(
    client, agency_user, make_user, police_return
):
    deputy = make_user(role="agency_lead", agency=agency_user.agency, username="deputy")
    url = reverse("audits:return-edit", args=[police_return.uuid])
    client.force_login(agency_user)
    page = client.get(url)
    data = as_posted(*page.context["forms"])
    answers = full_answers(police_return)
    first = next(iter(answers))
    answers[first]["narrative"] = "The deputy's account of standard 1."
    services.self_assessment_save_draft(self_assessment=police_return, answers=answers, by=deputy)

    refused = client.post(
        reverse("audits:return-save", args=[police_return.uuid]),
        {**data, "standard-1-narrative": "Mine."},
    )

    page = body(refused)
    assert "Some answers need correcting" in page
    assert f"{deputy}, at " in page
    assert "Saved now: “The deputy's account of standard 1.”" in page
    saved = police_return.answers.get(standard_id=first)
    assert saved.narrative == "The deputy's account of standard 1."
