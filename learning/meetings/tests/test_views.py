"""Meeting pages: who may open and run them, restricted items, and fixed query counts."""

import datetime
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from learning.models import Action
from learning.tests.factories import ActionFactory, OutcomeFactory, ReviewFactory
from sscb.models import SubGroup
from sscb.tests.factories import (
    AgencyFactory,
    SubGroupFactory,
    SubGroupMembershipFactory,
    UserFactory,
)
from sscb.tests.posting import from_page
from sscb.tests.reading import history_entries

from ..models import Attendance, Meeting, Paper
from .factories import AttendanceFactory, ItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_anonymous_people_are_sent_to_sign_in(client, panel_meeting):
    for url in (reverse("meetings:list"), panel_meeting.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_member_not_on_the_body_cannot_see_its_meeting(client, panel_meeting, member_user):
    client.force_login(member_user)
    assert client.get(panel_meeting.get_absolute_url()).status_code == 404
    assert (
        panel_meeting.get_absolute_url()
        not in client.get(reverse("meetings:list")).content.decode()
    )


def test_a_member_reads_the_meeting_but_does_not_run_it(client, panel_meeting, crp_member):
    client.force_login(crp_member)
    assert client.get(panel_meeting.get_absolute_url()).status_code == 200
    prepare = reverse("meetings:prepare", args=[panel_meeting.uuid])
    assert client.get(prepare).status_code == 403


def test_the_bodys_chair_runs_its_meeting(client, panel_meeting, member_user):
    SubGroup.objects.filter(pk=panel_meeting.body_id).update(chair=member_user)
    client.force_login(member_user)
    assert client.get(reverse("meetings:prepare", args=[panel_meeting.uuid])).status_code == 200


def test_a_restricted_review_is_a_restricted_item_to_those_who_may_not_open_it(
    client, panel_meeting, crp_member, bu_user
):
    hidden = ReviewFactory(is_restricted=True, title="Hidden matter of Child Z")
    item = ItemFactory(meeting=panel_meeting, review=hidden, title="Hidden matter of Child Z")
    client.force_login(crp_member)
    page = client.get(panel_meeting.get_absolute_url()).content.decode()
    assert "Restricted item" in page
    assert "Hidden matter" not in page and hidden.reference not in page
    pack = client.get(reverse("meetings:pack", args=[panel_meeting.uuid])).content.decode()
    assert "Restricted item" in pack and "Hidden matter" not in pack
    minute = reverse("meetings:item-minute", args=[panel_meeting.uuid, item.uuid])
    SubGroup.objects.filter(pk=panel_meeting.body_id).update(chair=crp_member)
    assert client.get(minute).status_code == 404  # the chair may not act on what they cannot read
    client.force_login(bu_user)
    page = client.get(panel_meeting.get_absolute_url()).content.decode()
    assert "Hidden matter of Child Z" in page and "Restricted item" not in page


def test_a_meeting_is_scheduled_from_the_form(client, bu_user, crp):
    client.force_login(bu_user)
    day = timezone.localdate() + datetime.timedelta(days=20)
    response = client.post(
        reverse("meetings:create"),
        {"body": crp.pk, "held_on": day.isoformat(), "place": "", "link": ""},
    )
    assert response.status_code == 400
    assert "Say where the meeting is" in response.content.decode()
    response = client.post(
        reverse("meetings:create"),
        {"body": crp.pk, "held_on": day.isoformat(), "place": "Shirehall", "link": ""},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()


def test_a_bad_status_is_refused_in_plain_words(client, bu_user, panel_meeting):
    client.force_login(bu_user)
    move = reverse("meetings:move", args=[panel_meeting.uuid])
    response = client.post(move, {"to": "nonsense"}, follow=True)
    assert "Choose what happens to the meeting next." in response.content.decode()
    response = client.post(move, {"to": "approved"}, follow=True)
    assert "cannot become" in response.content.decode()


# Query counts ----------------------------------------------------------------------------------


def _grow(meeting, n, tmp_path):
    """``n`` more items (every other about a restricted review), each with a paper and an action
    arising, and ``n`` more members who attended."""
    agency = AgencyFactory()
    for i in range(n):
        review = ReviewFactory(subgroup=meeting.body, is_restricted=bool(i % 2))
        item = ItemFactory(meeting=meeting, review=review, presenter=UserFactory())
        Paper.objects.create(
            item=item, name="paper.txt", uploaded_by=item.presenter, file=ContentFile(b"x", "p.txt")
        )
        item.actions_arising.add(ActionFactory(review=review, owner_agency=agency))
        person = UserFactory(agency=agency)
        SubGroupMembershipFactory(subgroup=meeting.body, user=person)
        AttendanceFactory(meeting=meeting, person=person, agency=agency)
        OutcomeFactory()


PAGES = {
    "detail": lambda m: reverse("meetings:detail", args=[m.uuid]),
    "pack": lambda m: reverse("meetings:pack", args=[m.uuid]),
    "prepare": lambda m: reverse("meetings:prepare", args=[m.uuid]),
    "attendance": lambda m: reverse("meetings:attendance", args=[m.uuid]),
    "list": lambda m: reverse("meetings:list"),
    "figures": lambda m: reverse("meetings:figures"),
}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ["bu", "member"])
def test_pages_run_the_same_queries_for_2_or_20_rows(
    client,
    bu_user,
    crp_member,
    settings,
    tmp_path,
    count_queries,
    django_assert_max_num_queries,
    name,
    role,
):
    settings.MEDIA_ROOT = tmp_path
    meeting = MeetingFactory(body=crp_member.subgroups.get(), held_on=timezone.localdate())
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    if role == "member":
        SubGroup.objects.filter(pk=meeting.body_id).update(chair=crp_member)
    client.force_login(bu_user if role == "bu" else crp_member)
    _grow(meeting, 2, tmp_path)
    url = PAGES[name](meeting)
    small = count_queries(url)
    _grow(meeting, 18, tmp_path)
    MeetingFactory.create_batch(5, body=meeting.body)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


def test_the_figures_count_attendance_by_agency_and_link_to_the_meetings(client, bu_user, crp):
    police, health = AgencyFactory(name="Police"), AgencyFactory(name="Health")
    day = timezone.localdate()
    held = MeetingFactory(body=crp, held_on=day, status=Meeting.Status.HELD)
    MeetingFactory(body=crp, held_on=day)  # planned: not counted
    for status, agency, deputy in [
        ("present", police, ""),
        ("apologies", police, "DI Jones"),  # a deputy came: the agency attended
        ("absent", health, ""),
        ("apologies", health, ""),
    ]:
        AttendanceFactory(
            meeting=held, person=UserFactory(), agency=agency, status=status, deputy=deputy
        )
    item = ItemFactory(meeting=held, decided_on=day, decision="Agreed")
    item.actions_arising.add(ActionFactory(status=Action.Status.OPEN))
    client.force_login(bu_user)
    response = client.get(reverse("meetings:figures"))
    rows = {row["agency__name"]: row for row in response.context["by_agency"]}
    assert (rows["Police"]["rate"], rows["Health"]["rate"]) == (100, 0)
    [body] = response.context["bodies"]
    assert (body["meetings"], body["decisions"], body["rate"]) == (1, 1, 50)
    assert response.context["decisions"] == 1 and len(response.context["actions"]) == 1
    listed = client.get(body["url"]).context["page_obj"].object_list
    assert list(listed) == [held]
    listed = client.get(rows["Health"]["url"]).context["page_obj"].object_list
    assert list(listed) == [held]
    assert Attendance.objects.count() == 4


@pytest.mark.parametrize("code", [SubGroup.Code.EXECUTIVE, SubGroup.Code.QUALITY_ASSURANCE])
def test_other_bodies_proposals_run_the_same_queries_for_2_or_20_rows(
    client, bu_user, count_queries, django_assert_max_num_queries, code
):
    from audits.tests.factories import AuditFactory
    from learning.tests.factories import EvidenceFactory, ThemeFactory

    meeting = MeetingFactory(body=SubGroupFactory(code=code))
    long_ago = timezone.localdate() - datetime.timedelta(days=90)

    def grow(n):
        for _ in range(n):
            OutcomeFactory()
            ThemeFactory(status="proposed")
            ActionFactory(due_on=long_ago)
            EvidenceFactory(received_on=long_ago)
            AuditFactory(stage="reporting")
            AuditFactory(kind="single_agency", stage="in_progress")

    client.force_login(bu_user)
    grow(2)
    url = reverse("meetings:prepare", args=[meeting.uuid])
    small = count_queries(url)
    grow(18)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert len(response.context["proposals"]) >= 40


def test_a_paper_download_is_logged_and_a_restricted_items_paper_is_not_served(
    client, bu_user, crp_member, panel_meeting, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sscb.models import AccessLogEntry

    from .. import services

    settings.MEDIA_ROOT = tmp_path
    open_item = ItemFactory(meeting=panel_meeting, review=ReviewFactory())
    hidden_item = ItemFactory(meeting=panel_meeting, review=ReviewFactory(is_restricted=True))
    papers = [
        services.paper_add(
            item=item, upload=SimpleUploadedFile("Child K notes.txt", b"x"), uploaded_by=bu_user
        )
        for item in (open_item, hidden_item)
    ]
    client.force_login(crp_member)
    response = client.get(reverse("meetings:paper", args=[papers[0].uuid]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"x"
    [entry] = AccessLogEntry.objects.all()
    assert entry.record == f"Paper {papers[0].pk} of item {open_item.position}, {panel_meeting}"
    assert "Child K" not in entry.record
    assert client.get(reverse("meetings:paper", args=[papers[1].uuid])).status_code == 404
    assert AccessLogEntry.objects.count() == 1


def test_the_moderated_scores_are_recorded_from_the_minutes_and_shown_on_the_return(
    client, bu_user
):
    from audits.models import StandardAssessment

    from . import test_services

    qap = SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE, name="QAP")
    submitted = test_services._submitted_return(bu_user)
    meeting = MeetingFactory(body=qap, held_on=timezone.localdate())
    item = ItemFactory(meeting=meeting, position=1, title="Return", self_assessment=submitted)
    meeting.status = Meeting.Status.HELD
    meeting.save()
    client.force_login(bu_user)
    page = client.get(meeting.get_absolute_url()).content.decode()
    url = reverse("meetings:decide-return", args=[meeting.uuid, item.uuid])
    assert url in page
    answers = list(submitted.answers.order_by("standard__number"))
    data = {f"score_{a.pk}": "3" for a in answers} | {f"comment_{a.pk}": "" for a in answers}
    data[f"score_{answers[1].pk}"] = ""
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Choose the moderated score for standard 2." in response.content.decode()
    assert not StandardAssessment.objects.filter(moderated_score__isnull=False).exists()
    data[f"score_{answers[1].pk}"] = "2"
    assert client.post(url, data).status_code == 302
    shown = client.get(reverse("audits:return", args=[submitted.uuid])).content.decode()
    label = f"Decided at the QAP, {meeting.date_label}, item 1"
    assert f'<a href="{item.get_absolute_url()}" data-testid="decided-at">{label}</a>' in shown


def test_a_body_the_business_unit_adds_in_the_admin_meets_like_any_other(client, bu_user):
    police = AgencyFactory(name="Police")
    chair, member = UserFactory(first_name="Ann"), UserFactory(first_name="Bo", agency=police)
    client.force_login(bu_user)
    response = client.post(
        reverse("admin:sscb_subgroup_add"),
        {
            "code": "",
            "name": "Neglect task and finish group",
            "purpose": "Six months on neglect.",
            "chair": chair.pk,
            "quorum": "2",
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": chair.pk,
            "memberships-1-user": member.pk,
            "memberships-1-agency": police.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    body = SubGroup.objects.get(name="Neglect task and finish group")
    assert (body.code, body.chair, body.quorum) == (None, chair, 2)
    assert set(body.members.all()) == {chair, member}

    # It is offered for a meeting, which is held, its attendance recorded by agency and counted.
    response = client.post(
        reverse("meetings:create"),
        {"body": body.pk, "held_on": timezone.localdate().isoformat(), "place": "Shirehall"},
    )
    meeting = Meeting.objects.get(body=body)
    assert response.status_code == 302
    assert client.get(reverse("meetings:prepare", args=[meeting.uuid])).status_code == 200
    client.post(reverse("meetings:move", args=[meeting.uuid]), {"to": "held"})
    form = {f"status_{chair.pk}": "present", f"status_{member.pk}": "absent"}
    client.post(reverse("meetings:attendance", args=[meeting.uuid]), form)
    figures = client.get(reverse("meetings:figures")).context
    [row] = figures["bodies"]
    assert (row["body__name"], row["meetings"], row["rate"]) == (body.name, 1, 50)
    assert {r["agency__name"]: r["rate"] for r in figures["by_agency"]}["Police"] == 0
    # Its chair runs its meetings, as a standing body's chair does.
    client.force_login(chair)
    assert client.get(reverse("meetings:attendance", args=[meeting.uuid])).status_code == 200


def test_the_dashboard_shows_the_years_meetings_each_figure_a_link(client, bu_user, crp):
    day = timezone.localdate()
    held = MeetingFactory(body=crp, held_on=day, status=Meeting.Status.HELD)
    MeetingFactory(body=crp, held_on=day)  # planned: not counted
    AttendanceFactory(meeting=held, person=UserFactory(), status="present")
    AttendanceFactory(meeting=held, person=UserFactory(), status="absent")
    AttendanceFactory(meeting=held, person=UserFactory(), status="apologies", deputy="DS Lee")
    item = ItemFactory(meeting=held, decided_on=day, decision="Initiate")
    item.actions_arising.add(
        ActionFactory(status=Action.Status.OPEN),
        ActionFactory(status=Action.Status.COMPLETE, completed_on=day),
    )
    client.force_login(bu_user)
    response = client.get(reverse("dashboard:index"))
    meetings = response.context["meetings"]
    assert (meetings["held"].value, meetings["attendance"]) == (1, 67)
    assert (meetings["decisions"].value, meetings["actions"].value) == (1, 2)
    assert meetings["actions_open"].value == 1
    page = response.content.decode()
    assert f'href="{meetings["held"].url}" data-testid="meetings-held">1</a>' in page
    assert list(client.get(meetings["held"].url).context["page_obj"].object_list) == [held]
    assert client.get(meetings["attendance_url"]).context["bodies"][0]["rate"] == 67


def test_the_admin_neither_takes_nor_serves_a_papers_file(
    client, bu_user, panel_meeting, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .. import services

    settings.MEDIA_ROOT = tmp_path
    item = ItemFactory(meeting=panel_meeting)
    paper = services.paper_add(
        item=item, upload=SimpleUploadedFile("notes.txt", b"x"), uploaded_by=bu_user
    )
    client.force_login(bu_user)
    assert client.get(reverse("admin:meetings_paper_add")).status_code == 403
    page = client.get(reverse("admin:meetings_paper_change", args=[paper.pk])).content.decode()
    assert "notes.txt" in page and paper.file.name not in page


# Defects a new user found --------------------------------------------------------------------


def _held(body):
    meeting = MeetingFactory(body=body, held_on=timezone.localdate())
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    meeting.refresh_from_db()
    return meeting


def test_a_deputy_is_only_for_a_member_who_sent_apologies(client, bu_user, crp):
    kim, sam = UserFactory(first_name="Alex", last_name="Reid"), UserFactory()
    for person in (kim, sam):
        SubGroupMembershipFactory(subgroup=crp, user=person)
    meeting = _held(crp)
    client.force_login(bu_user)
    url = reverse("meetings:attendance", args=[meeting.uuid])
    refused = client.post(
        url,
        {
            f"status_{kim.pk}": "present",
            f"deputy_{kim.pk}": "Kim Lee",
            f"status_{sam.pk}": "apologies",
            f"deputy_{sam.pk}": "DS Lee",
        },
    )
    assert refused.status_code == 400
    assert (
        "Alex Reid is marked “Present”, so nobody deputised for them: clear the deputy "
        "(“Kim Lee”) or mark them as sending apologies." in unescape(refused.content.decode())
    )
    assert not Attendance.objects.exists()  # nobody's attendance is kept
    kept = client.post(
        url,
        {
            f"status_{kim.pk}": "present",
            f"deputy_{kim.pk}": "",
            f"status_{sam.pk}": "apologies",
            f"deputy_{sam.pk}": "DS Lee",
        },
    )
    assert kept.status_code == 302
    assert dict(Attendance.objects.values_list("status", "deputy")) == {
        "present": "",
        "apologies": "DS Lee",
    }


def test_a_held_meeting_without_attendance_says_to_record_it_not_to_wait(client, bu_user, crp):
    planned, held = MeetingFactory(body=crp), _held(crp)
    client.force_login(bu_user)
    page = client.get(planned.get_absolute_url()).content.decode()
    assert "attendance is recorded once the meeting is held" in page
    page = unescape(client.get(held.get_absolute_url()).content.decode())
    assert "once the meeting is held" not in page
    assert "Record who was present" in page
    assert reverse("meetings:attendance", args=[held.uuid]) in page


def test_the_first_item_is_not_offered_a_move_up_nor_the_last_a_move_down(
    client, bu_user, panel_meeting
):
    first = ItemFactory(meeting=panel_meeting, position=1, title="Apologies")
    last = ItemFactory(meeting=panel_meeting, position=2, title="Any other business")
    client.force_login(bu_user)
    page = client.get(panel_meeting.get_absolute_url()).content.decode()
    assert 'Move up<span class="visually-hidden"> item 1</span>' not in page
    assert 'Move down<span class="visually-hidden"> item 1</span>' in page
    assert 'Move up<span class="visually-hidden"> item 2</span>' in page
    assert 'Move down<span class="visually-hidden"> item 2</span>' not in page
    move = reverse("meetings:item-move", args=[panel_meeting.uuid, first.uuid])
    said = unescape(client.post(move, {"direction": "up"}, follow=True).content.decode())
    assert "Item 1 is already first on the agenda: nothing moved." in said
    assert "Agenda reordered" not in said
    said = unescape(client.post(move, {"direction": "down"}, follow=True).content.decode())
    assert "Agenda reordered: “Apologies” moved down." in said
    last.refresh_from_db()
    assert last.position == 1


def test_a_place_too_long_is_said_once_not_as_missing_too(client, bu_user, crp):
    client.force_login(bu_user)
    day = timezone.localdate() + datetime.timedelta(days=20)
    for url, data in (
        (reverse("meetings:create"), {"body": crp.pk, "held_on": day.isoformat()}),
        (
            reverse("meetings:series"),
            {"body": crp.pk, "first_on": day.isoformat(), "every_weeks": 8, "count": 2},
        ),
    ):
        response = client.post(url, data | {"place": "x" * 5000, "link": ""})
        page = unescape(response.content.decode())
        assert response.status_code == 400
        assert "Keep this to 200 characters or fewer (it has 5000)." in page
        assert "Say where the meeting" not in page
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "url_name, field, day",
    [
        ("meetings:create", "held_on", datetime.date(1900, 1, 2)),
        ("meetings:create", "held_on", datetime.date(2099, 1, 1)),
        ("meetings:series", "first_on", datetime.date(1901, 1, 1)),
    ],
)
def test_a_meeting_is_dated_within_a_few_years_of_today(client, bu_user, crp, url_name, field, day):
    client.force_login(bu_user)
    data = {"body": crp.pk, field: day.isoformat(), "place": "Shirehall"}
    if url_name == "meetings:series":
        data |= {"every_weeks": 8, "count": 2}
    response = client.post(reverse(url_name), data)
    page = unescape(response.content.decode())
    assert response.status_code == 400
    today = timezone.localdate()
    assert f"The meeting's date ({day.day} {day:%B %Y}) is more than 3 years from today " in page
    assert f"({today.day} {today:%B %Y}): give a date between" in page
    assert not Meeting.objects.exists()


def test_a_series_running_past_the_window_names_the_meeting_that_does(client, bu_user, crp):
    client.force_login(bu_user)
    first = timezone.localdate() + datetime.timedelta(days=7)
    response = client.post(
        reverse("meetings:series"),
        {
            "body": crp.pk,
            "first_on": first.isoformat(),
            "every_weeks": 52,
            "count": 5,
            "place": "Shirehall",
        },
    )
    assert response.status_code == 400
    assert "Meeting 4 of the series: The meeting's date" in unescape(response.content.decode())
    assert not Meeting.objects.exists()


def test_the_quorum_is_said_in_words(client, bu_user, crp, panel_meeting):
    SubGroup.objects.filter(pk=crp.pk).update(quorum=1)
    client.force_login(bu_user)
    page = client.get(panel_meeting.get_absolute_url()).content.decode()
    assert "1 member<" in page or "1 member " in page
    assert "1 members" not in page


def test_a_meeting_still_to_come_is_not_offered_as_held(client, bu_user, panel_meeting):
    client.force_login(bu_user)
    held = "Mark “Held: minutes being drafted”"
    publish = "Mark “Agenda published”"
    page = unescape(client.get(panel_meeting.get_absolute_url()).content.decode())
    assert held not in page and publish not in page  # in two weeks, and no item yet
    ItemFactory(meeting=panel_meeting, position=1)
    page = unescape(client.get(panel_meeting.get_absolute_url()).content.decode())
    assert publish in page and held not in page
    Meeting.objects.filter(pk=panel_meeting.pk).update(held_on=timezone.localdate())
    page = unescape(client.get(panel_meeting.get_absolute_url()).content.decode())
    assert held in page


# History ---------------------------------------------------------------------------------------


def _history(response, testid="meeting-history") -> list[str]:
    return history_entries(response, testid)


def test_a_meetings_history_says_who_changed_it_its_agenda_and_its_attendance(
    client, crp, crp_member, bu_user
):
    """A chair reads who changed what, on the meeting's page: not the review an item is about
    (a review has its own rule for who may open it)."""
    SubGroup.objects.filter(pk=crp.pk).update(chair=crp_member)
    deputised = UserFactory(first_name="Alex", last_name="Moore")
    SubGroupMembershipFactory(subgroup=crp, user=deputised)
    review = ReviewFactory(subgroup=crp, title="Neglect of two brothers")
    meeting = MeetingFactory(body=crp, held_on=timezone.localdate())
    item = ItemFactory(meeting=meeting, review=review, subject="referral", title="A referral")
    client.force_login(crp_member)
    client.post(reverse("meetings:move", args=[meeting.uuid]), {"to": "held"})
    edit = reverse("meetings:item-edit", args=[meeting.uuid, item.uuid])
    client.post(edit, {"title": "The brothers' referral", "presenter": bu_user.pk})
    minute = reverse("meetings:item-minute", args=[meeting.uuid, item.uuid])
    client.post(minute, {"notes": "Discussed at length.", "decision": "Agreed."})
    client.post(
        reverse("meetings:action-arising", args=[meeting.uuid, item.uuid]),
        {
            "title": "Chronology training for the Panel",
            "owner_agency": AgencyFactory().pk,
            "due_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
    )
    action = Action.objects.get()
    attendance = reverse("meetings:attendance", args=[meeting.uuid])
    came = {f"status_{crp_member.pk}": "present", f"status_{deputised.pk}": "present"}
    client.post(attendance, came)
    client.post(
        attendance,
        came | {f"status_{deputised.pk}": "apologies", f"deputy_{deputised.pk}": "DI Jones"},
    )
    client.post(reverse("meetings:move", args=[meeting.uuid]), {"to": "circulated"})

    client.force_login(bu_user)
    entries = _history(client.get(meeting.get_absolute_url()))
    today = timezone.localdate()
    assert entries[0].endswith(
        f"{crp_member}: status Held: minutes being drafted → Minutes circulated to members; "
        f"minutes circulated on none → {today.day} {today:%b %Y}"
    )
    assert entries[1].endswith(
        f"{crp_member}: attendance ({deputised}): status Present → Apologies; deputy none → "
        "DI Jones"
    )
    assert any(
        entry.endswith(f"{crp_member}: attendance ({deputised}): recorded it") for entry in entries
    )
    assert any(
        entry.endswith(
            f"{crp_member}: agenda item (The brothers' referral): changed the minutes; "
            "changed the decision"
        )
        for entry in entries
    )
    assert any(
        entry.endswith(
            f"{crp_member}: agenda item (The brothers' referral): title A referral → "
            f"The brothers' referral; presenter none → {bu_user}"
        )
        for entry in entries
    )
    assert any(
        entry.endswith(
            f"{crp_member}: agenda item (The brothers' referral): added an action arising"
        )
        for entry in entries
    )
    history = " ".join(entries)
    assert review.reference not in history and "Neglect of two brothers" not in history
    assert action.reference not in history and action.title not in history
    assert "saved it unchanged" not in history


def test_a_restricted_item_and_its_papers_are_not_in_the_history_of_those_who_may_not_open_it(
    client, panel_meeting, crp_member, bu_user, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .. import services

    settings.MEDIA_ROOT = tmp_path
    hidden = ItemFactory(
        meeting=panel_meeting,
        review=ReviewFactory(is_restricted=True),
        title="Hidden matter of Child Z",
    )
    services.paper_add(
        item=hidden, upload=SimpleUploadedFile("Child Z chronology.txt", b"x"), uploaded_by=bu_user
    )
    services.item_update(item=hidden, title="Hidden matter of Child Z, again")
    ItemFactory(meeting=panel_meeting, title="Annual report")
    client.force_login(crp_member)
    history = " ".join(_history(client.get(panel_meeting.get_absolute_url())))
    assert "agenda item (Annual report): recorded it" in history
    assert "Child Z" not in history and "paper" not in history
    client.force_login(bu_user)
    history = " ".join(_history(client.get(panel_meeting.get_absolute_url())))
    assert "paper (Child Z chronology.txt): recorded it" in history
    assert "title Hidden matter of Child Z → Hidden matter of Child Z, again" in history


def _change_every_part(meeting, presenters, rounds):
    """``rounds`` changes of the meeting, one of its items' presenter, one attendance and one
    paper more; the last round's are the newest of all."""
    from .. import services

    item = meeting.items.order_by("pk").last()
    row = meeting.attendance.order_by("pk").last()
    for n in range(rounds):
        services.meeting_update(meeting=meeting, place=f"Room {n}")
        services.item_update(item=item, presenter=presenters[(n + 1) % 2])
        row.status = "absent" if row.status == "present" else "present"
        row.save()
        Paper.objects.create(
            item=item,
            name=f"paper {n}.txt",
            uploaded_by=presenters[0],
            file=ContentFile(b"x", "p.txt"),
        )


def test_a_meetings_history_runs_the_same_queries_for_few_or_many_versions_and_parts(
    client, bu_user, crp, count_queries, django_assert_num_queries, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    meeting = MeetingFactory(body=crp, held_on=timezone.localdate())
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    meeting.refresh_from_db()
    presenters = [UserFactory(), UserFactory()]
    for person in presenters:  # a presenter must be one who may open the item: a member
        SubGroupMembershipFactory(subgroup=crp, user=person)
    agency = AgencyFactory()

    def grow(n):
        for _ in range(n):
            ItemFactory(meeting=meeting, presenter=presenters[0])
            AttendanceFactory(meeting=meeting, person=UserFactory(), agency=agency)

    client.force_login(bu_user)
    grow(1)
    _change_every_part(meeting, presenters, 1)
    url = meeting.get_absolute_url()
    count_queries(url)  # the first page after signing in also saves the session
    few = count_queries(url)
    grow(30)
    _change_every_part(meeting, presenters, 30)
    with django_assert_num_queries(few):
        response = client.get(url)
    history = _history(response)
    assert len(history) == 20  # the newest twenty
    said = " ".join(history)
    assert "place Room 28 → Room 29" in said and "paper (paper 29.txt)" in said
    assert "presenter" in said and "attendance (" in said


def test_an_item_edit_shows_a_presenter_who_left_the_body_and_says_why_they_cannot_stay(
    client, crp, bu_user
):
    """Once off the body, a presenter may not open the meeting: the edit does not drop them
    unseen, it shows them marked and asks for someone who may present."""
    presenter = UserFactory(username="presenter", first_name="Alex", last_name="Moore")
    membership = SubGroupMembershipFactory(subgroup=crp, user=presenter)
    meeting = MeetingFactory(body=crp)
    item = ItemFactory(meeting=meeting, title="Training figures", presenter=presenter)
    membership.delete()
    client.force_login(bu_user)
    url = reverse("meetings:item-edit", args=[meeting.uuid, item.uuid])
    html = client.get(url).content.decode()
    assert "Alex Moore (no longer offered)" in unescape(html)
    refused = client.post(url, from_page(html, title="Training figures for the year"))
    assert refused.status_code == 400
    assert "Alex Moore may not open this item" in unescape(refused.content.decode())
    item.refresh_from_db()
    assert (item.title, item.presenter) == ("Training figures", presenter)
    chosen = from_page(html, title="Training figures for the year", presenter=str(bu_user.pk))
    assert client.post(url, chosen).status_code == 302
    item.refresh_from_db()
    assert item.presenter == bu_user
