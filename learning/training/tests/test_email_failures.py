"""When the mail server fails, questionnaire links are not kept as sent to anyone who was not
emailed: the page says so in plain words, and sending again reaches them (the mail server is
the only stand-in: sscb.tests.mail_server)."""

import pytest
from django.core import mail
from django.urls import reverse

from sscb.tests import mail_server

from .. import services
from ..models import Attendee, Questionnaire, QuestionnaireLink
from .conftest import book, make_session

Stage = Questionnaire.Stage
NOTHING_SENT = "could not be sent just now; nothing was recorded as sent. Try again later."


@pytest.fixture
def upcoming(course, agency):
    """A session in three days, with three people booked."""
    session = make_session(course, days=3)
    for name in ("Sam Patel", "Jo Khan", "Lee Wong"):
        book(session, agency, name, Attendee.Status.BOOKED)
    return session


def send_baseline(session, capture):
    with capture(execute=True):
        return services.evaluation_send(session=session, stage=Stage.BASELINE)


def test_with_the_mail_server_down_nobody_is_recorded_as_sent_the_baseline(
    upcoming, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = mail_server.DOWN
    with pytest.raises(services.NotEmailed) as refused:
        send_baseline(upcoming, django_capture_on_commit_callbacks)
    assert refused.value.messages == [f"The email {NOTHING_SENT}"]
    assert not QuestionnaireLink.objects.exists()
    assert not Questionnaire.objects.exists()
    assert services.evaluation_offer(session=upcoming).send == [Stage.BASELINE]
    # Nobody was sent anything, so a booking can still come off the register.
    services.attendee_remove(attendee=upcoming.attendees.get(name="Lee Wong"))

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_baseline(upcoming, django_capture_on_commit_callbacks) == 2
    assert sorted(message.to[0] for message in mail.outbox) == [
        "jo@police.example",
        "sam@police.example",
    ]


def test_one_address_refused_leaves_only_that_person_to_send_to_again(
    upcoming, settings, django_capture_on_commit_callbacks
):
    jo = upcoming.attendees.get(name="Jo Khan")
    Attendee.objects.filter(pk=jo.pk).update(email=f"jo@{mail_server.REFUSED_DOMAIN}")
    settings.EMAIL_BACKEND = mail_server.REFUSES
    with pytest.raises(services.NotEmailed) as refused:
        send_baseline(upcoming, django_capture_on_commit_callbacks)
    assert refused.value.messages == [
        "Questionnaire links emailed to 2 attendees, but the email to Jo Khan could not be sent "
        "just now; nothing was recorded as sent to that person. Try again later: “Email the "
        "questionnaire links” goes to those not yet sent it."
    ]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "lee@police.example",
        "sam@police.example",
    ]
    assert not Questionnaire.objects.filter(attendee=jo).exists()
    assert QuestionnaireLink.objects.count() == 2

    Attendee.objects.filter(pk=jo.pk).update(email="jo@police.example")  # address put right
    assert send_baseline(upcoming, django_capture_on_commit_callbacks) == 1
    assert mail.outbox[-1].to == ["jo@police.example"]
    assert "Everyone booked has already been sent" in " ".join(
        services.evaluation_offer(session=upcoming).why_not
    )


def test_a_new_link_that_could_not_be_emailed_is_not_kept(
    delivered, settings, django_capture_on_commit_callbacks
):
    sam = delivered.attendees.get(name="Sam Patel")
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluation_send(session=delivered, stage=Stage.IMMEDIATE)
    links = set(QuestionnaireLink.objects.values_list("pk", flat=True))
    settings.EMAIL_BACKEND = mail_server.DOWN
    with (
        pytest.raises(services.NotEmailed) as refused,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.link_resend(attendee=sam, stage=Stage.IMMEDIATE)
    assert refused.value.messages == [f"The email to Sam Patel {NOTHING_SENT}"]
    assert set(QuestionnaireLink.objects.values_list("pk", flat=True)) == links
    assert sam.questionnaires.filter(stage=Stage.IMMEDIATE).exists()  # the first email went


@pytest.mark.django_db(transaction=True)
def test_the_session_page_says_the_email_failed_and_offers_the_send_again(
    client, trainer, upcoming, settings
):
    settings.EMAIL_BACKEND = mail_server.DOWN
    client.force_login(trainer)
    response = client.post(
        reverse("training:send", args=[upcoming.uuid]), {"stage": Stage.BASELINE}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"The email {NOTHING_SENT}" in page
    assert "Questionnaire links emailed" not in page
    assert 'data-testid="send-form"' in page
    assert "has already been sent" not in page
    assert not QuestionnaireLink.objects.exists()
