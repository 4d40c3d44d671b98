"""A restricted review's agenda item: only those who may open it present it, and a reminder
names it only to someone who may open it (whoever made them its presenter, by whatever path)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from reviews.tests.factories import ReviewFactory
from sscb.models import Reminder
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupMembershipFactory

from .. import forms, services
from .factories import ItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)
REFERENCE = "LCSPR-2025-001"
TITLE = "Child exploitation and going missing from care"


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False):
        yield


@pytest.fixture
def restricted(crp, make_user):
    """A restricted review on the Panel's agenda; one Panel member sits on its panel, one not."""
    on_panel = make_user(username="onpanel", email="onpanel@example.org")
    not_on_panel = make_user(username="qapchair", email="qapchair@example.org")
    for person in (on_panel, not_on_panel):
        SubGroupMembershipFactory(subgroup=crp, user=person)
    review = ReviewFactory(reference=REFERENCE, title=TITLE, subgroup=crp, is_restricted=True)
    review.panel_members.add(on_panel)
    meeting = MeetingFactory(body=crp, held_on=days(10), papers_due_on=days(3))
    item = ItemFactory(meeting=meeting, review=review, title=f"{REFERENCE}: {TITLE}")
    return {"item": item, "on_panel": on_panel, "not_on_panel": not_on_panel}


def _names_it(text: str) -> bool:
    return REFERENCE in text or TITLE in text


def test_a_presenter_who_may_not_open_the_item_is_passed_over_for_someone_who_may(
    frozen, restricted, agency_user, bu_user
):
    # Made presenter outside the form and the service (the admin, an old row): the reminder
    # goes to someone its link opens for (the Panel has no chair here: the Business Unit), and
    # says why; the presenter is sent nothing that would name it.
    item = restricted["item"]
    for presenter in (restricted["not_on_panel"], agency_user):
        item.presenter = presenter
        item.save()
        Reminder.objects.all().delete()
        mail.outbox.clear()
        reminders_sweep(today=TODAY)
        [email] = mail.outbox
        assert email.to == [bu_user.email]
        assert f"Papers for item {item.position}: {REFERENCE} (its presenter may not open it" in (
            email.body
        )
        assert TITLE not in email.body
        assert not Reminder.objects.filter(recipient=presenter).exists()


def test_a_presenter_who_may_open_it_is_told_what_it_is(frozen, restricted):
    item = restricted["item"]
    services.item_update(item=item, presenter=restricted["on_panel"])
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    # The review by its reference only: its title may describe the child or the harm.
    assert f"Papers for item {item.position}: {REFERENCE}" in email.body
    assert TITLE not in email.body


def test_only_those_who_may_open_the_item_are_offered_as_its_presenter(restricted, crp, bu_user):
    item = restricted["item"]
    form = forms.ItemForm(instance=item, people=forms.people_for(crp))
    offered = set(form.fields["presenter"].queryset)
    assert restricted["on_panel"] in offered
    assert bu_user in offered
    assert restricted["not_on_panel"] not in offered
    posted = forms.ItemForm(
        {"title": item.title, "presenter": restricted["not_on_panel"].pk},
        instance=item,
        people=forms.people_for(crp),
    )
    assert not posted.is_valid()
    assert "presenter" in posted.errors


def test_the_service_refuses_a_presenter_who_may_not_open_the_item(restricted, agency_user, crp):
    item = restricted["item"]
    for presenter in (restricted["not_on_panel"], agency_user):
        with pytest.raises(ValidationError) as refused:
            services.item_update(item=item, presenter=presenter)
        assert "presenter" in refused.value.message_dict
    item.refresh_from_db()
    assert item.presenter is None
    # Someone outside the body may not present an item of its meeting either.
    with pytest.raises(ValidationError):
        services.item_add(meeting=item.meeting, title="Police update", presenter=agency_user)
    services.item_update(item=item, presenter=restricted["on_panel"])
    assert item.presenter == restricted["on_panel"]
