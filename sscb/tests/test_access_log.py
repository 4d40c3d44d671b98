"""The access log: who opened a restricted review, a return, a file or an export, and when."""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import SelfAssessment
from audits.tests.factories import section_11
from learning import services as learning_services
from learning.tests.factories import ActionFactory, EvidenceFactory
from reviews.tests.factories import ReviewFactory
from sscb.access_log import access_log_record
from sscb.models import AccessLogEntry
from sscb.tasks import purge_access_log

ADDRESS = "203.0.113.9"
Action = AccessLogEntry.Action


@pytest.fixture
def restricted(db, member_user):
    review = ReviewFactory(reference="SCR-2025-001", is_restricted=True)
    review.panel_members.add(member_user)
    return review


def _only_entry():
    entry = AccessLogEntry.objects.get()  # exactly one, or this raises
    return entry


# Restricted reviews ----------------------------------------------------------------------------


def test_opening_a_restricted_review_writes_one_entry(client, member_user, restricted):
    client.force_login(member_user)
    response = client.get(reverse("reviews:detail", args=[restricted.uuid]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    entry = _only_entry()
    assert entry.user == member_user and entry.username == "member"
    assert entry.action == Action.VIEW
    assert entry.record == "SCR-2025-001"
    assert entry.content_type == ContentType.objects.get_for_model(restricted)
    assert entry.object_id == restricted.pk
    assert entry.ip_address == ADDRESS
    assert entry.path == reverse("reviews:detail", args=[restricted.uuid])
    assert timezone.now() - entry.at < datetime.timedelta(minutes=1)


def test_opening_an_unrestricted_review_writes_nothing(client, member_user):
    review = ReviewFactory(is_restricted=False)
    client.force_login(member_user)
    assert client.get(reverse("reviews:detail", args=[review.uuid])).status_code == 200
    assert client.get(reverse("learning:thread_review", args=[review.uuid])).status_code == 200
    assert not AccessLogEntry.objects.exists()


def test_a_refused_opening_writes_nothing(client, make_user, restricted):
    client.force_login(make_user(role="subgroup_member", username="offpanel"))
    assert client.get(reverse("reviews:detail", args=[restricted.uuid])).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_the_golden_thread_of_a_restricted_review_writes_one_entry(client, member_user, restricted):
    client.force_login(member_user)
    response = client.get(reverse("learning:thread_review", args=[restricted.uuid]))
    assert response.status_code == 200
    entry = _only_entry()
    assert (entry.action, entry.record, entry.object_id) == (
        Action.VIEW,
        "SCR-2025-001",
        restricted.pk,
    )


@pytest.mark.parametrize("url_name", ["reviews:section", "reviews:formset"])
def test_opening_a_restricted_reviews_edit_pages_writes_one_entry(
    client, member_user, restricted, url_name
):
    client.force_login(member_user)
    section = "register" if url_name == "reviews:section" else "agencies"
    assert client.get(reverse(url_name, args=[restricted.uuid, section])).status_code == 200
    assert _only_entry().record == "SCR-2025-001"


@pytest.mark.parametrize("page", ["change", "history", "version"])
def test_each_admin_page_of_a_restricted_review_writes_one_entry(client, bu_user, restricted, page):
    """The admin shows a review's words on its change page, its history and each version: each
    is an opening, logged as the review's own page is."""
    version = restricted.history.latest()
    args = {"change": [restricted.pk], "history": [restricted.pk]}.get(
        page, [restricted.pk, version.history_id]
    )
    name = {"change": "change", "history": "history"}.get(page, "simple_history")
    client.force_login(bu_user)
    response = client.get(reverse(f"admin:reviews_review_{name}", args=args))
    assert response.status_code == 200
    entry = _only_entry()
    assert (entry.user, entry.record, entry.object_id) == (bu_user, "SCR-2025-001", restricted.pk)


def test_only_the_business_unit_sees_who_has_opened_a_restricted_review(
    client, bu_user, member_user, restricted
):
    client.force_login(member_user)
    body = client.get(reverse("reviews:detail", args=[restricted.uuid])).content.decode()
    assert "Who has opened this" not in body

    client.force_login(bu_user)
    body = client.get(reverse("reviews:detail", args=[restricted.uuid])).content.decode()
    assert "Who has opened this" in body
    assert "<td>member</td>" in body and "Viewed" in body
    assert AccessLogEntry.objects.count() == 2


def test_who_has_opened_it_costs_the_same_queries_for_2_or_40_entries(
    client, bu_user, restricted, count_queries, django_assert_max_num_queries
):
    client.force_login(bu_user)
    url = reverse("reviews:detail", args=[restricted.uuid])
    count_queries(url)  # the first opening: entry 1 (and warm caches)
    small = count_queries(url)  # entry 2
    request = RequestFactory().get("/", REMOTE_ADDR=ADDRESS)
    request.user = bu_user
    for _ in range(38):
        access_log_record(request, restricted, Action.VIEW, label="SCR-2025-001")
    with django_assert_max_num_queries(small):
        body = client.get(url).content.decode()
    assert body.count("<td>bu</td>") == 20  # the latest 20 of 41


# Returns, files and exports --------------------------------------------------------------------


@pytest.fixture
def police_return(db, agency, bu_user):
    from audits import services as audit_services

    cycle = audit_services.audit_cycle_open(
        framework=section_11(),
        title="Section 11 audit 2025/26",
        financial_year=2025,
        opened_on=datetime.date(2025, 5, 1),
        deadline=datetime.date(2025, 7, 31),
        agencies=[agency],
        by=bu_user,
    )
    return cycle.returns.get()


def test_opening_a_return_writes_one_entry(client, agency_user, police_return):
    client.force_login(agency_user)
    response = client.get(reverse("audits:return", args=[police_return.uuid]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    entry = _only_entry()
    assert entry.user == agency_user and entry.action == Action.VIEW
    assert entry.record == "Section 11 return: West Mercia Police 2025/26"
    assert entry.object_id == police_return.pk and entry.ip_address == ADDRESS


def test_opening_a_returns_form_writes_one_entry(client, agency_user, police_return):
    client.force_login(agency_user)
    response = client.get(reverse("audits:return-edit", args=[police_return.uuid]))
    assert response.status_code == 200
    assert _only_entry().path == reverse("audits:return-edit", args=[police_return.uuid])


def test_opening_a_moderation_page_writes_one_entry(client, bu_user, police_return):
    SelfAssessment.objects.filter(pk=police_return.pk).update(
        status="submitted", submitted_at=timezone.now()
    )
    number = police_return.answers.order_by("standard__number").first().standard.number
    client.force_login(bu_user)
    url = reverse("audits:return-moderate", args=[police_return.uuid, number])
    assert client.get(url).status_code == 200
    assert _only_entry().record == "Section 11 return: West Mercia Police 2025/26"


def test_the_return_page_shows_who_opened_it_to_the_business_unit_only(
    client, bu_user, agency_user, police_return
):
    url = reverse("audits:return", args=[police_return.uuid])
    client.force_login(agency_user)
    assert "Who has opened this" not in client.get(url).content.decode()
    client.force_login(bu_user)
    body = client.get(url).content.decode()
    assert "Who has opened this" in body and "agencylead" in body


def test_downloading_a_file_writes_one_entry(client, agency_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    action = ActionFactory(owner_agency=agency_user.agency)
    attachment = learning_services.attachment_add(
        parent=action, upload=SimpleUploadedFile("Chronology.pdf", b"%PDF"), uploaded_by=agency_user
    )
    client.force_login(agency_user)
    response = client.get(reverse("learning:attachment", args=[attachment.uuid]))
    assert response.status_code == 200
    entry = _only_entry()
    assert entry.action == Action.DOWNLOAD and entry.user == agency_user
    assert entry.object_id == attachment.pk
    assert entry.record == f"File {attachment.pk} of action {action.reference}"
    assert "Chronology" not in entry.record  # an uploaded name is never the label


def test_the_evidence_page_shows_the_business_unit_who_downloaded_its_files(
    client, bu_user, agency_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    evidence = EvidenceFactory(agency=agency_user.agency, title="Police assurance report")
    attachment = learning_services.attachment_add(
        parent=evidence, upload=SimpleUploadedFile("r.pdf", b"%PDF"), uploaded_by=agency_user
    )
    client.force_login(agency_user)
    client.get(reverse("learning:attachment", args=[attachment.uuid]))
    assert _only_entry().record == (
        f"File {attachment.pk} of assurance evidence: Police assurance report"
    )
    assert "Who has downloaded" not in client.get(evidence.get_absolute_url()).content.decode()
    client.force_login(bu_user)
    body = client.get(evidence.get_absolute_url()).content.decode()
    assert "Who has downloaded its files" in body and "agencylead" in body


@pytest.mark.parametrize(
    "url_name",
    [
        "learning:actions_csv",
        "learning:actions_xlsx",
        "dashboard:export-csv",
        "dashboard:export-xlsx",
        "dashboard:annual-report-export-csv",
        "dashboard:annual-report-export-xlsx",
    ],
)
def test_each_export_writes_one_entry(client, bu_user, url_name):
    client.force_login(bu_user)
    response = client.get(reverse(url_name), {"year": 2025}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    entry = _only_entry()
    assert entry.action == Action.EXPORT and entry.user == bu_user
    assert entry.content_type is None and entry.object_id is None
    assert entry.path.endswith("?year=2025")  # what was exported, filters included
    assert entry.record.endswith(url_name.rsplit("-", 1)[-1].rsplit("_", 1)[-1])


# The writer ------------------------------------------------------------------------------------


def test_writing_an_entry_costs_exactly_one_query(bu_user, restricted):
    request = RequestFactory().get("/reviews/x/", REMOTE_ADDR=ADDRESS)
    request.user = bu_user
    ContentType.objects.get_for_model(restricted)  # cached per process, as in a running site
    with CaptureQueriesContext(connection) as queries:
        access_log_record(request, restricted, Action.VIEW, label="SCR-2025-001")
    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].startswith("INSERT")


def test_the_address_is_the_one_the_trusted_proxy_saw(settings, bu_user, restricted):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9"
    )
    request.user = bu_user
    entry = access_log_record(request, restricted, Action.VIEW, label="SCR-2025-001")
    assert entry.ip_address == ADDRESS


def test_entries_cannot_be_changed(bu_user, restricted):
    request = RequestFactory().get("/")
    request.user = bu_user
    entry = access_log_record(request, restricted, Action.VIEW, label="SCR-2025-001")
    entry.record = "something else"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        AccessLogEntry.objects.update(record="something else")
    entry.refresh_from_db()
    assert entry.record == "SCR-2025-001"


# The admin -------------------------------------------------------------------------------------


@pytest.fixture
def entry(bu_user, restricted):
    request = RequestFactory().get("/")
    request.user = bu_user
    return access_log_record(request, restricted, Action.VIEW, label="SCR-2025-001")


def test_nobody_can_add_change_or_delete_entries_in_the_admin(client, bu_user, entry):
    client.force_login(bu_user)
    add = reverse("admin:sscb_accesslogentry_add")
    change = reverse("admin:sscb_accesslogentry_change", args=[entry.pk])
    delete = reverse("admin:sscb_accesslogentry_delete", args=[entry.pk])
    assert client.post(add, {"username": "x", "action": "view", "record": "x"}).status_code == 403
    assert (
        client.post(change, {"username": "x", "action": "view", "record": "x"}).status_code == 403
    )
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:sscb_accesslogentry_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.record == "SCR-2025-001" and AccessLogEntry.objects.count() == 1


def test_the_business_unit_lists_filters_and_searches_the_log(
    client, bu_user, member_user, entry, restricted
):
    request = RequestFactory().get("/")
    request.user = member_user
    access_log_record(request, None, Action.EXPORT, label="Action tracker: actions.csv")
    client.force_login(bu_user)
    url = reverse("admin:sscb_accesslogentry_changelist")

    def rows(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [str(row) for row in response.context["cl"].result_list]

    assert len(rows()) == 2
    assert rows(action__exact="export") == ["member exported Action tracker: actions.csv"]
    assert rows(user__id__exact=bu_user.pk) == ["bu viewed SCR-2025-001"]
    content_type = ContentType.objects.get_for_model(restricted)
    assert rows(content_type__id__exact=content_type.pk) == ["bu viewed SCR-2025-001"]
    today = timezone.localdate()
    assert len(rows(at__year=today.year, at__month=today.month, at__day=today.day)) == 2
    assert rows(at__year=today.year - 1) == []
    assert rows(q="SCR-2025") == ["bu viewed SCR-2025-001"]
    assert rows(q="member") == ["member exported Action tracker: actions.csv"]


def test_people_other_than_the_business_unit_cannot_open_the_log(client, make_user, entry):
    staff = make_user(role="subgroup_member", username="staffmember", is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("admin:sscb_accesslogentry_changelist"))
    # Staff status opens nothing (sscb.apps.BusinessUnitAdminSite): sent to sign in as someone
    # who may.
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# Retention -------------------------------------------------------------------------------------


def _entry_at(moment, user, review):
    request = RequestFactory().get("/")
    request.user = user
    with time_machine.travel(moment, tick=False):
        return access_log_record(request, review, Action.VIEW, label=review.reference)


def test_the_daily_purge_deletes_only_entries_older_than_the_period(settings, bu_user, restricted):
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    now = datetime.datetime(2027, 6, 1, 9, 0, tzinfo=datetime.UTC)
    old = _entry_at(now - datetime.timedelta(days=731), bu_user, restricted)
    kept = _entry_at(now - datetime.timedelta(days=729), bu_user, restricted)
    recent = _entry_at(now - datetime.timedelta(hours=1), bu_user, restricted)
    with time_machine.travel(now, tick=False):
        assert purge_access_log() == 1
        assert purge_access_log() == 0  # running it again deletes nothing more
    remaining = set(AccessLogEntry.objects.values_list("pk", flat=True))
    assert remaining == {kept.pk, recent.pk} and old.pk not in remaining


def test_the_purge_follows_the_setting_and_runs_from_the_command_line(
    settings, bu_user, restricted, capsys
):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    now = datetime.datetime(2027, 6, 1, 9, 0, tzinfo=datetime.UTC)
    _entry_at(now - datetime.timedelta(days=31), bu_user, restricted)
    kept = _entry_at(now - datetime.timedelta(days=29), bu_user, restricted)
    with time_machine.travel(now, tick=False):
        call_command("purge_access_log")
    assert "Deleted 1 access log entry older than 30 days." in capsys.readouterr().out
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_purge_is_in_the_beat_schedule(db):
    from django_celery_beat.models import PeriodicTask

    from sscb.tests.factories import install_beat_schedule

    install_beat_schedule()
    task = PeriodicTask.objects.get(task="sscb.purge_access_log")
    assert task.enabled and task.crontab.hour == "2"
