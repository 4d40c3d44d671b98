"""The case file (issue 18): the merged multi-agency chronology, its upload and export, the
terms of reference with versions and the review team with the reviewer's independence."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from reviews import casefile
from reviews.models import ChronologyEntry, Review, ReviewTeamMember, TermsOfReference
from reviews.tests.factories import ReviewAgencyFactory, open_review
from sscb import sending
from sscb.models import AccessLogEntry
from sscb.tests.factories import AgencyFactory, UserFactory

DAY = datetime.date(2025, 3, 10)
HEADER = "date,what happened,source,key episode\r\n"


@pytest.fixture
def three(db):
    """Three agencies, one lead for each."""
    made = {}
    for short, kind in (("Police", "police"), ("CSC", "csc"), ("Health", "health")):
        agency = AgencyFactory(name=f"{short} agency", short_name=short, kind=kind)
        made[short] = (agency, UserFactory(role="agency_lead", agency=agency, username=short))
    return made


@pytest.fixture
def review(three, bu_user, crp):
    made = open_review(by=bu_user, kind=Review.Kind.RAPID_REVIEW, subgroup=crp)
    for agency, _lead in three.values():
        ReviewAgencyFactory(review=made, agency=agency)
    return made


def csv_file(text, name="chronology.csv"):
    return SimpleUploadedFile(name, (HEADER + text).encode())


def entry(review, agency, by, day, what="Seen at home.", key=False):
    return casefile.chronology_entry_save(
        review=review,
        by=by,
        agency=agency,
        happened_on=day,
        what_happened=what,
        source="Case record",
        is_key_episode=key,
    )


# Upload ------------------------------------------------------------------------------------


def test_an_upload_with_one_bad_row_says_which_row_and_why_and_adds_nothing(client, review, three):
    police, lead = three["Police"]
    client.force_login(lead)
    upload = csv_file(
        "2025-03-01,Child A seen by the school nurse,School record,no\r\n"
        "2025-13-45,Strategy discussion held,Minutes,yes\r\n"
        "03/03/2025,Home visit; mother present,Visit note,\r\n"
    )
    response = client.post(
        reverse("reviews:chronology-upload", args=[review.uuid]),
        {"agency": police.pk, "file": upload},
    )
    assert response.status_code == 200
    errors = response.context["row_errors"]
    assert errors == [
        "Row 3: the date “2025-13-45” is not a date (write 2025-03-10 or 10/03/2025)."
    ]
    assert "Row 3" in response.content.decode()
    assert not ChronologyEntry.objects.exists()


def test_an_upload_sent_twice_adds_once_and_a_corrected_file_is_a_new_send(client, review, three):
    """The same page and file sent again adds nothing; a file refused for its rows, corrected
    (the same name and size) and sent from the same page, is read."""
    police, lead = three["Police"]
    client.force_login(lead)
    url = reverse("reviews:chronology-upload", args=[review.uuid])
    key = client.get(url).context["form"][sending.ONCE].value()
    bad = "2025-13-01,Child A seen by the school nurse,School record,no\r\n"
    refused = client.post(url, {"agency": police.pk, "file": csv_file(bad), sending.ONCE: key})
    assert refused.context["row_errors"] and not ChronologyEntry.objects.exists()
    good = bad.replace("2025-13-01", "2025-03-01")
    data = {"agency": police.pk, sending.ONCE: key}
    assert client.post(url, {**data, "file": csv_file(good)}).status_code == 302
    again = client.post(url, {**data, "file": csv_file(good)})
    assert "This page had already been sent" in again.content.decode()
    assert ChronologyEntry.objects.count() == 1


def test_an_identifier_in_a_row_is_refused_with_the_row_named(review, three):
    police, lead = three["Police"]
    result = casefile.chronology_import(
        review=review,
        by=lead,
        agency=police,
        upload=csv_file(
            "2025-03-01,Seen at home,Visit note,no\r\n"
            "2025-03-02,Child A (DOB 01/02/2015) seen at A&E,ED record,yes\r\n"
            "2025-03-03,,Visit note,maybe\r\n"
        ),
    )
    assert result.created == 0
    assert result.errors[0].startswith("Row 3: what happened: This looks like a date of birth")
    assert result.errors[1] == (
        "Row 4: “key episode” must be yes or no, not “maybe”; “what happened” is empty."
    )
    assert not ChronologyEntry.objects.exists()


def test_a_good_csv_and_a_good_xlsx_are_added_whole(review, three, bu_user):
    police, lead = three["Police"]
    result = casefile.chronology_import(
        review=review,
        by=lead,
        agency=police,
        upload=csv_file("2025-03-01,Seen at home,Visit note,yes\r\n03/03/2025,Called,Log,\r\n"),
    )
    assert (result.created, result.errors) == (2, [])
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "What happened", "Source", "Key episode"])
    sheet.append([datetime.datetime(2025, 2, 1), "Referral received", "Front door log", "no"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    csc, _ = three["CSC"]
    result = casefile.chronology_import(
        review=review,
        by=bu_user,
        agency=csc,
        upload=SimpleUploadedFile("csc.xlsx", buffer.getvalue()),
    )
    assert (result.created, result.errors) == (1, [])
    rows = list(review.chronology.order_by("happened_on").values_list("agency", "happened_on"))
    assert rows == [
        (csc.pk, datetime.date(2025, 2, 1)),
        (police.pk, datetime.date(2025, 3, 1)),
        (police.pk, datetime.date(2025, 3, 3)),
    ]
    # Each entry has its history, with who added it.
    assert ChronologyEntry.history.filter(history_user=lead).count() == 2


def test_a_file_not_in_the_template_is_refused_as_a_whole(review, three):
    police, lead = three["Police"]
    result = casefile.chronology_import(
        review=review,
        by=lead,
        agency=police,
        upload=SimpleUploadedFile("c.csv", b"when,what\r\n2025-03-01,Seen\r\n"),
    )
    assert "first row must name the template's columns" in result.errors[0]
    # A file that is not a spreadsheet is refused by the upload rule.
    result = casefile.chronology_import(
        review=review,
        by=lead,
        agency=police,
        upload=SimpleUploadedFile("c.csv", b"<script>alert(1)</script>"),
    )
    assert "can't be accepted" in result.errors[0]


# The merged chronology -----------------------------------------------------------------------


def test_the_merged_chronology_orders_three_agencies_entries_by_date(
    client, review, three, bu_user
):
    for short, day in (("Health", 3), ("Police", 1), ("CSC", 2), ("Police", 4)):
        agency, lead = three[short]
        entry(review, agency, lead, DAY + datetime.timedelta(days=day), what=f"{short} {day}")
    client.force_login(bu_user)
    response = client.get(reverse("reviews:chronology", args=[review.uuid]))
    assert [e.what_happened for e in response.context["entries"]] == [
        "Police 1",
        "CSC 2",
        "Health 3",
        "Police 4",
    ]
    # Filtered by agency and by period.
    csc = three["CSC"][0]
    response = client.get(reverse("reviews:chronology", args=[review.uuid]), {"agency": csc.pk})
    assert [e.what_happened for e in response.context["entries"]] == ["CSC 2"]
    response = client.get(
        reverse("reviews:chronology", args=[review.uuid]),
        {"from_date": "2025-03-12", "to_date": "2025-03-13"},
    )
    assert [e.what_happened for e in response.context["entries"]] == ["CSC 2", "Health 3"]


def test_key_practice_episodes_are_marked_and_can_be_shown_alone(client, review, three, bu_user):
    police, lead = three["Police"]
    entry(review, police, lead, DAY, what="Routine call")
    entry(review, police, lead, DAY, what="Strategy discussion not held", key=True)
    client.force_login(bu_user)
    url = reverse("reviews:chronology", args=[review.uuid])
    page = client.get(url).content.decode()
    assert page.count("Key practice episode</span>") == 1
    response = client.get(url, {"key": "on"})
    assert [e.what_happened for e in response.context["entries"]] == [
        "Strategy discussion not held"
    ]


def test_another_agency_cannot_read_or_change_an_agencys_entries(client, review, three):
    police, police_lead = three["Police"]
    secret = entry(review, police, police_lead, DAY, what="Police only knew this")
    csc, csc_lead = three["CSC"]
    entry(review, csc, csc_lead, DAY, what="Social care saw this")
    client.force_login(csc_lead)
    page = client.get(reverse("reviews:chronology", args=[review.uuid])).content.decode()
    assert "Social care saw this" in page
    assert "Police only knew this" not in page
    export = client.get(reverse("reviews:chronology-csv", args=[review.uuid]))
    text = export.getvalue().decode()
    assert "Social care saw this" in text and "Police only knew this" not in text
    edit = reverse("reviews:chronology-edit", args=[review.uuid, secret.uuid])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"agency": csc.pk, "happened_on": "2025-03-10"}).status_code == 404
    # Nor may it enter for the police agency.
    response = client.post(
        reverse("reviews:chronology-add", args=[review.uuid]),
        {"agency": police.pk, "happened_on": "2025-03-10", "what_happened": "x", "source": "y"},
    )
    assert response.status_code == 200 and "agency" in response.context["form"].errors
    assert review.chronology.filter(agency=police).count() == 1


def test_an_agency_lead_adds_and_changes_their_own_entry_until_it_is_closed(
    client, review, three, bu_user
):
    police, lead = three["Police"]
    client.force_login(lead)
    add = reverse("reviews:chronology-add", args=[review.uuid])
    data = {
        "agency": police.pk,
        "happened_on": "2025-03-10",
        "what_happened": "Officers attended; Child A present.",
        "source": "Incident log",
    }
    assert client.post(add, data).status_code == 302
    made = review.chronology.get()
    edit = reverse("reviews:chronology-edit", args=[review.uuid, made.uuid])
    assert client.post(edit, data | {"source": "Incident log 42"}).status_code == 302
    made.refresh_from_db()
    assert made.source == "Incident log 42"
    assert made.history.count() == 2
    # An NHS number is refused with a clear message.
    response = client.post(edit, data | {"what_happened": "NHS number 943 476 5919"})
    assert "looks like an NHS number" in response.content.decode()
    casefile.chronology_close(review=review, by=bu_user)
    # Closed: not a want of access (403), but said so (test_closed_chronology.py).
    assert client.get(edit).url == reverse("reviews:chronology", args=[review.uuid])
    assert "was closed on" in client.post(add, data).content.decode()
    assert review.chronology.count() == 1
    # Closing is in the review's history.
    assert review.history.filter(history_change_reason="Chronology closed").exists()


def test_the_export_is_filtered_as_the_page_and_logged(client, review, three, bu_user):
    police, lead = three["Police"]
    entry(review, police, lead, DAY, what="=HYPERLINK(1)")
    entry(review, three["CSC"][0], bu_user, DAY, what="CSC entry")
    client.force_login(bu_user)
    response = client.get(
        reverse("reviews:chronology-xlsx", args=[review.uuid]), {"agency": police.pk}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Date", "Agency", "What happened", "Source", "Key practice episode")
    assert [row[2] for row in rows[1:]] == ["=HYPERLINK(1)"]
    assert sheet.cell(row=2, column=3).data_type == "s"  # text, never a formula
    assert AccessLogEntry.objects.filter(action="export", record__contains="Chronology").exists()


def test_the_template_downloads_with_the_documented_columns(client, bu_user):
    client.force_login(bu_user)
    text = client.get(reverse("reviews:chronology-template")).content.decode("utf-8-sig")
    assert text.splitlines()[0] == "date,what happened,source,key episode"


def test_chronology_page_runs_the_same_queries_for_2_or_50_entries(
    client, review, three, bu_user, count_queries, django_assert_max_num_queries
):
    police, lead = three["Police"]
    client.force_login(lead)
    for day in range(2):
        entry(review, police, lead, DAY - datetime.timedelta(days=day))
    url = reverse("reviews:chronology", args=[review.uuid]) + "?key="
    small = count_queries(url)
    for day in range(2, 50):
        entry(review, police, lead, DAY - datetime.timedelta(days=day))
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert len(response.context["entries"]) == 50


# Terms of reference ----------------------------------------------------------------------------


def test_terms_of_reference_keep_every_version(client, review, crp_member):
    client.force_login(crp_member)
    url = reverse("reviews:terms", args=[review.uuid])
    data = {
        "scope_from": "2024-09-01",
        "scope_to": "2025-03-10",
        "lines_of_enquiry": "How was Child A's voice heard?\nWas the strategy discussion timely?",
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, data | {"scope_to": "2024-01-01"})
    assert "cannot be before its start" in response.content.decode()
    # Not before the referral: agreed on the day it was referred.
    agreed = data | {"agreed_by": "Case Review Panel", "agreed_on": "2025-03-20"}
    assert "cannot be before the referral" in client.post(url, agreed).content.decode()
    agreed["agreed_on"] = review.referred_on.isoformat()
    assert client.post(url, agreed).status_code == 302
    versions = list(review.terms_versions.order_by("version"))
    assert [(v.version, v.agreed_by) for v in versions] == [(1, ""), (2, "Case Review Panel")]
    page = client.get(url).content.decode()
    assert "Version 2" in page and "Earlier versions" in page
    assert "Was the strategy discussion timely?" in page


def test_terms_are_read_by_readers_and_written_by_editors_only(client, review, executive_user):
    client.force_login(executive_user)
    url = reverse("reviews:terms", args=[review.uuid])
    assert client.get(url).status_code == 200
    assert client.post(url, {"scope_from": "2024-09-01"}).status_code == 403
    assert not TermsOfReference.objects.exists()


def test_terms_page_runs_the_same_queries_for_2_or_20_versions(
    client, review, bu_user, count_queries, django_assert_max_num_queries
):
    client.force_login(bu_user)

    def add(n):
        for _ in range(n):
            casefile.terms_of_reference_add(
                review=review,
                by=bu_user,
                scope_from=DAY,
                scope_to=DAY,
                lines_of_enquiry="One\nTwo",
            )

    add(2)
    url = reverse("reviews:terms", args=[review.uuid])
    small = count_queries(url)
    add(18)
    with django_assert_max_num_queries(small):
        client.get(url)


# The review team -------------------------------------------------------------------------------


def test_a_reviewer_employed_by_an_agency_under_review_is_refused_without_a_reason(
    client, review, three, bu_user
):
    police, _ = three["Police"]
    insider = UserFactory(role="independent_reviewer", agency=police, username="insider")
    client.force_login(bu_user)
    url = reverse("reviews:team", args=[review.uuid])
    response = client.post(url, {"person": insider.pk, "role": "reviewer"})
    assert "must be independent of the agencies reviewed" in response.content.decode()
    assert not review.team.exists()
    reason = "Works in a separate division with no part in the case."
    response = client.post(
        url, {"person": insider.pk, "role": "reviewer", "independence_reason": reason}
    )
    assert response.status_code == 302
    assert review.team.get().independence_reason == reason
    # Someone from an agency not under review needs no reason.
    outsider = UserFactory(role="independent_reviewer", username="independent")
    assert client.post(url, {"person": outsider.pk, "role": "reviewer"}).status_code == 302


def test_the_admin_holds_the_independence_rule_too(client, review, three, bu_user):
    police, _ = three["Police"]
    insider = UserFactory(role="independent_reviewer", agency=police, username="insider")
    client.force_login(bu_user)
    url = reverse("admin:reviews_reviewteammember_add")
    data = {"review": review.pk, "person": insider.pk, "role": "reviewer", "joined_on": DAY}
    response = client.post(url, data)
    assert "must be independent of the agencies reviewed" in response.content.decode()
    assert not review.team.exists()
    data["independence_reason"] = "Works in a separate division with no part in the case."
    assert client.post(url, data).status_code == 302
    assert review.team.get().person == insider


def test_the_business_unit_reads_and_corrects_the_case_file_in_the_admin(
    client, review, three, bu_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    police, _ = three["Police"]
    casefile.chronology_entry_save(
        review=review,
        by=bu_user,
        agency=police,
        happened_on=DAY,
        what_happened="Child A seen at home.",
        source="Police log",
    )
    document = casefile.document_add(
        review=review,
        by=bu_user,
        kind="final_report",
        title="Final report",
        file=SimpleUploadedFile("report.txt", b"The report."),
    )
    client.force_login(bu_user)
    for model in ("chronologyentry", "casedocument", "documentversion"):
        page = client.get(reverse(f"admin:reviews_{model}_changelist"))
        assert review.reference in page.content.decode(), model
    version = document.versions.get()
    page = client.get(reverse("admin:reviews_documentversion_change", args=[version.pk]))
    assert version.file.name not in page.content.decode()  # never served from the admin
    entry = ChronologyEntry.objects.get()
    url = reverse("admin:reviews_chronologyentry_change", args=[entry.pk])
    data = {
        "review": review.pk,
        "agency": police.pk,
        "happened_on": DAY,
        "what_happened": "Child A seen at home by PC 12.",
        "source": "Police log",
    }
    assert client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.what_happened.endswith("PC 12.") and entry.history.count() == 2


def test_team_members_leave_without_being_deleted(client, review, bu_user, member_user):
    member = casefile.team_member_add(
        review=review, by=bu_user, person=member_user, role=ReviewTeamMember.Role.CHAIR
    )
    client.force_login(bu_user)
    url = reverse("reviews:team-leave", args=[review.uuid, member.uuid])
    assert client.post(url).status_code == 302
    member.refresh_from_db()
    assert member.left_on is not None
    assert member.history.count() == 2


def test_leaving_is_dated_and_someone_added_back_the_same_day_is_a_new_addition(
    client, review, bu_user, member_user
):
    """A misclick is mended at once: adding the same person back is not "the page sent twice"."""
    from sscb.sending import ONCE

    client.force_login(bu_user)
    team = reverse("reviews:team", args=[review.uuid])

    def add():
        page = client.get(team).context["form"]
        data = {"person": member_user.pk, "role": "chair", ONCE: page[ONCE].value()}
        return client.post(team, data, follow=True)

    assert "Added to the review team." in add().content.decode()
    member = review.team.get()
    leave = reverse("reviews:team-leave", args=[review.uuid, member.uuid])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused = client.post(leave, {"left_on": tomorrow.isoformat()}, follow=True)
    assert "cannot be in the future" in refused.content.decode()
    member.refresh_from_db()
    assert member.left_on is None
    left = client.post(leave, {"left_on": timezone.localdate().isoformat()}, follow=True)
    assert "Recorded in error? Add them to the team again." in left.content.decode()
    assert "Added to the review team." in add().content.decode()
    assert review.team.filter(left_on__isnull=True).count() == 1


def test_team_page_runs_the_same_queries_for_2_or_20_members(
    client, review, bu_user, count_queries, django_assert_max_num_queries
):
    client.force_login(bu_user)
    for n in range(2):
        casefile.team_member_add(
            review=review, by=bu_user, person=UserFactory(username=f"p{n}"), role="chair"
        )
    url = reverse("reviews:team", args=[review.uuid])
    small = count_queries(url)
    for n in range(2, 20):
        agency = AgencyFactory()
        casefile.team_member_add(
            review=review,
            by=bu_user,
            person=UserFactory(username=f"p{n}", agency=agency),
            role="agency_representative",
            agency=agency,
        )
    with django_assert_max_num_queries(small):
        client.get(url)


# The review page and the home page ----------------------------------------------------------


def test_the_review_page_sums_up_the_case_file_with_links(client, review, three, bu_user):
    police, lead = three["Police"]
    entry(review, police, lead, DAY)
    entry(review, three["CSC"][0], bu_user, DAY)
    client.force_login(lead)
    page = client.get(reverse("reviews:detail", args=[review.uuid])).content.decode()
    assert "Case file" in page
    assert reverse("reviews:chronology", args=[review.uuid]) in page
    assert "1 entry" in page  # the lead counts only their own agency's entries
    assert reverse("reviews:chronology-add", args=[review.uuid]) in page


def test_a_reviewers_home_lists_what_waits_in_each_review(client, review, three, reviewer_user):
    Review.objects.filter(pk=review.pk).update(lead_reviewer=reviewer_user)
    review.agencies.update(chronology_requested_on=DAY)
    review.agencies.filter(agency=three["Police"][0]).update(chronology_received_on=DAY)
    casefile.terms_of_reference_add(
        review=review, by=reviewer_user, scope_from=DAY, scope_to=DAY, lines_of_enquiry="One"
    )
    client.force_login(reviewer_user)
    page = client.get(reverse("home")).content.decode()
    assert "the terms of reference are not agreed" in page
    assert "2 agency chronologies are awaited" in page


def test_an_agency_leads_home_says_their_chronology_is_asked_for(client, review, three):
    police, lead = three["Police"]
    review.agencies.filter(agency=police).update(chronology_requested_on=DAY)
    client.force_login(lead)
    page = client.get(reverse("home")).content.decode()
    assert f"{review.reference}: your agency&#x27;s chronology is asked for" in page
    casefile.chronology_close(review=review, by=UserFactory(role="business_unit"))
    page = client.get(reverse("home")).content.decode()
    assert "chronology is asked for" not in page


@pytest.mark.parametrize("who", ["reviewer", "lead"])
def test_home_runs_the_same_queries_for_2_or_20_reviews(
    client, three, bu_user, crp, reviewer_user, count_queries, django_assert_max_num_queries, who
):
    police, lead = three["Police"]
    user = reviewer_user if who == "reviewer" else lead

    def add(n):
        for _ in range(n):
            made = open_review(
                by=bu_user, kind=Review.Kind.RAPID_REVIEW, subgroup=crp, lead_reviewer=reviewer_user
            )
            ReviewAgencyFactory(review=made, agency=police, chronology_requested_on=DAY)
            casefile.terms_of_reference_add(
                review=made, by=bu_user, scope_from=DAY, scope_to=DAY, lines_of_enquiry="One"
            )

    add(2)
    client.force_login(user)
    small = count_queries(reverse("home"))
    add(18)
    with django_assert_max_num_queries(small):
        response = client.get(reverse("home"))
    assert response.content.decode().count("chronolog") >= 20


# Documents -----------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def text_file(name="report.txt", text="Agency report"):
    return SimpleUploadedFile(name, text.encode())


def test_a_draft_is_seen_by_the_reviewer_the_panel_and_the_business_unit_only(
    client, media, review, bu_user, reviewer_user, executive_user, crp_member
):
    Review.objects.filter(pk=review.pk).update(lead_reviewer=reviewer_user)
    review.refresh_from_db()
    draft = casefile.document_add(
        review=review, by=bu_user, kind="draft_report", title="Draft 1", file=text_file()
    )
    final = casefile.document_add(
        review=review, by=bu_user, kind="final_report", title="Final", file=text_file()
    )
    panel = UserFactory(role="subgroup_member", username="panellist")
    review.panel_members.add(panel)
    url = reverse("reviews:documents", args=[review.uuid])
    draft_file = reverse("reviews:document-download", args=[review.uuid, draft.versions.get().uuid])
    for user, sees, sees_final in (
        (bu_user, True, True),
        (reviewer_user, True, True),
        (panel, True, True),
        (crp_member, False, True),  # edits the review, but is not on its panel
        (executive_user, False, False),  # reads the final report once it is published
    ):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert ("Draft 1" in page, "Final" in page) == (sees, sees_final), user.username
        assert client.get(draft_file).status_code == (200 if sees else 404), user.username
    assert final.versions.count() == 1


def test_the_case_file_is_read_by_those_who_work_on_the_review(
    client, media, review, three, bu_user, executive_user, crp_member
):
    """The executive and members of other sub-groups read the review's page and, once it is
    published, its final report and the Board's response; never the chronology or the
    agencies' reports."""
    report = casefile.document_add(
        review=review,
        by=bu_user,
        kind="agency_report",
        title="Police IMR",
        agency=three["Police"][0],
        file=text_file(),
    )
    final = casefile.document_add(
        review=review, by=bu_user, kind="final_report", title="Overview report", file=text_file()
    )
    outsider = UserFactory(role="subgroup_member", username="training-member")
    chronology = reverse("reviews:chronology", args=[review.uuid])
    documents = reverse("reviews:documents", args=[review.uuid])
    final_file = reverse("reviews:document-download", args=[review.uuid, final.versions.get().uuid])
    report_file = reverse(
        "reviews:document-download", args=[review.uuid, report.versions.get().uuid]
    )
    for user in (executive_user, outsider):
        client.force_login(user)
        page = client.get(reverse("reviews:detail", args=[review.uuid])).content.decode()
        assert chronology not in page and "read by those who work on the review" in page
        assert client.get(chronology).status_code == 403
        assert client.get(chronology + "export.csv").status_code == 403
        assert "Police IMR" not in client.get(documents).content.decode()
        assert client.get(report_file).status_code == 404
        assert client.get(final_file).status_code == 404  # not published yet
    Review.objects.filter(pk=review.pk).update(published_on=review.referred_on)
    client.force_login(executive_user)
    assert "Overview report" in client.get(documents).content.decode()
    assert client.get(final_file).status_code == 200
    client.force_login(crp_member)  # works on it: its sub-group's
    assert client.get(chronology).status_code == 200
    assert "Police IMR" in client.get(documents).content.decode()


def test_versions_are_kept_with_who_uploaded_them_and_downloads_are_logged(
    client, media, review, bu_user, reviewer_user
):
    Review.objects.filter(pk=review.pk).update(lead_reviewer=reviewer_user)
    client.force_login(reviewer_user)
    url = reverse("reviews:documents", args=[review.uuid])
    response = client.post(
        url, {"kind": "draft_report", "title": "Overview report", "file": text_file()}
    )
    assert response.status_code == 302
    document = review.documents.get()
    version_url = reverse("reviews:document-version", args=[review.uuid, document.uuid])
    client.post(version_url, {"file": text_file(text="Second draft"), "note": "Panel comments"})
    versions = list(document.versions.order_by("version"))
    assert [(v.version, v.uploaded_by, v.note) for v in versions] == [
        (1, reviewer_user, ""),
        (2, reviewer_user, "Panel comments"),
    ]
    second = reverse("reviews:document-download", args=[review.uuid, versions[1].uuid])
    download = client.get(second)
    assert b"".join(download.streaming_content) == b"Second draft"
    logged = AccessLogEntry.objects.get(action="download")
    assert logged.record.endswith(f"Draft report {document.pk} version 2")
    # A file that is not an accepted type is refused, and nothing is added.
    response = client.post(
        url,
        {"kind": "final_report", "title": "Final", "file": SimpleUploadedFile("x.html", b"<p>")},
    )
    assert "can't be accepted" in response.context["form"].errors["file"][0]
    assert review.documents.count() == 1


def test_a_new_version_sent_twice_is_stored_once(client, media, review, bu_user):
    casefile.document_add(
        review=review, by=bu_user, kind="final_report", title="Final", file=text_file()
    )
    document = review.documents.get()
    client.force_login(bu_user)
    page = client.get(reverse("reviews:documents", args=[review.uuid]))
    key = page.context["documents"][0].version_form[sending.ONCE].value()
    assert f'name="{sending.ONCE}" value="{key}"' in page.content.decode()
    url = reverse("reviews:document-version", args=[review.uuid, document.uuid])
    data = {sending.ONCE: key, "note": "Panel comments"}

    client.post(url, {**data, "file": text_file(text="Second")})
    again = client.post(url, {**data, "file": text_file(text="Second")}, follow=True)

    assert document.versions.count() == 2
    assert "This page had already been sent and was saved then" in again.content.decode()
    # The page shown again after the upload carries a new key: another file is a new send.
    page = client.get(reverse("reviews:documents", args=[review.uuid]))
    data[sending.ONCE] = page.context["documents"][0].version_form[sending.ONCE].value()
    client.post(url, {**data, "file": text_file(text="Third")})
    assert document.versions.count() == 3


def test_an_agency_sees_and_uploads_only_its_own_agency_report(client, media, review, three):
    police, police_lead = three["Police"]
    csc, csc_lead = three["CSC"]
    client.force_login(police_lead)
    url = reverse("reviews:documents", args=[review.uuid])
    assert (
        client.post(
            url,
            {
                "kind": "agency_report",
                "title": "Police IMR",
                "agency": police.pk,
                "file": text_file(),
            },
        ).status_code
        == 302
    )
    # Not for another agency, nor a kind other than an agency report.
    response = client.post(
        url, {"kind": "agency_report", "title": "CSC IMR", "agency": csc.pk, "file": text_file()}
    )
    assert "agency" in response.context["form"].errors
    response = client.post(url, {"kind": "final_report", "title": "Final", "file": text_file()})
    assert "kind" in response.context["form"].errors
    client.force_login(csc_lead)
    assert "Police IMR" not in client.get(url).content.decode()
    version = review.documents.get().versions.get()
    download = reverse("reviews:document-download", args=[review.uuid, version.uuid])
    assert client.get(download).status_code == 404


def test_documents_page_runs_the_same_queries_for_2_or_20_documents(
    client, media, review, bu_user, count_queries, django_assert_max_num_queries
):
    client.force_login(bu_user)

    def add(n):
        for i in range(n):
            document = casefile.document_add(
                review=review, by=bu_user, kind="final_report", title=f"R{i}", file=text_file()
            )
            casefile.document_version_add(document=document, by=bu_user, upload=text_file())

    add(2)
    url = reverse("reviews:documents", args=[review.uuid])
    small = count_queries(url)
    add(18)
    with django_assert_max_num_queries(small):
        client.get(url)


# The national Panel and Ofsted ------------------------------------------------------------------


def test_the_panel_exchange_is_recorded_and_shown_beside_its_clocks(client, bu_user, crp):
    review = open_review(
        by=bu_user,
        kind=Review.Kind.RAPID_REVIEW,
        subgroup=crp,
        incident_known_on=DAY,
        referred_on=DAY + datetime.timedelta(days=2),
    )
    client.force_login(bu_user)
    url = reverse("reviews:section", args=[review.uuid, "panel"])
    data = {
        "notified_on": "2025-03-12",
        "notification_reference": "SIN-2025-0042",
        "notified_by": "Director of Children's Services",
        "panel_responded_on": "2025-03-11",
        "panel_response": "The Panel agrees an LCSPR is needed.",
        "panel_publication_view": "publish",
    }
    response = client.post(url, data)
    assert "cannot be before the notification" in response.content.decode()
    assert client.post(url, data | {"panel_responded_on": "2025-04-20"}).status_code == 302
    review.refresh_from_db()
    assert review.notification_reference == "SIN-2025-0042"
    # The notification meets the notification clock (5 working days from 10 March 2025).
    clock = review.clocks.get(kind="notification")
    assert (clock.met_on, clock.state) == (datetime.date(2025, 3, 12), "met_on_time")
    assert review.history.filter(history_change_reason="The national Panel and Ofsted").exists()
    page = client.get(reverse("reviews:detail", args=[review.uuid])).content.decode()
    assert "SIN-2025-0042" in page
    assert "The Panel agrees an LCSPR is needed." in page
    assert "Publish in full" in page
    assert "Rapid review sent to the Panel" in page
    assert page.count('data-testid="clock-state"') >= 3  # the clocks table and two steps


def test_a_panel_response_needs_its_date(review, bu_user):
    with pytest.raises(ValidationError) as refused:
        casefile.review_record_panel_exchange(
            review=review, by=bu_user, panel_response="Agreed.", panel_responded_on=None
        )
    assert "Give the date the Panel responded." in str(refused.value)


def test_a_closed_chronology_is_reopened_with_who_and_why_on_the_timeline(
    client, review, three, bu_user
):
    police, police_lead = three["Police"]
    casefile.chronology_close(review=review, by=bu_user)
    client.force_login(bu_user)
    page = client.get(reverse("reviews:chronology", args=[review.uuid])).content.decode()
    url = reverse("reviews:chronology-reopen", args=[review.uuid])
    assert url in page
    # No reason, nothing changes.
    response = client.post(url, {"reason": " "}, follow=True)
    assert "Say why the chronology is reopened." in response.content.decode()
    review.refresh_from_db()
    assert review.chronology_closed_on is not None
    # A reason that cannot be kept (a NUL character, a date of birth) is refused in words.
    for refused, said in (
        ("Found more\x00", "Null characters are not allowed."),
        ("Child A (DOB 01/02/2015) seen again", "This looks like a date of birth"),
    ):
        response = client.post(url, {"reason": refused}, follow=True)
        assert said in response.content.decode()
        review.refresh_from_db()
        assert review.chronology_closed_on is not None
        assert not review.history.filter(history_change_reason__contains="DOB").exists()
    # An agency lead may not reopen it.
    client.force_login(police_lead)
    assert client.post(url, {"reason": "We found more."}).status_code == 403
    client.force_login(bu_user)
    reason = "Health found the missing GP records."
    assert client.post(url, {"reason": reason}).status_code == 302
    review.refresh_from_db()
    assert review.chronology_closed_on is None
    assert review.history.filter(history_change_reason="Chronology reopened").exists()
    [closed, reopened] = review.acts.filter(kind__startswith="chronology").order_by("pk")
    assert (closed.kind, reopened.kind) == ("chronology_closed", "chronology_reopened")
    assert (reopened.summary, reopened.recorded_by) == (reason, bu_user)
    timeline = client.get(reverse("reviews:detail", args=[review.uuid])).content.decode()
    assert f"chronology reopened: {reason}" in timeline
    # Open again: the agency adds its entries.
    client.force_login(police_lead)
    add = reverse("reviews:chronology-add", args=[review.uuid])
    assert client.get(add).status_code == 200


def test_an_agency_representative_without_an_agency_is_asked_for_it(client, review, bu_user):
    client.force_login(bu_user)
    team = reverse("reviews:team", args=[review.uuid])
    response = client.post(team, {"person": bu_user.pk, "role": "agency_representative"})
    assert response.context["form"].errors["agency"] == [
        "Choose the agency this representative speaks for."
    ]
    assert not review.team.exists()
