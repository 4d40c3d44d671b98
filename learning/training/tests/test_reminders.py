"""The 6–8-week follow-up through the daily sweep: to each attendee and their manager (no
accounts), once, each email with its own working link to the one questionnaire."""

import datetime
import io
import re

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sscb.models import Reminder
from sscb.reminders import reminders_sweep

from ..models import Questionnaire


def test_the_follow_up_goes_to_attendee_and_manager_once_with_a_link_that_works(
    delivered, mailoutbox, time_machine
):
    assert reminders_sweep()["sent"] == 0  # not yet: the window opens six weeks on
    time_machine.move_to(timezone.now() + datetime.timedelta(weeks=6, days=1))
    result = reminders_sweep()
    # Three attended (two police officers and a social worker): each, and each one's manager.
    assert result["sent"] == 6 and len(mailoutbox) == 6
    sam = delivered.attendees.get(name="Sam Patel")
    to_sam = next(m for m in mailoutbox if m.to == [sam.email])
    to_manager = next(m for m in mailoutbox if m.to == [sam.manager_email])
    assert "to answer with Sam Patel" in to_manager.body
    rows = Reminder.objects.filter(kind=Reminder.Kind.TRAINING_FOLLOW_UP, subject_id=sam.pk)
    assert set(rows.values_list("email", flat=True)) == {sam.email, sam.manager_email}
    # The token is in the email only, never in the reminder row.
    path = re.search(r"(/training/answer/[\w-]+/)", to_manager.body).group(1)
    assert not Reminder.objects.filter(url__contains=path.split("/")[-2]).exists()
    # Run again: nothing new.
    assert reminders_sweep()["sent"] == 0 and len(mailoutbox) == 6
    # The manager answers with Sam; Sam's own link then says so.
    client = Client()
    assert (
        client.post(
            path + "submit/",
            {
                "point_1": "4",
                "point_2": "5",
                "practice_changed": "yes",
                "practice_example": "Notes.",
            },
        ).status_code
        == 200
    )
    own = re.search(r"(/training/answer/[\w-]+/)", to_sam.body).group(1)
    assert "already been answered" in client.get(own).content.decode()
    assert Questionnaire.objects.get(attendee=sam, stage=Questionnaire.Stage.FOLLOW_UP).answered_at


def test_the_daily_command_names_a_follow_up_by_its_address(delivered, mailoutbox, time_machine):
    time_machine.move_to(timezone.now() + datetime.timedelta(weeks=6, days=1))
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    sam = delivered.attendees.get(name="Sam Patel")
    assert "sent 6 email(s)" in out.getvalue()
    assert f"{sam.manager_email}" in out.getvalue()


def test_the_sessions_page_lists_the_follow_ups_sent_about_its_register(
    delivered, mailoutbox, time_machine, client, bu_user
):
    time_machine.move_to(timezone.now() + datetime.timedelta(weeks=6, days=1))
    reminders_sweep()
    sam = delivered.attendees.get(name="Sam Patel")
    client.force_login(bu_user)
    page = client.get(delivered.get_absolute_url()).content.decode()
    table = page.split("Reminders sent about this session")[1]
    assert sam.email in table and sam.manager_email in table
