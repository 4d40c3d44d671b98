"""Briefing pages: who sees what, writing from a theme, the PDF, an agency lead's confirmation,
and a fixed number of queries whatever the number of rows."""

import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.dashboard.overview import dashboard_figures
from learning.tests.factories import FindingFactory, ReviewFactory
from sscb.tests.factories import AgencyFactory, UserFactory
from sscb.tests.reading import history_entries

from .. import services
from ..models import Briefing, Cascade
from .factories import TEXT, draft, published

pytestmark = pytest.mark.django_db


def form_data(outcome, **changes):
    return {"outcome": outcome.pk, **TEXT, **changes}


def test_a_member_writes_a_briefing_from_a_theme(client, writer, theme, outcome):
    client.force_login(writer)
    url = reverse("briefings:write_from_theme", args=[theme.uuid])
    page = client.get(url)
    assert page.status_code == 200
    assert "Hearing the voice of the child" in page.content.decode()  # the title pre-filled
    response = client.post(url, form_data(outcome))
    briefing = Briefing.objects.get()
    assert response.url == briefing.get_absolute_url()
    assert (briefing.theme, briefing.subgroup, briefing.written_by) == (
        theme,
        theme.subgroup,
        writer,
    )


def test_identifying_text_is_refused_on_the_form_and_nothing_is_saved(
    client, writer, theme, outcome
):
    client.force_login(writer)
    url = reverse("briefings:write_from_theme", args=[theme.uuid])
    response = client.post(
        url, form_data(outcome, what_happened="Child A, date of birth 02/03/2016, was hurt.")
    )
    assert response.status_code == 400
    assert "pseudonym" in response.content.decode()
    assert not Briefing.objects.exists()


@pytest.mark.parametrize("kind", ["theme", "outcome"])
def test_a_briefing_starts_only_from_findings_its_writer_may_open(
    client, writer, li, theme, outcome, kind
):
    """A finding of a restricted review whose panel the writer is not on sits in the theme: its
    theme page says one more finding is not open to them, and the briefing, which every
    signed-in person may read once published, is not pre-filled with its words."""
    FindingFactory(
        theme=theme,
        subgroup=li,
        review=ReviewFactory(subgroup=li, is_restricted=True),
        title="Exploitation risk not shared between agencies",
        detail="Young person D was known to three agencies as missing.",
    )
    client.force_login(writer)
    assert "1 more finding in this theme is not open to you" in unescape(
        client.get(theme.get_absolute_url()).content.decode()
    )
    record = {"theme": theme, "outcome": outcome}[kind]
    page = unescape(
        client.get(reverse(f"briefings:write_from_{kind}", args=[record.uuid])).content.decode()
    )
    assert "Child A's words were not recorded" in page
    assert "Exploitation risk" not in page and "Young person D" not in page


def test_a_briefing_from_a_review_lists_only_outcomes_its_writer_may_open(
    client, writer, li, outcome
):
    review = ReviewFactory(subgroup=li)
    FindingFactory(review=review, theme=outcome.theme, subgroup=li, title="Fathers not seen")
    client.force_login(writer)
    page = client.get(reverse("briefings:write_from_review", args=[review.uuid]))
    assert "Fathers not seen" in unescape(page.content.decode())
    assert list(page.context["form"].fields["outcome"].queryset) == [outcome]


def test_someone_outside_the_sub_group_may_not_write_one(client, theme, make_user, agency_user):
    outsider = make_user(role="subgroup_member", username="outsider")
    url = reverse("briefings:write_from_theme", args=[theme.uuid])
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(agency_user)
    assert client.get(url).status_code in (403, 404)


def test_a_draft_is_its_sub_groups_and_a_published_briefing_everyones(
    client, writer, chair, li, outcome, agencies, agency_user, executive_user, bu_user
):
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    url = briefing.get_absolute_url()
    for reader in (writer, chair, bu_user):
        client.force_login(reader)
        assert client.get(url).status_code == 200
    for stranger in (agency_user, executive_user):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        assert "Hearing Child A" not in client.get(reverse("briefings:list")).content.decode()

    shown = published(by=writer, approver=chair, subgroup=li, outcome=outcome, title="Shown")
    for reader in (agency_user, executive_user):
        client.force_login(reader)
        assert client.get(shown.get_absolute_url()).status_code == 200


def test_an_agency_lead_sees_and_confirms_only_their_own_agencys_cascade(
    client, writer, chair, li, outcome, agencies, agency_user
):
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    own = briefing.cascades.get(agency=agencies[0])
    other = briefing.cascades.get(agency=agencies[1])
    client.force_login(agency_user)
    listing = client.get(reverse("briefings:cascades")).content.decode()
    assert reverse("briefings:confirm", args=[own.uuid]) in listing
    assert reverse("briefings:confirm", args=[other.uuid]) not in listing
    assert client.get(reverse("briefings:confirm", args=[other.uuid])).status_code == 404
    data = {
        "cascaded_on": timezone.localdate().isoformat(),
        "method": "team_meeting",
        "staff_reached": "35",
    }
    response = client.post(reverse("briefings:confirm", args=[own.uuid]), data)
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.staff_reached, own.confirmed_by) == (35, agency_user)
    page = client.get(briefing.get_absolute_url()).content.decode()
    assert agencies[0].name in page and agencies[1].name not in page  # only their own row


def test_the_pdf_is_a_pdf_and_the_printable_page_prints_the_sections(
    client, writer, chair, li, outcome, agencies, agency_user
):
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    client.force_login(agency_user)
    response = client.get(reverse("briefings:pdf", args=[briefing.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 2000
    printable = client.get(reverse("briefings:print", args=[briefing.uuid])).content.decode()
    for heading in ("What happened", "Why it matters", "What to do differently"):
        assert heading in printable
    assert "briefings/print.css" in printable


def test_acts_refused_change_nothing(client, writer, chair, li, outcome, make_user):
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    client.force_login(writer)
    client.post(reverse("briefings:submit", args=[briefing.uuid]))
    response = client.post(reverse("briefings:approve", args=[briefing.uuid]))
    assert response.status_code == 403  # the author may not approve
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.SUBMITTED
    client.force_login(chair)
    client.post(reverse("briefings:approve", args=[briefing.uuid]))
    client.force_login(writer)
    client.post(reverse("briefings:publish", args=[briefing.uuid]))
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.PUBLISHED


def _grow(n, *, writer, chair, li, outcome):
    for i in range(n):
        AgencyFactory()
        briefing = published(
            by=writer, approver=chair, subgroup=li, outcome=outcome, title=f"Briefing {i}"
        )
        for cascade in briefing.cascades.all()[:2]:
            cascade.confirmed_at = timezone.now()
            cascade.cascaded_on = timezone.localdate()
            cascade.method = Cascade.Method.EMAIL
            cascade.staff_reached = 10
            cascade.save()


@pytest.mark.parametrize("page_name", ["list", "detail", "cascades", "dashboard"])
def test_pages_run_the_same_queries_for_2_or_20_rows(
    client,
    writer,
    chair,
    li,
    outcome,
    agencies,
    agency_user,
    bu_user,
    count_queries,
    django_assert_max_num_queries,
    page_name,
):
    made = {"writer": writer, "chair": chair, "li": li, "outcome": outcome}
    _grow(2, **made)
    first = Briefing.objects.order_by("pk").first()
    reader = agency_user if page_name == "cascades" else bu_user
    client.force_login(reader)
    url = {
        "list": reverse("briefings:list"),
        "detail": first.get_absolute_url(),
        "cascades": reverse("briefings:cascades"),
        "dashboard": reverse("dashboard:index"),
    }[page_name]
    small = count_queries(url)
    _grow(18, **made)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


def confirm_both(briefing, *, by, staff):
    """Both agencies confirm the briefing's cascade, reaching ``staff`` people each."""
    cascades = list(briefing.cascades.order_by("pk"))
    for cascade, reached in zip(cascades, staff, strict=True):
        services.cascade_confirm(
            cascade=cascade,
            by=by,
            cascaded_on=timezone.localdate(),
            method="email",
            staff_reached=reached,
        )
    return cascades


def test_the_dashboards_reach_is_the_sum_of_confirmations_and_links_to_them(
    writer, chair, li, outcome, agencies, agency_user, bu_user
):
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    confirm_both(briefing, by=agency_user, staff=(12, 30))
    [row] = dashboard_figures(bu_user)["reach"]
    [delivery] = row["deliveries"]
    assert row["outcome"] == outcome and row["reach"] == 42
    assert delivery["reach"].value == 42
    assert delivery["reach"].url == f"{briefing.get_absolute_url()}#cascade"
    assert (delivery["agencies_confirmed"], delivery["agencies"]) == (2, 2)


def test_an_agency_lead_without_an_agency_page_is_refused(client, make_user, agency_user):
    client.force_login(UserFactory(role="executive", username="exec2"))
    assert client.get(reverse("briefings:cascades")).status_code == 403


def test_a_briefings_delivery_is_not_typed_in_on_the_outcome(
    client, writer, chair, li, outcome, agencies
):
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    client.force_login(writer)
    page = client.get(outcome.get_absolute_url()).content.decode()
    assert f'href="{briefing.get_absolute_url()}"' in page
    assert reverse("learning:activity_edit", args=[briefing.activity.uuid]) not in page
    response = client.get(reverse("learning:activity_edit", args=[briefing.activity.uuid]))
    assert response.url == briefing.get_absolute_url()
    client.post(
        reverse("learning:activity_edit", args=[briefing.activity.uuid]),
        {"way": "briefing", "title": "Typed", "planned_on": "2025-01-01", "reach": "999"},
    )
    briefing.activity.refresh_from_db()
    assert briefing.activity.reach == 0


def test_a_confirmation_is_neither_corrected_nor_removed_in_the_admin(
    client, writer, chair, li, outcome, agencies, agency_user, bu_user
):
    """The dashboard counts the delivery activity's reach, which only the agencies'
    confirmations change: the Django admin reads a cascade, and neither corrects nor deletes it
    (sscb/admin_records.py, read_only)."""
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    first, second = confirm_both(briefing, by=agency_user, staff=(12, 30))

    def reach():
        briefing.activity.refresh_from_db()
        return briefing.activity.reach

    assert reach() == 42
    client.force_login(bu_user)
    url = reverse("admin:briefings_cascade_change", args=[first.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data |= {"staff_reached": 20}
    assert "staff_reached" not in form.fields
    assert client.post(url, data).status_code == 403
    delete = reverse("admin:briefings_cascade_delete", args=[second.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert reach() == 42


def test_staff_reached_of_none_is_refused_on_the_form_and_nothing_is_confirmed(
    client, writer, chair, li, outcome, agencies, agency_user
):
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    own = briefing.cascades.get(agency=agencies[0])
    client.force_login(agency_user)
    response = client.post(
        reverse("briefings:confirm", args=[own.uuid]),
        {
            "cascaded_on": timezone.localdate().isoformat(),
            "method": "team_meeting",
            "staff_reached": "0",
        },
    )
    assert response.status_code == 400
    assert "Give how many staff received the briefing: at least 1." in response.content.decode()
    own.refresh_from_db()
    assert not own.is_confirmed


def test_the_agency_leads_home_page_lists_the_briefings_to_cascade(
    client, writer, chair, li, outcome, agencies, agency_user
):
    client.force_login(agency_user)
    assert "to cascade" not in client.get(reverse("home")).content.decode()
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    page = unescape(client.get(reverse("home")).content.decode())
    assert "1 briefing to cascade to your staff" in page
    confirm_by = briefing.cascades.get(agency=agencies[0]).confirm_by
    assert f"Confirm by {confirm_by.day} {confirm_by:%B %Y}" in page
    assert f'href="{reverse("briefings:cascades")}"' in page
    late = published(
        by=writer,
        approver=chair,
        subgroup=li,
        outcome=outcome,
        on=timezone.localdate() - datetime.timedelta(days=40),
        title="An older briefing",
    )
    page = unescape(client.get(reverse("home")).content.decode())
    assert "1 briefing to cascade, past the date asked" in page
    services.cascade_confirm(
        cascade=late.cascades.get(agency=agencies[0]),
        by=agency_user,
        cascaded_on=timezone.localdate(),
        method="email",
        staff_reached=12,
    )
    page = unescape(client.get(reverse("home")).content.decode())
    assert "past the date asked" not in page and "1 briefing to cascade" in page


def test_the_page_of_a_briefing_whose_outcome_awaits_the_executive_says_so_not_publish(
    client, writer, chair, li, outcome
):
    from learning.models import LearningOutcome

    LearningOutcome.objects.filter(pk=outcome.pk).update(decision="pending", decided_on=None)
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    services.briefing_submit(briefing=briefing, by=writer)
    services.briefing_approve(briefing=briefing, by=chair)
    client.force_login(writer)
    page = unescape(client.get(briefing.get_absolute_url()).content.decode())
    assert "is awaiting the Executive's decision" in page
    assert reverse("briefings:publish", args=[briefing.uuid]) not in page


# History ---------------------------------------------------------------------------------------


def _history(response, testid="briefing-history") -> list[str]:
    return history_entries(response, testid)


def test_a_briefings_history_says_who_changed_it_its_versions_and_its_cascade(
    client, writer, chair, li, outcome, agencies, agency_user, bu_user
):
    """From draft to each agency's confirmation, who did what, on the briefing's page; not the
    outcome or theme it delivers (each has its own rule for who may see it), and an agency's
    lead reads only their own agency's cascade in it."""
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    act = {
        name: reverse(f"briefings:{name}", args=[briefing.uuid])
        for name in ("submit", "return", "edit", "approve", "publish")
    }
    client.force_login(writer)
    client.post(act["submit"])
    client.force_login(chair)
    client.post(act["return"], {"returned_note": "Say what to record."})
    client.force_login(writer)
    client.post(act["edit"], form_data(outcome, title="Hearing Child A, in their words"))
    client.post(act["submit"])
    client.force_login(chair)
    client.post(act["approve"])
    client.force_login(writer)
    client.post(act["publish"])
    own = briefing.cascades.get(agency=agencies[0])
    client.force_login(agency_user)
    today = timezone.localdate()
    client.post(
        reverse("briefings:confirm", args=[own.uuid]),
        {"cascaded_on": today.isoformat(), "method": "team_meeting", "staff_reached": "35"},
    )

    client.force_login(bu_user)
    entries = _history(client.get(briefing.get_absolute_url()))
    day = f"{today.day} {today:%b %Y}"
    assert entries[0].endswith(
        f"{agency_user}: cascade (West Mercia Police): cascaded on none → {day}; how none → "
        f"Team meeting; staff reached none → 35; confirmed by none → {agency_user}"
    )
    said = " ".join(entries)
    assert (
        f"{writer}: status Approved, ready to publish → Published; published on none → {day}; "
        f"published by none → {writer}"
    ) in said
    assert f"{writer}: cascade (Children's Social Care): recorded it" in said
    assert f"{chair}: status Awaiting the chair's approval → Approved, ready to publish; " in said
    assert f"{writer}: earlier version (1): recorded it" in said
    assert (
        f"{writer}: title Hearing Child A → Hearing Child A, in their words; version 1 → 2"
    ) in said
    assert (
        f"{chair}: status Awaiting the chair's approval → Draft; changed the changes asked for"
    ) in said
    assert outcome.title not in said and outcome.theme.title not in said

    client.force_login(agency_user)
    said = " ".join(_history(client.get(briefing.get_absolute_url())))
    assert "cascade (West Mercia Police)" in said and "Children's Social Care" not in said


def test_a_briefings_history_runs_the_same_queries_for_few_or_many_versions(
    client,
    writer,
    chair,
    li,
    outcome,
    agencies,
    agency_user,
    bu_user,
    count_queries,
    django_assert_num_queries,
):
    def briefing_with(edits, corrections):
        briefing = draft(by=writer, subgroup=li, outcome=outcome)
        services.briefing_submit(briefing=briefing, by=writer)
        for n in range(edits):
            services.briefing_edit(
                briefing=briefing, by=writer, outcome=outcome, title=f"Hearing Child A {n}"
            )
            services.briefing_submit(briefing=briefing, by=writer)
        services.briefing_approve(briefing=briefing, by=chair)
        services.briefing_publish(briefing=briefing, by=writer)
        for staff in range(corrections):
            for cascade in briefing.cascades.all():
                services.cascade_confirm(
                    cascade=cascade,
                    by=agency_user,
                    cascaded_on=timezone.localdate(),
                    method="email",
                    staff_reached=10 + staff,
                )
        return briefing

    client.force_login(bu_user)
    few = briefing_with(1, 1).get_absolute_url()
    count_queries(few)  # the first page after signing in also saves the session
    queries = count_queries(few)
    many = briefing_with(30, 4).get_absolute_url()
    with django_assert_num_queries(queries):
        response = client.get(many)
    said = _history(response)
    assert len(said) == 20
    assert "earlier version (30)" in " ".join(said) and "staff reached 12 → 13" in said[0]
