"""A 6–8-week follow-up the reminder sweep could not email keeps no link: nobody is counted as
sent it, the session's page offers no "Email the link again", and each retry leaves no extra
link (the mail server is the only stand-in: sscb.tests.mail_server)."""

import datetime

import pytest
from django.utils import timezone

from sscb.models import Reminder
from sscb.reminders import reminders_sweep
from sscb.tests import mail_server

from ..models import Attendee, Questionnaire, QuestionnaireLink

FOLLOW_UP = Questionnaire.Stage.FOLLOW_UP
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def follow_up_links():
    return QuestionnaireLink.objects.filter(questionnaire__stage=FOLLOW_UP)


@pytest.mark.django_db(transaction=True)  # as the daily sweep runs: in no outer transaction
def test_a_follow_up_that_could_not_be_emailed_keeps_no_link(
    delivered, settings, mailoutbox, time_machine, client, bu_user
):
    time_machine.move_to(timezone.now() + datetime.timedelta(weeks=6, days=1))
    settings.EMAIL_BACKEND = mail_server.DOWN
    for _retry in range(2):
        with pytest.raises(ConnectionRefusedError):
            reminders_sweep()
    assert not follow_up_links().exists()
    assert not Questionnaire.objects.filter(stage=FOLLOW_UP).exists()  # nobody counted as sent
    reminders = Reminder.objects.filter(kind=Reminder.Kind.TRAINING_FOLLOW_UP)
    assert set(reminders.values_list("status", flat=True)) == {Reminder.Status.PENDING}
    client.force_login(bu_user)
    page = client.get(delivered.get_absolute_url()).content.decode()
    assert 'data-testid="send-again"' not in page  # no "Email the link again" on the register

    settings.EMAIL_BACKEND = LOCMEM
    assert reminders_sweep()["sent"] == 6
    assert len(mailoutbox) == 6
    assert follow_up_links().count() == 6  # one for each email that went, no more


@pytest.mark.django_db(transaction=True)
def test_one_address_refused_keeps_no_link_for_it_and_the_others_theirs(
    delivered, settings, mailoutbox, time_machine
):
    sam = delivered.attendees.get(name="Sam Patel")
    refused = f"manager.sam@{mail_server.REFUSED_DOMAIN}"
    Attendee.objects.filter(pk=sam.pk).update(manager_email=refused)
    time_machine.move_to(timezone.now() + datetime.timedelta(weeks=6, days=1))
    settings.EMAIL_BACKEND = mail_server.REFUSES
    with pytest.raises(Exception, match="No such mailbox"):
        reminders_sweep()
    assert len(mailoutbox) == 5
    assert not follow_up_links().filter(sent_to=refused).exists()
    assert follow_up_links().count() == 5
    assert follow_up_links().filter(sent_to=sam.email).exists()  # Sam's own email went
