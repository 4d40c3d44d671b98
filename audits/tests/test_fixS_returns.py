"""What a tester found in Section 11 / 175 returns and cycles (fixer S): a return sent back,
its reminders, a cycle's dates, sign-off dates, the admin, the cycle page and its late agencies,
and where a moderation was decided."""

import datetime
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from audits import services
from audits.models import AuditCycle, SelfAssessment, StandardAssessment
from audits.tests.conftest import full_answers
from audits.tests.factories import section_11
from sscb.models import SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import AgencyFactory
from sscb.tests.reading import history_entries

pytestmark = pytest.mark.django_db


def body(response):
    return unescape(response.content.decode())


def _answers(self_assessment):
    return {
        a.standard.number: a
        for a in StandardAssessment.objects.filter(self_assessment=self_assessment).select_related(
            "standard"
        )
    }


def _moderate(self_assessment, by, scores: dict[int, int]):
    answers = _answers(self_assessment)
    for number, score in scores.items():
        services.standard_assessment_moderate(
            standard_assessment=answers[number],
            moderated_score=score,
            moderation_comment=f"Moderated {score}.",
            by=by,
        )


# 1. A return sent back: an answer the agency changes loses its moderation ------------------


def test_an_answer_changed_after_moderation_loses_it_and_is_counted_by_its_own_score(
    client, police_return, agency_user, qap_user, submit
):
    submit(police_return, by=agency_user)
    _moderate(police_return, qap_user, {1: 2, 2: 4})
    services.self_assessment_return_to_agency(
        self_assessment=police_return, by=qap_user, reason="Say more about standard 2."
    )
    services.self_assessment_submit(
        self_assessment=police_return,
        answers=full_answers(police_return, s1=1),
        by=agency_user,
    )
    answers = _answers(police_return)
    first, second = answers[1], answers[2]
    # Standard 1 was changed: QAP has not read it, so it is not moderated any more.
    assert (first.self_score, first.moderated_score, first.moderated_by) == (1, None, None)
    assert first.moderation_comment == "" and first.is_not_met
    # Its moderation is kept in its history.
    assert first.history.filter(moderated_score=2).exists()
    # Standard 2 was not changed: its moderation stands.
    assert (second.moderated_score, second.moderated_by) == (4, qap_user)

    client.force_login(qap_user)
    page = body(client.get(reverse("audits:return", args=[police_return.uuid])))
    assert "Not met: action needed" in page
    heat = client.get(reverse("audits:heat-map", args=[police_return.cycle.uuid]))
    [row] = [r for r in heat.context["rows"] if r.self_assessment == police_return]
    assert (row.cells[0].self_score, row.cells[0].moderated_score) == (1, None)
    assert row.cells[0].is_not_met


def test_a_return_is_moderated_only_once_every_changed_standard_is_moderated_again(
    police_return, agency_user, qap_user, submit
):
    submit(police_return, by=agency_user)
    # Seven of eight standards moderated, then the return goes back.
    _moderate(police_return, qap_user, dict.fromkeys(range(1, 8), 3))
    services.self_assessment_return_to_agency(
        self_assessment=police_return, by=qap_user, reason="Say more about standard 2."
    )
    services.self_assessment_submit(
        self_assessment=police_return,
        answers=full_answers(police_return, s2=1),
        by=agency_user,
    )
    _moderate(police_return, qap_user, {8: 3})
    police_return.refresh_from_db()
    # Standard 2 changed since QAP moderated it: the return waits for it.
    assert police_return.status == SelfAssessment.Status.SUBMITTED
    assert _answers(police_return)[2].moderated_score is None
    _moderate(police_return, qap_user, {2: 1})
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.MODERATED


def test_an_answer_only_confirmed_or_left_alone_keeps_its_moderation(
    police_return, agency_user, qap_user, submit
):
    submit(police_return, by=agency_user)
    _moderate(police_return, qap_user, {3: 2})
    services.self_assessment_return_to_agency(
        self_assessment=police_return, by=qap_user, reason="Say more about standard 2."
    )
    services.self_assessment_save_draft(
        self_assessment=police_return, answers=full_answers(police_return), by=agency_user
    )
    assert _answers(police_return)[3].moderated_score == 2


# 3. Sent back, the lead is told at once and its reminders start again -----------------------


@pytest.fixture
def qap_chair(make_user, qap):
    chair = make_user(username="qapchair")
    qap.chair = chair
    qap.save()
    return chair


def _at(day, hour=9):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour, 0)), tick=False)


def _sweep(day):
    with _at(day, 7):
        reminders_sweep(today=day)


def _police_cycle(agency, bu_user, deadline):
    with _at(datetime.date(2025, 5, 1)):
        cycle = services.audit_cycle_open(
            framework=section_11(),
            title="Section 11 audit 2025/26",
            financial_year=2025,
            opened_on=datetime.date(2025, 5, 1),
            deadline=deadline,
            agencies=[agency],
            by=bu_user,
        )
    return cycle.returns.get()


def _submit_on(day, self_assessment, by):
    with _at(day):
        services.self_assessment_save_draft(
            self_assessment=self_assessment, answers=full_answers(self_assessment), by=by
        )
        services.self_assessment_submit(self_assessment=self_assessment, by=by)


def test_a_return_sent_back_after_its_deadline_is_told_to_its_lead_and_chased_afresh(
    settings, agency, agency_user, qap_user, qap_chair, bu_user
):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 28
    deadline = datetime.date(2025, 7, 31)
    police_return = _police_cycle(agency, bu_user, deadline)
    _sweep(deadline + datetime.timedelta(days=1))  # the lead is chased as overdue
    assert [m.to for m in mail.outbox] == [[agency_user.email]]
    _submit_on(deadline + datetime.timedelta(days=3), police_return, agency_user)
    sent_back_on = deadline + datetime.timedelta(days=40)
    with _at(sent_back_on):
        services.self_assessment_return_to_agency(
            self_assessment=police_return, by=qap_user, reason="Say more about standard 2."
        )
    mail.outbox.clear()

    # Told the next morning, in words, once, and to nobody else.
    _sweep(sent_back_on + datetime.timedelta(days=1))
    [told] = mail.outbox
    assert told.to == [agency_user.email]
    assert "Newly asked of you" in told.body and "overdue" not in told.body.lower()
    assert f"sent back to the agency on {sent_back_on:%-d %B %Y}" in told.body
    # Chased afresh from the day it came back: the lead again, not the chair or the Business
    # Unit at once for the old deadline, 40 days gone.
    mail.outbox.clear()
    _sweep(sent_back_on + datetime.timedelta(days=2))
    assert [m.to for m in mail.outbox] == [[agency_user.email]]
    assert "Audit return overdue" in mail.outbox[0].body
    assert "after its deadline" in mail.outbox[0].body
    mail.outbox.clear()
    _sweep(sent_back_on + datetime.timedelta(days=6))
    assert mail.outbox == []
    _sweep(sent_back_on + datetime.timedelta(days=7))
    assert [m.to for m in mail.outbox] == [[qap_chair.email]]
    # Run again: nothing twice.
    mail.outbox.clear()
    _sweep(sent_back_on + datetime.timedelta(days=7))
    assert mail.outbox == []


def test_a_return_sent_back_before_its_deadline_is_told_to_its_lead_once(
    agency, agency_user, qap_user, qap_chair, bu_user
):
    police_return = _police_cycle(agency, bu_user, datetime.date(2025, 7, 31))
    _submit_on(datetime.date(2025, 7, 25), police_return, agency_user)
    _sweep(datetime.date(2025, 7, 26))
    assert mail.outbox == []
    with _at(datetime.date(2025, 7, 28), 6):
        services.self_assessment_return_to_agency(
            self_assessment=police_return, by=qap_user, reason="Say more about standard 2."
        )
    _sweep(datetime.date(2025, 7, 28))
    [told] = mail.outbox
    assert told.to == [agency_user.email] and "sent back to the agency on 28 July" in told.body
    mail.outbox.clear()
    _sweep(datetime.date(2025, 7, 29))
    assert mail.outbox == []
    # Its deadline passes: chased as any late return.
    _sweep(datetime.date(2025, 8, 1))
    assert [m.to for m in mail.outbox] == [[agency_user.email]]
    assert "Audit return overdue" in mail.outbox[0].body


def test_the_return_page_says_it_was_sent_back(
    client, police_return, agency_user, qap_user, submit
):
    submit(police_return, by=agency_user)
    services.self_assessment_return_to_agency(
        self_assessment=police_return, by=qap_user, reason="Say more about standard 2."
    )
    client.force_login(agency_user)
    page = body(client.get(reverse("audits:return", args=[police_return.uuid])))
    assert 'data-testid="sent-back"' in page
    entries = history_entries(
        client.get(reverse("audits:return", args=[police_return.uuid])), "return-history"
    )
    assert "(sent back to the agency)" in entries[0]


# 4. A cycle's dates ------------------------------------------------------------------------


@time_machine.travel(datetime.date(2026, 12, 7))
def test_a_cycles_deadline_before_its_financial_year_is_refused(db):
    cycle = AuditCycle(
        framework=section_11(),
        title="Section 11 audit 2027/28",
        financial_year=2027,
        opened_on=datetime.date(2026, 12, 7),
        deadline=datetime.date(2027, 1, 15),
    )
    with pytest.raises(ValidationError) as refused:
        cycle.clean()
    assert refused.value.message_dict == {
        "deadline": [
            "The deadline (15 January 2027) cannot be before the start of the 2027/28 "
            "financial year (1 April 2027): the returns describe that year."
        ]
    }


@time_machine.travel(datetime.datetime(2026, 12, 7, 12, 0))
def test_the_page_refuses_a_cycle_whose_deadline_has_passed(client, bu_user, agency):
    client.force_login(bu_user)
    data = {
        "framework": section_11().pk,
        "title": "Section 11 audit 2026/27",
        "financial_year": 2026,
        "opened_on": "2026-10-01",
        "deadline": "2026-11-01",
    }
    refused = client.post(reverse("audits:cycle-create"), data)
    assert refused.status_code == 200
    assert (
        "The deadline (1 November 2026) has already passed: today is 7 December 2026. It would "
        "make every return it sends late at once"
    ) in body(refused)
    assert not AuditCycle.objects.exists() and not SelfAssessment.objects.exists()
    response = client.post(reverse("audits:cycle-create"), data | {"deadline": "2026-12-07"})
    assert response.status_code == 302


@time_machine.travel(datetime.datetime(2026, 12, 7, 12, 0))
def test_a_deadline_moved_into_the_past_is_refused_while_returns_are_to_come(
    client, bu_user, agency, other_agency
):
    cycle = services.audit_cycle_open(
        framework=section_11(),
        title="Section 11 audit 2026/27",
        financial_year=2026,
        opened_on=datetime.date(2026, 10, 1),
        deadline=datetime.date(2026, 12, 17),
        agencies=[agency, other_agency],
        by=bu_user,
    )
    url = reverse("audits:cycle-deadline", args=[cycle.uuid])
    client.force_login(bu_user)
    refused = client.post(url, {"deadline": "2026-11-01"})
    assert refused.status_code == 400
    assert (
        "The deadline (1 November 2026) has already passed: today is 7 December 2026. It would "
        "make the 2 returns not yet submitted late at once"
    ) in body(refused)
    cycle.refresh_from_db()
    assert cycle.deadline == datetime.date(2026, 12, 17)
    assert client.post(url, {"deadline": "2026-12-07"}).status_code == 302


@time_machine.travel(datetime.datetime(2026, 12, 7, 12, 0))
def test_a_deadline_moved_into_the_past_is_accepted_once_every_return_is_in(
    client, bu_user, agency, submit
):
    cycle = services.audit_cycle_open(
        framework=section_11(),
        title="Section 11 audit 2026/27",
        financial_year=2026,
        opened_on=datetime.date(2026, 10, 1),
        deadline=datetime.date(2026, 12, 17),
        agencies=[agency],
        by=bu_user,
    )
    submit(cycle.returns.get())
    client.force_login(bu_user)
    url = reverse("audits:cycle-deadline", args=[cycle.uuid])
    assert client.post(url, {"deadline": "2026-11-01"}).status_code == 302


def test_an_earlier_years_cycle_does_not_carry_forward_a_later_years_answers(
    bu_user, agency, submit
):
    later = services.audit_cycle_open(
        framework=section_11(),
        title="Section 11 audit 2026/27",
        financial_year=2026,
        opened_on=datetime.date(2026, 5, 1),
        deadline=datetime.date(2026, 7, 31),
        agencies=[agency],
        by=bu_user,
    )
    submit(later.returns.get(), score=4)
    earlier = services.audit_cycle_open(
        framework=section_11(),
        title="Section 11 audit 2025/26",
        financial_year=2025,
        opened_on=datetime.date(2025, 5, 1),
        deadline=datetime.date(2025, 7, 31),
        agencies=[agency],
        by=bu_user,
    )
    answers = StandardAssessment.objects.filter(self_assessment__cycle=earlier)
    assert not answers.filter(carried_forward_from__isnull=False).exists()
    assert not answers.filter(self_score__isnull=False).exists()
    # The year after both starts from the later one's.
    with time_machine.travel(datetime.datetime(2027, 5, 1, 12, 0)):
        following = services.audit_cycle_open(
            framework=section_11(),
            title="Section 11 audit 2027/28",
            financial_year=2027,
            opened_on=datetime.date(2027, 5, 1),
            deadline=datetime.date(2027, 7, 31),
            agencies=[agency],
            by=bu_user,
        )
    carried = StandardAssessment.objects.filter(self_assessment__cycle=following)
    assert set(carried.values_list("self_score", flat=True)) == {4}


# 5. A school's sign-off: a day that has come, not before the cycle opened -------------------


@time_machine.travel(datetime.datetime(2026, 12, 7, 12, 0))
@pytest.mark.parametrize(
    "head_teacher_on, governor_on, refused",
    [
        (
            "2031-05-01",
            "2026-12-01",
            "The head teacher's sign-off (1 May 2031) cannot be in the future: today is "
            "7 December 2026.",
        ),
        (
            "2026-12-01",
            "2019-01-01",
            "The safeguarding governor's sign-off (1 January 2019) cannot be before the day "
            "the cycle opened (1 May 2025).",
        ),
        (
            "1901-01-01",
            "2026-12-01",
            "The head teacher's sign-off (1 January 1901) cannot be before the day the cycle "
            "opened (1 May 2025).",
        ),
    ],
)
def test_a_schools_sign_off_dates_are_checked(
    client, bu_user, school_cycle, head_teacher_on, governor_on, refused
):
    school_return = school_cycle.returns.get()
    client.force_login(bu_user)
    data = {
        "signoff-head_teacher": "Ms Head",
        "signoff-head_teacher_signed_on": head_teacher_on,
        "signoff-safeguarding_governor": "Mr Governor",
        "signoff-safeguarding_governor_signed_on": governor_on,
    }
    for answer in school_return.answers.select_related("standard"):
        n = answer.standard.number
        data |= {
            f"standard-{n}-self_score": "3",
            f"standard-{n}-narrative": f"How we meet standard {n}.",
        }
    response = client.post(reverse("audits:return-save", args=[school_return.uuid]), data)
    assert refused in body(response)
    school_return.refresh_from_db()
    assert school_return.status == SelfAssessment.Status.NOT_STARTED
    assert school_return.head_teacher_signed_on is None
    # The service refuses it too, whatever calls it.
    with pytest.raises(ValidationError):
        services.self_assessment_save_draft(
            self_assessment=school_return,
            answers={},
            sign_off={
                "head_teacher": "Ms Head",
                "head_teacher_signed_on": datetime.date.fromisoformat(head_teacher_on),
                "safeguarding_governor": "Mr Governor",
                "safeguarding_governor_signed_on": datetime.date.fromisoformat(governor_on),
            },
            by=bu_user,
        )
    school_return.refresh_from_db()
    assert school_return.head_teacher_signed_on is None


# 6. The admin does not rewrite an agency's answers -----------------------------------------


def test_the_admin_shows_a_submitted_returns_answers_and_sign_off_without_changing_them(
    client, bu_user, school_cycle, submit
):
    school_return = school_cycle.returns.get()
    with time_machine.travel(datetime.datetime(2025, 7, 1, 12, 0)):
        submit(
            school_return,
            sign_off={
                "head_teacher": "Ms Head",
                "head_teacher_signed_on": datetime.date(2025, 6, 30),
                "safeguarding_governor": "Mr Governor",
                "safeguarding_governor_signed_on": datetime.date(2025, 6, 30),
            },
        )
    answer = school_return.answers.order_by("standard__number").first()
    client.force_login(bu_user)
    url = reverse("admin:audits_standardassessment_change", args=[answer.pk])
    page = body(client.get(url))
    for name in ("self_score", "narrative", "evidence", "needs_reconfirmation"):
        assert f'name="{name}"' not in page
    response = client.post(
        url,
        {
            "self_score": "4",
            "narrative": "Rewritten by the admin.",
            "evidence": "None.",
            "needs_reconfirmation": "on",
            "moderation_comment": "",
            "challenge_notes": "",
        },
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.self_score, answer.needs_reconfirmation) == (3, False)
    assert answer.narrative != "Rewritten by the admin."
    # On the return's own admin page too: its answers' rows and its sign-off.
    page = body(client.get(reverse("admin:audits_selfassessment_change", args=[school_return.pk])))
    assert 'name="answers-0-self_score"' not in page and 'name="answers-0-narrative"' not in page
    assert 'name="head_teacher"' not in page and 'name="head_teacher_signed_on"' not in page


# 7. The cycle page's column says what it counts ----------------------------------------------


def test_the_cycle_pages_column_says_it_counts_standards_still_needing_an_action(
    client, qap_user, cycle, police_return, submit
):
    submit(police_return, s1=1)
    client.force_login(qap_user)
    page = body(client.get(reverse("audits:cycle", args=[cycle.uuid])))
    assert '<th scope="col">Not met, still needing an action</th>' in page
    assert '<th scope="col">Not met</th>' not in page


# 9. Returns for agencies added since a cycle opened -------------------------------------------


@time_machine.travel(datetime.datetime(2026, 12, 7, 12, 0))
def test_the_business_unit_sends_returns_to_agencies_added_since_the_cycle_opened(
    client, bu_user, qap_user, agency, submit
):
    cycle = services.audit_cycle_open(
        framework=section_11(),
        title="Section 11 audit 2026/27",
        financial_year=2026,
        opened_on=datetime.date(2026, 10, 1),
        deadline=datetime.date(2027, 1, 31),
        by=bu_user,
    )
    submit(cycle.returns.get(agency=agency), score=2)
    with time_machine.travel(datetime.datetime(2026, 12, 7, 13, 0)):
        fire = AgencyFactory(name="Fire and Rescue", kind="other")
        AgencyFactory(name="A new school", kind="school")  # a Section 175 school: not here
    url = reverse("audits:cycle", args=[cycle.uuid])
    add = reverse("audits:cycle-add-returns", args=[cycle.uuid])

    client.force_login(qap_user)
    assert "Send returns to agencies added since" not in body(client.get(url))
    assert client.post(add).status_code == 403

    client.force_login(bu_user)
    page = body(client.get(url))
    assert "1 agency added since this cycle opened has no return: Fire and Rescue." in page
    assert "Send returns to agencies added since" in page
    response = client.post(add, follow=True)
    assert "1 return sent: Fire and Rescue." in body(response)
    added = cycle.returns.get(agency=fire)
    assert added.status == SelfAssessment.Status.NOT_STARTED
    assert added.answers.count() == section_11().standards.count()
    assert added.history.get().history_user == bu_user
    entries = history_entries(client.get(url), "cycle-history")
    assert entries[0].endswith(
        f"{bu_user}: Returns sent to agencies added since it opened: Fire and Rescue"
    )
    assert "Send returns to agencies added since" not in body(client.get(url))
    # Sent again: nothing more.
    client.post(add)
    assert cycle.returns.filter(agency=fire).count() == 1


def test_no_return_is_sent_to_an_agency_added_once_the_cycle_has_closed(client, bu_user, agency):
    with time_machine.travel(datetime.datetime(2025, 5, 1, 12, 0)):
        cycle = services.audit_cycle_open(
            framework=section_11(),
            title="Section 11 audit 2025/26",
            financial_year=2025,
            opened_on=datetime.date(2025, 5, 1),
            deadline=datetime.date(2025, 7, 31),
            agencies=[agency],
            by=bu_user,
        )
    with time_machine.travel(datetime.datetime(2025, 8, 2, 12, 0)):
        AgencyFactory(name="Fire and Rescue", kind="other")
        client.force_login(bu_user)
        page = body(client.get(reverse("audits:cycle", args=[cycle.uuid])))
        assert "1 agency added since this cycle opened has no return" in page
        assert "This cycle closed at its deadline" in page
        assert "Send returns to agencies added since" not in page
        response = client.post(reverse("audits:cycle-add-returns", args=[cycle.uuid]), follow=True)
    assert "This cycle closed at its deadline, 31 July 2025" in body(response)
    assert not cycle.returns.filter(agency__name="Fire and Rescue").exists()


def test_sending_returns_to_added_agencies_needs_a_signed_in_business_unit_officer(client, cycle):
    url = reverse("audits:cycle-add-returns", args=[cycle.uuid])
    assert client.post(url).status_code == 302  # to sign in
    assert client.get(url).status_code in (302, 405)


# 10. Where a moderation was decided is a link only for who may open the meeting ----------------


def test_the_minutes_that_moderated_a_standard_are_linked_only_for_who_may_open_them(
    client, police_return, agency_user, qap_user, submit
):
    from learning.meetings.tests.factories import ItemFactory, MeetingFactory

    submit(police_return, by=agency_user)
    qap = SubGroup.objects.get(code=SubGroup.Code.QUALITY_ASSURANCE)
    meeting = MeetingFactory(body=qap)
    item = ItemFactory(meeting=meeting, position=1, title="Return", self_assessment=police_return)
    answer = _answers(police_return)[1]
    label = f"decided at the QAP, {meeting.date_label}, item 1"
    services.standard_assessment_moderate(
        standard_assessment=answer,
        moderated_score=2,
        by=qap_user,
        minutes_label=label,
        minutes_url=item.get_absolute_url(),
    )
    url = reverse("audits:return", args=[police_return.uuid])
    client.force_login(qap_user)
    page = body(client.get(url))
    assert f'<a href="{item.get_absolute_url()}" data-testid="decided-at">Decided at' in page
    client.force_login(agency_user)
    page = body(client.get(url))
    assert item.get_absolute_url() not in page
    assert '<span data-testid="decided-at">Decided at the QAP' in page


# 11. Draft-time sign-off edits are the school's own, as its draft answers are -----------------


def test_a_returns_draft_time_sign_off_is_not_in_the_history_qap_reads(
    client, bu_user, qap_user, school_cycle
):
    school_return = school_cycle.returns.get()
    sign_off = {
        "head_teacher": "Ms Head",
        "head_teacher_signed_on": datetime.date(2025, 6, 1),
        "safeguarding_governor": "Mr Governor",
        "safeguarding_governor_signed_on": datetime.date(2025, 6, 2),
    }
    with time_machine.travel(datetime.datetime(2025, 7, 1, 12, 0)):
        services.self_assessment_save_draft(
            self_assessment=school_return,
            answers=full_answers(school_return),
            sign_off=sign_off,
            by=bu_user,
        )
        services.self_assessment_save_draft(
            self_assessment=school_return,
            answers={},
            sign_off=sign_off | {"head_teacher_signed_on": datetime.date(2025, 6, 20)},
            by=bu_user,
        )
        services.self_assessment_submit(self_assessment=school_return, by=bu_user)
        services.self_assessment_return_to_agency(
            self_assessment=school_return, by=qap_user, reason="Sign it off again."
        )
    url = reverse("audits:return", args=[school_return.uuid])
    client.force_login(qap_user)
    entries = " ".join(history_entries(client.get(url), "return-history"))
    assert "head teacher signed on" not in entries
    assert "status Submitted → Draft" in entries  # QAP's sending it back is QAP's to read
    assert "status Draft → Submitted" in entries
    client.force_login(bu_user)  # who fills it in reads its drafts
    entries = " ".join(history_entries(client.get(url), "return-history"))
    assert "head teacher signed on 1 Jun 2025 → 20 Jun 2025" in entries
