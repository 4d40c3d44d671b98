"""Taking an item off the agenda, withdrawing a paper and cancelling a meeting: by those who run
the meeting, from its page, kept in its history."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning import services as learning_services
from learning.tests.factories import OutcomeFactory
from sscb.tests.reading import history_entries

from .. import services
from ..models import AgendaItem, Meeting, Paper
from .factories import ItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _urls(meeting, item, paper):
    return {
        "cancel": reverse("meetings:cancel", args=[meeting.uuid]),
        "remove": reverse("meetings:item-remove", args=[meeting.uuid, item.uuid]),
        "withdraw": reverse("meetings:paper-withdraw", args=[meeting.uuid, item.uuid, paper.uuid]),
    }


@pytest.fixture
def with_paper(panel_meeting, bu_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = ItemFactory(meeting=panel_meeting, position=1, title="Training figures")
    second = ItemFactory(meeting=panel_meeting, position=2, title="Any other business")
    upload = SimpleUploadedFile("figures.txt", b"Quarterly figures", content_type="text/plain")
    paper = services.paper_add(item=first, upload=upload, uploaded_by=bu_user)
    return panel_meeting, first, second, paper


def test_only_those_who_run_the_meeting_may_remove_withdraw_or_cancel(
    client, with_paper, crp_member
):
    meeting, item, _second, paper = with_paper
    urls = _urls(meeting, item, paper)
    for url in urls.values():
        response = client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    client.force_login(crp_member)
    for url in urls.values():
        assert client.post(url, {"because": "No business"}).status_code == 403
    assert AgendaItem.objects.filter(pk=item.pk).exists()
    paper.refresh_from_db()
    assert paper.withdrawn_at is None


def test_an_item_is_taken_off_the_agenda_from_the_meetings_page(client, with_paper, bu_user):
    meeting, item, second, paper = with_paper
    client.force_login(bu_user)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert _urls(meeting, item, paper)["remove"] in page
    response = client.post(_urls(meeting, item, paper)["remove"], follow=True)
    assert "is taken off the agenda" in response.content.decode()
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    second.refresh_from_db()
    assert second.position == 1
    said = " ".join(history_entries(client.get(meeting.get_absolute_url()), "meeting-history"))
    assert "Training figures" in said


def test_an_item_of_a_held_meeting_stays_on_its_agenda(bu_user, panel_meeting):
    item = ItemFactory(meeting=panel_meeting)
    Meeting.objects.filter(pk=panel_meeting.pk).update(status=Meeting.Status.HELD)
    item.refresh_from_db()
    with pytest.raises(Exception, match="not possible"):
        services.item_remove(item=item)


def test_a_withdrawn_paper_leaves_the_pack_but_stays_in_the_history(client, with_paper, bu_user):
    meeting, item, _second, paper = with_paper
    client.force_login(bu_user)
    download = reverse("meetings:paper", args=[paper.uuid])
    assert client.get(download).status_code == 200
    response = client.post(_urls(meeting, item, paper)["withdraw"], follow=True)
    assert "is withdrawn" in response.content.decode()
    pack = client.get(reverse("meetings:pack", args=[meeting.uuid])).content.decode()
    assert "figures.txt" not in pack
    assert client.get(download).status_code == 404
    assert Paper.objects.filter(pk=paper.pk, withdrawn_at__isnull=False).exists()
    said = " ".join(history_entries(client.get(meeting.get_absolute_url()), "meeting-history"))
    assert "figures.txt" in said and "withdrawn" in said


def test_a_cancelled_meeting_is_kept_and_frees_its_items(client, bu_user, executive_body):
    outcome = OutcomeFactory()
    meeting = MeetingFactory(body=executive_body)
    services.item_add(meeting=meeting, title=outcome.title, outcome=outcome)
    client.force_login(bu_user)
    assert reverse("meetings:cancel", args=[meeting.uuid]) in (
        client.get(meeting.get_absolute_url()).content.decode()
    )
    url = reverse("meetings:cancel", args=[meeting.uuid])
    assert "Say why" in client.post(url, {"because": ""}).content.decode()
    client.post(url, {"because": "The chair is unwell; items go to the next meeting."})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Cancelled" in page and "The chair is unwell" in page
    later = MeetingFactory(
        body=executive_body, held_on=meeting.held_on + datetime.timedelta(days=28)
    )
    services.item_add(meeting=later, title=outcome.title, outcome=outcome)
    outcome.refresh_from_db()
    assert outcome.executive_on == later.held_on
    learning_services.outcome_save(outcome=outcome, title="Renamed")
    with pytest.raises(Exception, match="not yet held"):
        services.meeting_cancel(meeting=meeting, because="Again")
