"""An audit's edit keeps what already depends on it (its page, the admin): an agency with graded
cases stays a participant, its kind stays as it was recorded, and its dates keep its findings,
the practice checks citing it and its completed actions in order. Each refusal is in words and
changes nothing; an edit that saves is one version in its history."""

import datetime
from html import unescape

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from audits import services
from audits.models import Audit, CaseAuditEntry
from audits.tests.factories import AuditFactory, CaseAuditEntryFactory
from learning.models import Action, Finding, PracticeCheck
from learning.tests.factories import ActionFactory, ActivityFactory, CheckFactory, FindingFactory
from sscb.tests.posting import as_posted, from_page
from sscb.tests.reading import history_entries

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 7)


def body(response):
    return unescape(response.content.decode())


def _edit(client, audit, **changed):
    """Post the audit's edit page as shown, with ``changed`` as typed."""
    url = reverse("audits:edit", args=[audit.uuid])
    return client.post(url, from_page(client.get(url).content.decode(), **changed))


def _fields(audit):
    fresh = Audit.objects.get(pk=audit.pk)
    return (
        fresh.kind,
        fresh.period_start,
        fresh.period_end,
        {agency.pk for agency in fresh.agencies.all()},
        fresh.history.count(),
    )


@pytest.fixture
def case_file(qap, agency, other_agency):
    """A case file audit of 2026 in which the police's practice is graded in two cases."""
    audit = AuditFactory(
        reference="MACFA-2026-001",
        kind=Audit.Kind.CASE_FILE,
        lead_subgroup=qap,
        reports_to=qap,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 9, 30),
        agencies=[agency, other_agency],
    )
    CaseAuditEntryFactory(audit=audit, agency=agency, pseudonym="Child A")
    CaseAuditEntryFactory(audit=audit, agency=agency, pseudonym="Family B")
    CaseAuditEntryFactory(audit=audit, agency=other_agency, pseudonym="Child A")
    return audit


# 1. An agency whose practice is graded stays a participant ----------------------------------


@time_machine.travel(TODAY)
def test_an_agency_with_graded_cases_is_not_dropped_from_the_audit(
    client, qap_user, agency_user, case_file, other_agency
):
    before = _fields(case_file)
    client.force_login(qap_user)
    refused = _edit(client, case_file, agencies=[str(other_agency.pk)])
    assert refused.status_code == 200
    assert (
        "2 cases are graded for Police in this audit: an agency whose practice the audit has "
        "graded stays a participating agency. Keep Police ticked." in body(refused)
    )
    assert _fields(case_file) == before
    client.force_login(agency_user)
    page = client.get(reverse("audits:detail", args=[case_file.uuid]))
    assert page.status_code == 200 and "Family B" in body(page)


@time_machine.travel(TODAY)
def test_an_agency_with_no_graded_case_may_leave_and_a_case_is_graded_only_for_a_participant(
    client, qap_user, case_file, agency, other_agency, make_user
):
    from sscb.tests.factories import AgencyFactory

    education = AgencyFactory(name="Education Access", short_name="Education")
    case_file.agencies.add(education)
    client.force_login(qap_user)
    kept = [str(agency.pk), str(other_agency.pk)]
    assert _edit(client, case_file, agencies=kept).status_code == 302
    assert education not in case_file.agencies.all()
    with pytest.raises(ValidationError) as refused:
        services.case_audit_entry_add(
            audit=case_file, pseudonym="Child C", agency=education, grade="good"
        )
    assert refused.value.messages == [
        "Education is not taking part in MACFA-2026-001: add it to the audit's participating "
        "agencies first."
    ]
    assert not CaseAuditEntry.objects.filter(agency=education).exists()


@time_machine.travel(TODAY)
def test_the_admin_does_not_drop_an_agency_with_graded_cases_either(
    client, bu_user, case_file, other_agency
):
    before = _fields(case_file)
    client.force_login(bu_user)
    url = reverse("admin:audits_audit_change", args=[case_file.pk])
    shown = client.get(url)
    formsets = [inline.formset for inline in shown.context["inline_admin_formsets"]]
    data = as_posted(shown.context["adminform"].form, formsets=formsets)
    refused = client.post(url, data | {"agencies": [other_agency.pk]})
    assert refused.status_code == 200
    assert "2 cases are graded for Police in this audit" in body(refused)
    assert _fields(case_file) == before


# 2. An audit's kind is fixed once it is recorded, in the admin too ---------------------------


@time_machine.travel(TODAY)
def test_the_admin_does_not_change_an_audits_kind(client, bu_user, case_file):
    Audit.objects.filter(pk=case_file.pk).update(stage=Audit.Stage.COMPLETE, summary="Found.")
    client.force_login(bu_user)
    url = reverse("admin:audits_audit_change", args=[case_file.pk])
    shown = client.get(url)
    assert "kind" not in shown.context["adminform"].form.fields
    formsets = [inline.formset for inline in shown.context["inline_admin_formsets"]]
    data = as_posted(shown.context["adminform"].form, formsets=formsets)
    response = client.post(url, data | {"kind": "themed", "title": "Renamed"})
    assert response.status_code == 302
    case_file.refresh_from_db()
    assert (case_file.kind, case_file.title) == (Audit.Kind.CASE_FILE, "Renamed")
    page = body(client.get(reverse("audits:detail", args=[case_file.uuid])))
    assert "Family B" in page


def test_the_service_does_not_change_an_audits_kind(case_file):
    with pytest.raises(TypeError):
        services.audit_update(audit=case_file, kind=Audit.Kind.THEMED)
    assert Audit.objects.get(pk=case_file.pk).kind == Audit.Kind.CASE_FILE


# 3. An audit's dates keep what was checked against them in order -----------------------------


@time_machine.travel(TODAY)
def test_the_period_does_not_start_after_its_findings_were_identified(
    client, qap_user, qap, agency
):
    audit = AuditFactory(
        lead_subgroup=qap,
        reports_to=qap,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 9, 30),
        agencies=[agency],
    )
    for _ in range(2):
        FindingFactory(
            review=None,
            audit=audit,
            source=Finding.Source.QUALITY_ASSURANCE,
            identified_on=datetime.date(2026, 7, 10),
        )
    before = _fields(audit)
    client.force_login(qap_user)
    refused = _edit(client, audit, period_start="2026-08-01")
    assert refused.status_code == 200
    assert (
        "This would break the dates of 2 findings recorded from this audit. The date it was "
        "identified (10 July 2026) cannot be before the start of the period its audit looked "
        "at (1 August 2026)." in body(refused)
    )
    assert _fields(audit) == before
    # On the day they were identified, it may start.
    assert _edit(client, audit, period_start="2026-07-10").status_code == 302
    assert Audit.objects.get(pk=audit.pk).period_start == datetime.date(2026, 7, 10)


@time_machine.travel(TODAY)
def test_a_complete_audit_a_practice_check_cites_keeps_looking_after_the_delivery(
    client, qap_user, case_file, agency
):
    Audit.objects.filter(pk=case_file.pk).update(stage=Audit.Stage.COMPLETE, summary="Found.")
    activity = ActivityFactory(delivered_on=datetime.date(2026, 9, 10), reach=40)
    CheckFactory(
        outcome=activity.outcome,
        agency=agency,
        way=PracticeCheck.Way.MULTI_AGENCY_AUDIT,
        audit=case_file,
    )
    before = _fields(case_file)
    client.force_login(qap_user)
    refused = _edit(client, case_file, period_end="2026-08-31")
    assert refused.status_code == 200
    assert (
        "1 practice check cites this audit to show practice since its learning was delivered. "
        "The audit MACFA-2026-001 looked at practice up to 31 August 2026, before the learning "
        "was delivered (10 September 2026): it cannot show a change since." in body(refused)
    )
    assert _fields(case_file) == before
    assert _edit(client, case_file, period_end="2026-09-10").status_code == 302


@time_machine.travel(TODAY)
def test_the_period_does_not_end_after_an_action_of_its_plan_was_completed(
    client, qap_user, qap, agency
):
    audit = AuditFactory(
        lead_subgroup=qap,
        reports_to=qap,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 9, 30),
        agencies=[agency],
    )
    ActionFactory(
        review=None,
        audit=audit,
        plan=f"audit:{audit.pk}",
        status=Action.Status.COMPLETE,
        completed_on=datetime.date(2026, 10, 15),
    )
    ActionFactory(review=None, audit=audit, plan=f"audit:{audit.pk}")  # not done: no date
    before = _fields(audit)
    client.force_login(qap_user)
    refused = _edit(client, audit, period_end="2026-10-31")
    assert refused.status_code == 200
    assert (
        "This would break the dates of 1 completed action in this audit's plan. The completion "
        "date (15 October 2026) cannot be before the end of the period its audit looked at (31 "
        "October 2026)." in body(refused)
    )
    assert _fields(audit) == before
    assert _edit(client, audit, period_end="2026-10-15").status_code == 302


@time_machine.travel(TODAY)
def test_the_admin_keeps_an_audits_findings_in_order_too(client, bu_user, qap, agency):
    audit = AuditFactory(
        lead_subgroup=qap,
        reports_to=qap,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 9, 30),
        agencies=[agency],
    )
    FindingFactory(
        review=None,
        audit=audit,
        source=Finding.Source.QUALITY_ASSURANCE,
        identified_on=datetime.date(2026, 7, 10),
    )
    before = _fields(audit)
    client.force_login(bu_user)
    url = reverse("admin:audits_audit_change", args=[audit.pk])
    shown = client.get(url)
    formsets = [inline.formset for inline in shown.context["inline_admin_formsets"]]
    data = as_posted(shown.context["adminform"].form, formsets=formsets)
    refused = client.post(url, data | {"period_start": "2026-08-01"})
    assert refused.status_code == 200
    assert "This would break the dates of 1 finding recorded from this audit." in body(refused)
    assert _fields(audit) == before


# 8. One edit, one version ------------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_an_audit_recorded_then_given_another_agency_has_one_version_for_each(
    client, qap_user, qap, agency, other_agency
):
    client.force_login(qap_user)
    data = {
        "kind": "themed",
        "title": "Neglect in under fives",
        "lead_subgroup": qap.pk,
        "reports_to": qap.pk,
        "scope": "Chronic neglect.",
        "period_start": "2026-04-01",
        "period_end": "2026-09-30",
        "agencies": [agency.pk],
    }
    assert client.post(reverse("audits:create"), data).status_code == 302
    audit = Audit.objects.get()
    assert audit.history.count() == 1
    assert list(audit.history.get().agencies.values_list("agency", flat=True)) == [agency.pk]
    both = [str(agency.pk), str(other_agency.pk)]
    assert _edit(client, audit, agencies=both).status_code == 302
    assert audit.history.count() == 2
    entries = history_entries(
        client.get(reverse("audits:detail", args=[audit.uuid])), "audit-history"
    )
    assert len(entries) == 2
    assert "saved it unchanged" not in " ".join(entries)
    assert entries[0].endswith(f"{qap_user}: agencies {agency} → {other_agency}, {agency}")


# A case file audit needs its agencies ----------------------------------------------------------


@time_machine.travel(TODAY)
def test_a_case_file_audit_with_no_participating_agency_is_refused_in_words(
    client, qap_user, qap, agency
):
    client.force_login(qap_user)
    data = {
        "kind": "case_file",
        "title": "Domestic abuse",
        "lead_subgroup": qap.pk,
        "reports_to": qap.pk,
        "scope": "Eight cases.",
        "period_start": "2026-04-01",
        "period_end": "2026-09-30",
    }
    refused = client.post(reverse("audits:create"), data)
    assert refused.status_code == 200
    assert (
        "A case file audit grades each case for an agency taking part: choose the participating "
        "agencies." in body(refused)
    )
    assert not Audit.objects.exists()
    fields = {name: value for name, value in data.items() if name != "kind"}
    fields |= {"lead_subgroup": qap, "reports_to": qap}
    fields |= {"period_start": datetime.date(2026, 4, 1), "period_end": datetime.date(2026, 9, 30)}
    with pytest.raises(ValidationError, match="choose the participating agencies"):
        services.audit_create(kind=Audit.Kind.CASE_FILE, **fields)
    assert not Audit.objects.exists()
