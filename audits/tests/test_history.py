"""An audit's, a cycle's and a return's pages say who changed the record and its parts, and what
(README, "History"); a reader sees in it only the parts the page shows them."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import Audit, StandardAssessment
from audits.tests.conftest import full_answers
from audits.tests.factories import AuditFactory, CaseAuditEntryFactory
from sscb.tests.factories import AgencyFactory
from sscb.tests.reading import history_entries
from sscb.tests.reading import said as _said

pytestmark = pytest.mark.django_db


def _history(client, url, testid) -> list[str]:
    return history_entries(client.get(url), testid)


def _moment(at) -> str:
    """A moment as a history says it: the day and time in London."""
    at = timezone.localtime(at)
    return f"{at.day} {at:%b %Y %H:%M}"


def _audit_post(qap, agencies, **changes):
    return {
        "kind": "case_file",
        "title": "Neglect in under fives",
        "lead_subgroup": qap.pk,
        "reports_to": qap.pk,
        "scope": "Chronic neglect.",
        "period_start": "2025-04-01",
        "period_end": "2025-09-30",
        "agencies": [a.pk for a in agencies],
    } | changes


# --- an audit -----------------------------------------------------------------------------------


def test_an_audits_history_says_who_changed_it_its_agencies_and_its_graded_cases(
    client, qap_user, qap, agency, other_agency
):
    client.force_login(qap_user)
    assert client.post(reverse("audits:create"), _audit_post(qap, [agency])).status_code == 302
    audit = Audit.objects.get()
    edit = reverse("audits:edit", args=[audit.uuid])
    renamed = _audit_post(qap, [agency, other_agency], title="Neglect of babies")
    assert client.post(edit, renamed).status_code == 302
    case = {"pseudonym": "Child K", "agency": agency.pk, "grade": "good"}
    assert client.post(reverse("audits:case-add", args=[audit.uuid]), case).status_code == 302

    entries = _history(client, reverse("audits:detail", args=[audit.uuid]), "audit-history")
    who = str(qap_user)
    assert entries[0].endswith(f"{who}: graded case (Child K): recorded it")
    # One edit, one entry: its agencies with its other fields.
    both = ", ".join(sorted([str(agency), str(other_agency)]))
    assert entries[1].endswith(
        f"{who}: title Neglect in under fives → Neglect of babies; agencies {agency} → {both}"
    )
    assert entries[-1].endswith(f"{who}: recorded it")
    assert len(entries) == 3


def test_an_agency_lead_reads_in_an_audits_history_only_their_agencys_graded_cases(
    client, agency_user, agency, other_agency, member_user
):
    audit = AuditFactory(kind=Audit.Kind.CASE_FILE, agencies=[agency, other_agency])
    CaseAuditEntryFactory(audit=audit, agency=agency, pseudonym="Child K")
    CaseAuditEntryFactory(audit=audit, agency=other_agency, pseudonym="Child L")
    url = reverse("audits:detail", args=[audit.uuid])
    client.force_login(agency_user)
    said = " ".join(_history(client, url, "audit-history"))
    assert "graded case (Child K): recorded it" in said and "Child L" not in said
    client.force_login(member_user)
    said = " ".join(_history(client, url, "audit-history"))
    assert "graded case (Child K)" in said and "graded case (Child L)" in said


def test_an_audits_history_runs_the_same_queries_for_few_or_many_versions_and_cases(
    client, bu_user, qap, agency, count_queries, django_assert_num_queries
):
    audit = AuditFactory(kind=Audit.Kind.CASE_FILE, lead_subgroup=qap, agencies=[agency])
    url = reverse("audits:detail", args=[audit.uuid])
    client.force_login(bu_user)
    client.get(url)  # the session's first save, not counted

    def change(rounds):
        for n in range(rounds):
            CaseAuditEntryFactory(audit=audit, agency=AgencyFactory())
            services.audit_update(audit=audit, title=f"Audit {n}", agencies=[AgencyFactory()])

    change(1)
    few = count_queries(url)
    change(30)
    with django_assert_num_queries(few):
        entries = _history(client, url, "audit-history")
    assert len(entries) == 20  # the newest twenty
    said = " ".join(entries)
    assert "title Audit 28 → Audit 29" in said and "graded case (" in said


# --- a return -----------------------------------------------------------------------------------


def _answers_posted(self_assessment, score):
    data = {}
    for answer in self_assessment.answers.select_related("standard"):
        n = answer.standard.number
        data[f"standard-{n}-self_score"] = str(score)
        data[f"standard-{n}-narrative"] = f"How we meet standard {n}."
        data[f"standard-{n}-evidence"] = "Policy."
    return data


def test_a_returns_history_says_who_answered_and_moderated_it(
    client, agency_user, qap_user, police_return
):
    """The agency reads every change to its answers; QAP, which reads the return once it is in,
    reads what was changed since: never the agency's drafts before it sent the return."""
    standard_1 = police_return.answers.get(standard__number=1).standard
    url = reverse("audits:return", args=[police_return.uuid])
    client.force_login(qap_user)
    assert not any("answer" in entry for entry in _history(client, url, "return-history"))
    client.force_login(agency_user)
    save = reverse("audits:return-save", args=[police_return.uuid])
    assert client.post(save, _answers_posted(police_return, 1)).status_code == 302
    submit = reverse("audits:return-submit", args=[police_return.uuid])
    assert client.post(submit, _answers_posted(police_return, 3)).status_code == 302
    client.force_login(qap_user)
    qap_reads = _history(client, url, "return-history")
    assert not any("answer" in entry for entry in qap_reads)  # all drafted before it was in
    moderate = reverse("audits:return-moderate", args=[police_return.uuid, 1])
    moderated = {"moderated_score": "2", "moderation_comment": "No DBS renewals."}
    assert client.post(moderate, moderated).status_code == 302

    answer = police_return.answers.get(standard=standard_1)
    police_return.refresh_from_db()
    qap_reads = _history(client, url, "return-history")
    assert qap_reads[0].endswith(
        f"{qap_user}: answer to standard ({standard_1}): moderated score none → Partly met; "
        f"changed the moderation comment; moderated by none → {qap_user}; "
        f"moderated at none → {_moment(answer.moderated_at)}"
    )
    assert _said(
        qap_reads,
        f"{agency_user}: status Draft → Submitted; submitted at none → "
        f"{_moment(police_return.submitted_at)}; submitted by none → {agency_user}",
    )
    assert not any("self-assessed score" in entry for entry in qap_reads)
    client.force_login(agency_user)
    agency_reads = _history(client, url, "return-history")
    assert _said(
        agency_reads,
        f"{agency_user}: answer to standard ({standard_1}): self-assessed score none → Not met; "
        "changed the narrative; changed the evidence",
    )
    assert _said(
        agency_reads,
        f"{agency_user}: answer to standard ({standard_1}): self-assessed score Not met → Met",
    )
    assert "No DBS renewals" not in " ".join(agency_reads + qap_reads)


def test_a_returns_history_runs_the_same_queries_for_few_or_many_versions(
    client, agency_user, police_return, count_queries, django_assert_num_queries
):
    url = reverse("audits:return", args=[police_return.uuid])
    client.force_login(agency_user)
    client.get(url)  # the session's first save, not counted

    def draft(rounds):
        for n in range(rounds):
            services.self_assessment_save_draft(
                self_assessment=police_return,
                answers=full_answers(police_return, score=1 + n % 4),
                by=agency_user,
            )

    draft(1)
    few = count_queries(url)
    draft(12)
    with django_assert_num_queries(few):
        entries = _history(client, url, "return-history")
    assert len(entries) == 20
    assert "self-assessed score Partly met → Met" in " ".join(entries)


def test_qap_reads_a_returns_history_in_the_same_queries_for_few_or_many_moderations(
    client, qap_user, bu_user, police_return, count_queries, django_assert_num_queries
):
    """For those who read a return but do not fill it in, the rule on drafts is one more
    condition on the same query."""
    services.self_assessment_save_draft(
        self_assessment=police_return, answers=full_answers(police_return), by=bu_user
    )
    services.self_assessment_submit(self_assessment=police_return, by=bu_user)
    url = reverse("audits:return", args=[police_return.uuid])
    client.force_login(qap_user)
    client.get(url)  # the session's first save, not counted
    answers = list(StandardAssessment.objects.filter(self_assessment=police_return))
    scores = itertools.count()

    def moderate(rounds):
        for _ in range(rounds):
            for answer in answers:
                services.standard_assessment_moderate(
                    standard_assessment=answer, moderated_score=1 + next(scores) % 4, by=qap_user
                )

    # From the second round on, the newest twenty are the answers' alone, as with many more.
    moderate(4)
    few = count_queries(url)
    moderate(12)
    with django_assert_num_queries(few):
        entries = _history(client, url, "return-history")
    assert len(entries) == 20 and all("answer to standard (" in entry for entry in entries)


# --- a cycle ------------------------------------------------------------------------------------


def test_a_cycles_history_says_who_moved_its_deadline(client, bu_user, cycle):
    client.force_login(bu_user)
    deadline = reverse("audits:cycle-deadline", args=[cycle.uuid])
    assert client.post(deadline, {"deadline": "2025-09-30"}).status_code == 302
    entries = _history(client, reverse("audits:cycle", args=[cycle.uuid]), "cycle-history")
    assert entries[0].endswith(
        f"{bu_user}: deadline 31 Jul 2025 → 30 Sep 2025 (Deadline 31 July 2025 → 30 September 2025)"
    )
    assert entries[-1].endswith(": recorded it")


def test_a_cycles_history_runs_the_same_queries_for_few_or_many_versions(
    client, bu_user, cycle, count_queries, django_assert_num_queries
):
    url = reverse("audits:cycle", args=[cycle.uuid])
    client.force_login(bu_user)
    client.get(url)  # the session's first save, not counted

    days = itertools.count()

    def move(rounds):
        for _ in range(rounds):
            services.audit_cycle_change_deadline(
                cycle=cycle, deadline=datetime.date(2025, 8, 1 + next(days) % 28), by=bu_user
            )

    move(1)
    few = count_queries(url)
    move(30)
    with django_assert_num_queries(few):
        entries = _history(client, url, "cycle-history")
    assert len(entries) == 20
