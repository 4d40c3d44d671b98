"""An action's completion: never dated before what its plan answers, whatever the plan; and once
reported, its owner may correct it (its date, its evidence, its file) until the sub-group signs
it off, and the sub-group may send it back, saying why, instead of signing it off. Every step,
and every file added, is in the action's history on its page."""

import datetime
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from audits.models import SelfAssessment, StandardAssessment
from audits.tests.factories import AuditFactory, SelfAssessmentFactory, section_11
from learning import services
from learning.models import Action, Attachment
from learning.scrutiny.tests.factories import RecommendationFactory
from sscb.dates import say
from sscb.models import SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupFactory, SubGroupMembershipFactory
from sscb.tests.reading import history_entries

from .factories import ActionFactory, FindingFactory, OutcomeFactory, ReviewFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
LONG_AGO = datetime.date(1999, 1, 5)


def today():
    return timezone.localdate()


def days(n):
    return today() + datetime.timedelta(days=n)


def body(response):
    """The page's words, as a person reads them."""
    return " ".join(strip_tags(unescape(response.content.decode())).split())


@pytest.fixture
def li(db):
    return SubGroupFactory(
        code=SubGroup.Code.LEARNING_IMPROVEMENT, name="Learning and Improvement sub-group"
    )


@pytest.fixture
def signer(member_user, li):
    """A member of the sub-group the actions report to: signs them off, or sends them back."""
    SubGroupMembershipFactory(subgroup=li, user=member_user)
    return member_user


@pytest.fixture
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# What each kind of plan answers, the day it came about, and how a refusal names it.


def _review():
    day = datetime.date(2026, 1, 10)
    return {"review": ReviewFactory(referred_on=day)}, day, "the review's referral"


def _audit():
    audit = AuditFactory(period_end=datetime.date(2025, 9, 30))
    return {"audit": audit}, audit.period_end, "the end of the period its audit looked at"


def _recommendation():
    recommendation = RecommendationFactory()
    day = recommendation.inspection.started_on
    return {"recommendation": recommendation}, day, "the inspection it answers"


def _standard(submitted: bool):
    self_assessment = SelfAssessmentFactory()
    if submitted:
        moment = timezone.make_aware(datetime.datetime(2025, 7, 20, 15))
        SelfAssessment.objects.filter(pk=self_assessment.pk).update(
            status=SelfAssessment.Status.SUBMITTED, submitted_at=moment
        )
    answer = StandardAssessment.objects.create(
        self_assessment=self_assessment,
        standard=section_11().standards.order_by("number").first(),
        self_score=StandardAssessment.Score.NOT_MET,
    )
    if submitted:
        return (
            {"standard_assessment": answer},
            datetime.date(2025, 7, 20),
            "the submission of the return it answers",
        )
    opened = self_assessment.cycle.opened_on
    return {"standard_assessment": answer}, opened, "the opening of its return's cycle"


def _finding():
    finding = FindingFactory(
        identified_on=datetime.date(2025, 11, 3),
        review=ReviewFactory(referred_on=datetime.date(2025, 10, 1)),
    )
    return (
        {"review": finding.review, "finding": finding},
        finding.identified_on,
        "the day its finding was identified",
    )


def _outcome(decided: bool):
    if decided:
        outcome = OutcomeFactory(decision="agreed", decided_on=datetime.date(2026, 2, 2))
        return {"outcome": outcome}, outcome.decided_on, "the Executive's agreement of its outcome"
    return {"outcome": OutcomeFactory()}, today(), "the day its learning outcome was recorded"


PLANS = {
    "review": _review,
    "audit": _audit,
    "inspection": _recommendation,
    "standard submitted": lambda: _standard(True),
    "standard not yet submitted": lambda: _standard(False),
    "finding": _finding,
    "outcome agreed": lambda: _outcome(True),
    "outcome awaiting the executive": lambda: _outcome(False),
}


def _action(plan: dict, agency, **fields) -> Action:
    defaults = {"review": None, "plan": f"test:{sorted(plan)[0]}"}
    return ActionFactory(**(defaults | plan | fields), owner_agency=agency)


@pytest.mark.parametrize("kind", PLANS)
def test_a_completion_is_never_dated_before_what_the_action_answers(client, agency_user, li, kind):
    """fagency #3: 5 January 1999 was accepted for an inspection's or an audit's action."""
    plan, since, words = PLANS[kind]()
    action = _action(plan, agency_user.agency, subgroup=li)
    versions = action.history.count()
    client.force_login(agency_user)
    url = reverse("learning:action_progress", args=[action.uuid])
    form = {"progress": "Done", "completion_evidence": "Audit of ten records"}
    refused = client.post(url, form | {"completed_on": LONG_AGO.isoformat()})
    assert refused.status_code == 200
    assert refused.context["progress_form"].errors["completed_on"] == [
        f"The completion date ({say(LONG_AGO)}) cannot be before {words} ({say(since)})."
    ]
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (Action.Status.OPEN, None)
    assert action.history.count() == versions
    # On the day itself, it is accepted.
    assert client.post(url, form | {"completed_on": since.isoformat()}).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (Action.Status.COMPLETE, since)


def test_a_corrected_completion_date_is_held_to_the_same_rule(agency_user, li):
    plan, since, words = _audit()
    action = _action(plan, agency_user.agency, subgroup=li)
    report = {"progress": "Done", "at_risk": False, "completion_evidence": "Audit"}
    services.action_report_progress(action=action, completed_on=since, **report)
    with pytest.raises(Exception, match=words):
        services.action_report_progress(action=action, completed_on=LONG_AGO, **report)
    action.refresh_from_db()
    assert action.completed_on == since


def test_the_owner_corrects_a_completion_and_adds_its_file_until_it_is_signed_off(
    client, agency_user, signer, li, uploads
):
    """fagency #11: reported complete without its file, the page offered no way to add it, nor
    to put a wrong date right."""
    action = ActionFactory(
        review=ReviewFactory(referred_on=days(-90)), owner_agency=agency_user.agency, subgroup=li
    )
    services.action_report_progress(
        action=action,
        progress="Done",
        at_risk=False,
        completed_on=days(-40),
        completion_evidence="New template in use",
    )
    client.force_login(agency_user)
    page = client.get(action.get_absolute_url())
    text = body(page)
    assert "Correct the completion" in text and "Save the correction" in text
    form = page.context["progress_form"]
    assert form["completed_on"].value() == days(-40)
    assert form["completion_evidence"].value() == "New template in use"

    url = reverse("learning:action_progress", args=[action.uuid])
    corrected = {
        "progress": "Done",
        "completed_on": days(-4).isoformat(),
        "completion_evidence": "New template in use: audit attached",
        "file": SimpleUploadedFile("audit.pdf", PDF),
    }
    response = client.post(url, corrected, follow=True)
    assert "Completion updated, with the document “audit.pdf”." in body(response)
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (Action.Status.COMPLETE, days(-4))
    assert Attachment.objects.filter(action=action).count() == 1
    entries = history_entries(response, "action-history")
    assert any(entry.endswith(f"{agency_user}: document: recorded it") for entry in entries)
    assert any(
        f"completed on {days(-40):%-d %b %Y} → {days(-4):%-d %b %Y}" in entry for entry in entries
    )

    # A completion is not taken back by leaving its date out: the sub-group sends it back.
    refused = client.post(url, {"progress": "Done", "completion_evidence": "x"})
    assert refused.status_code == 200
    assert refused.context["progress_form"].errors["completed_on"] == [
        "Give the date the action was completed."
    ]

    client.force_login(signer)
    sign_off = reverse("learning:action_sign_off", args=[action.uuid])
    assert client.post(sign_off, {"follow_up_on": days(90).isoformat()}).status_code == 302
    client.force_login(agency_user)
    page = client.get(action.get_absolute_url())
    assert not page.context["detail"]()["can_progress"]
    assert "Correct the completion" not in body(page)
    again = client.post(url, corrected | {"file": SimpleUploadedFile("late.pdf", PDF)})
    assert "This action has been signed off" in body(again)
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (Action.Status.SIGNED_OFF, days(-4))
    assert Attachment.objects.filter(action=action).count() == 1


def test_the_sub_group_sends_a_completion_back_and_the_owner_continues(
    client, agency_user, signer, li
):
    """fagency #11: nothing could send a completion back; the Django admin was the only way."""
    action = ActionFactory(owner_agency=agency_user.agency, subgroup=li, title="Retrain officers")
    services.action_report_progress(
        action=action,
        progress="Done",
        at_risk=False,
        completed_on=today(),
        completion_evidence="Officers retrained",
    )
    send_back = reverse("learning:action_send_back", args=[action.uuid])
    client.force_login(agency_user)  # the owner may not send their own completion back
    assert client.post(send_back, {"reason": "x"}).status_code == 403

    client.force_login(signer)
    page = body(client.get(action.get_absolute_url()))
    assert "Or send it back" in page and "Sign off" in page
    refused = client.post(send_back, {"reason": ""})
    assert refused.context["send_back_form"].errors["reason"] == [
        "Say what the owner should put right."
    ]
    reason = "Attach the training register: the evidence names no sessions."
    response = client.post(send_back, {"reason": reason}, follow=True)
    assert f"Sent back to {agency_user.agency}: the action is in progress again." in body(response)
    action.refresh_from_db()
    assert (action.status, action.completed_on, action.sent_back_reason) == (
        Action.Status.IN_PROGRESS,
        None,
        reason,
    )
    entries = history_entries(response, "action-history")
    assert entries[0].endswith(
        f"{signer}: status Complete → In progress; completed on {today():%-d %b %Y} → none; "
        "changed the reason it was sent back (sent back, not signed off)"
    )
    # Not complete, it cannot be signed off, nor sent back again.
    sign_off = reverse("learning:action_sign_off", args=[action.uuid])
    assert client.post(sign_off, {"follow_up_on": days(90).isoformat()}).status_code == 200
    assert client.post(send_back, {"reason": reason}).status_code == 200
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS and action.signed_off_on is None

    # The owner reads why, on the action and on My agency, and reports completion again.
    client.force_login(agency_user)
    page = body(client.get(action.get_absolute_url()))
    assert f"Sent back by the {li}, not signed off" in page and reason in page
    agency_page = body(client.get(reverse("learning:my_agency")))
    assert (
        f"Sent back by the {li}: put right what it asks, then report completion again"
    ) in agency_page
    url = reverse("learning:action_progress", args=[action.uuid])
    done = {"progress": "Register attached", "completed_on": today().isoformat()}
    response = client.post(url, done | {"completion_evidence": "Register of six sessions"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.sent_back_reason) == (Action.Status.COMPLETE, "")
    assert "Sent back by" not in body(client.get(action.get_absolute_url()))
    client.force_login(signer)
    assert client.post(sign_off, {"follow_up_on": days(90).isoformat()}).status_code == 302


@pytest.mark.parametrize("who", ["bu_user", "agency_user"])
def test_only_the_action_sub_group_sends_it_back(client, request, li, agency_user, who):
    action = ActionFactory(
        owner_agency=agency_user.agency,
        subgroup=li,
        status=Action.Status.COMPLETE,
        completed_on=today(),
    )
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("learning:action_send_back", args=[action.uuid]), {"reason": "Add the file."}
    )
    assert response.status_code == (302 if who == "bu_user" else 403)


def test_a_completion_sent_back_is_chased_again_as_an_action_in_progress(agency_user, li):
    """Its reminders follow its state: none while it waits for sign-off, the owner's once it
    is back with them (learning.reminders, which reads the status)."""
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False):
        action = ActionFactory(
            owner_agency=agency_user.agency,
            subgroup=li,
            due_on=datetime.date(2025, 5, 31),
            title="Retrain officers",
        )
        services.action_report_progress(
            action=action,
            progress="Done",
            at_risk=False,
            completed_on=datetime.date(2025, 6, 2),
            completion_evidence="Officers retrained",
        )
        reminders_sweep(today=datetime.date(2025, 6, 2))
        assert mail.outbox == []
        services.action_send_back(action=action, reason="Attach the register.")
        reminders_sweep(today=datetime.date(2025, 6, 2))
        [email] = mail.outbox
        assert agency_user.email in email.to and "Retrain officers" in email.body
