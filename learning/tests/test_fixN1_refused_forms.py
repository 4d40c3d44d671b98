"""A form typed on a record's page and refused shows that page again with what was typed and
why, changing nothing (README: "nothing is saved and what was typed stays in the form"); the
pages that said "No actions yet", hid "Edit" on evidence and dropped a chosen file silently."""

import datetime
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from learning.models import AssuranceEvidence, LearningOutcome, PriorityTheme
from learning.tests.factories import (
    ActionFactory,
    ActivityFactory,
    CheckFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ThemeFactory,
)
from sscb.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

DISCUSSION = (
    "The Executive agreed the outcome with a shorter schedule. The designated officer, on "
    "01743 123456, will report back in June."
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def body(response):
    return unescape(response.content.decode())


def words(response):
    return " ".join(strip_tags(body(response)).split())


def textarea(response, name):
    """What the page's ``name`` text box holds."""
    found = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', body(response), re.S)
    return found.group(1).strip() if found else None


# 1. The Executive's decision -------------------------------------------------------------------


def test_a_decision_refused_for_a_phone_number_keeps_what_was_typed(client, executive_user):
    outcome = OutcomeFactory()
    client.force_login(executive_user)
    refused = client.post(
        reverse("learning:outcome_decide", args=[outcome.uuid]),
        {"decision": "amended", "notes": DISCUSSION},
    )
    assert refused.status_code == 200  # the outcome's page again, not a redirect
    form = refused.context["decision_form"]
    assert "This looks like a phone number" in " ".join(form.errors["notes"])
    assert textarea(refused, "notes") == DISCUSSION
    assert re.search(r'value="amended"[^>]*checked', body(refused))
    assert "The Executive's decision is recorded." not in body(refused)
    outcome.refresh_from_db()
    assert (outcome.decision, outcome.decision_notes) == (LearningOutcome.Decision.PENDING, "")


def test_a_decision_dated_in_the_future_keeps_its_discussion(client, executive_user):
    outcome = OutcomeFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    client.force_login(executive_user)
    refused = client.post(
        reverse("learning:outcome_decide", args=[outcome.uuid]),
        {"decision": "agreed", "notes": "Agreed at the Executive.", "decided_on": tomorrow},
    )
    assert refused.status_code == 200
    [error] = refused.context["decision_form"].errors["decided_on"]
    assert "cannot be in the future" in error
    assert textarea(refused, "notes") == "Agreed at the Executive."
    assert f'value="{tomorrow.isoformat()}"' in body(refused)
    outcome.refresh_from_db()
    assert outcome.decision == LearningOutcome.Decision.PENDING


def test_a_refused_decision_runs_the_same_queries_for_few_or_many_rows(
    client, executive_user, agency, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    outcome = OutcomeFactory()
    url = reverse("learning:outcome_decide", args=[outcome.uuid])
    refusal = {"decision": "agreed", "notes": DISCUSSION}
    client.force_login(executive_user)

    def grow(n):
        for _ in range(n):
            ActivityFactory(outcome=outcome)
            CheckFactory(outcome=outcome, agency=agency)
            EvidenceFactory(outcome=outcome, agency=agency)
            ActionFactory(outcome=outcome, review=None, plan=f"outcome:{outcome.pk}")

    grow(2)
    with CaptureQueriesContext(connection) as few:
        assert client.post(url, refusal).status_code == 200
    grow(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.post(url, refusal).status_code == 200


# Moving a theme --------------------------------------------------------------------------------


def test_a_theme_move_refused_says_why_beside_the_moves(client, bu_user):
    theme = ThemeFactory(status=PriorityTheme.Status.AGREED)  # no finding yet
    client.force_login(bu_user)
    url = reverse("learning:theme_move", args=[theme.uuid])
    refused = client.post(url, {"to": "active"})
    assert refused.status_code == 200
    assert "Nothing was changed: A theme needs at least one finding before it becomes active." in (
        words(refused)
    )
    assert "Mark active" in body(refused)  # the moves it offers, read again
    theme.refresh_from_db()
    assert theme.status == PriorityTheme.Status.AGREED
    nonsense = client.post(url, {"to": "finished"})
    assert "Choose a status to move the theme to." in words(nonsense)
    FindingFactory(theme=theme)
    moved = client.post(url, {"to": "active"})
    assert moved.status_code == 302
    theme.refresh_from_db()
    assert theme.status == PriorityTheme.Status.ACTIVE


# 2. Collate ------------------------------------------------------------------------------------


def test_collate_keeps_the_ticks_when_no_theme_is_chosen(client, bu_user):
    ThemeFactory(status=PriorityTheme.Status.ACTIVE)
    ticked = [FindingFactory(theme=None), FindingFactory(theme=None)]
    left = FindingFactory(theme=None)
    client.force_login(bu_user)
    refused = client.post(reverse("learning:collate"), {"findings": [f.pk for f in ticked]})
    assert refused.status_code == 400
    assert "Choose the theme to put these findings into." in body(refused)
    for finding in ticked:
        assert re.search(rf'value="{finding.pk}" id="f{finding.pk}"[^>]*checked', body(refused))
    assert not re.search(rf'value="{left.pk}" id="f{left.pk}"[^>]*checked', body(refused))
    fresh = client.get(reverse("learning:collate"))
    assert " checked" not in body(fresh).split("<tbody>")[-1].split("</tbody>")[0]


# 3. Editing assurance evidence -----------------------------------------------------------------


def test_evidence_offers_edit_to_its_sub_group_only(client, li, li_member, agency_user):
    evidence = EvidenceFactory(
        outcome=OutcomeFactory(theme=ThemeFactory(subgroup=li)), agency=agency_user.agency
    )
    edit = reverse("learning:evidence_edit", args=[evidence.uuid])
    client.force_login(li_member)
    assert edit in body(client.get(evidence.get_absolute_url()))
    assert edit in body(client.get(evidence.outcome.get_absolute_url()))
    assert client.get(edit).status_code == 200
    client.force_login(agency_user)  # the agency asked may see it, not edit it
    assert client.get(evidence.get_absolute_url()).status_code == 200
    assert edit not in body(client.get(evidence.get_absolute_url()))
    assert client.get(edit).status_code == 403


# Smaller: where an action is added, and a chosen file -----------------------------------------


def test_a_finding_without_actions_says_where_one_is_added(client, bu_user):
    finding = FindingFactory()
    client.force_login(bu_user)
    page = body(client.get(finding.get_absolute_url()))
    assert "No actions yet." in page
    assert f"{reverse('learning:action_new')}?review={finding.review.uuid}" in page
    assert "choose this finding in it" in page
    ActionFactory(review=finding.review, finding=finding)
    assert "choose this finding in it" not in body(client.get(finding.get_absolute_url()))


def test_a_refused_evidence_says_to_choose_the_file_again(client, agency_user):
    evidence = EvidenceFactory(agency=agency_user.agency, requested_on=datetime.date(2025, 6, 1))
    client.force_login(agency_user)
    url = reverse("learning:evidence_provide", args=[evidence.uuid])
    refused = client.post(
        url, {"summary": DISCUSSION, "file": SimpleUploadedFile("report.pdf", PDF)}
    )
    assert refused.status_code == 200
    assert "the file you chose is not kept: choose it again" in words(refused)
    assert textarea(refused, "summary") == DISCUSSION
    evidence.refresh_from_db()
    assert evidence.received_on is None
    without_file = client.post(url, {"summary": DISCUSSION})
    assert "choose it again" not in words(without_file)
    assert evidence.judgement == AssuranceEvidence.Judgement.PENDING


def test_a_refused_progress_says_to_choose_the_file_again(client, agency_user):
    action = ActionFactory(owner_agency=agency_user.agency)
    client.force_login(agency_user)
    refused = client.post(
        reverse("learning:action_progress", args=[action.uuid]),
        {"progress": DISCUSSION, "file": SimpleUploadedFile("plan.pdf", PDF)},
    )
    assert refused.status_code == 200
    assert "the file you chose is not kept: choose it again" in words(refused)
    assert not action.attachments.exists()


def test_other_agencies_evidence_is_not_edited_by_an_outsider(client, member_user):
    evidence = EvidenceFactory(agency=AgencyFactory())
    client.force_login(member_user)  # on no sub-group
    assert reverse("learning:evidence_edit", args=[evidence.uuid]) not in body(
        client.get(evidence.outcome.get_absolute_url())
    )
