"""A form that saves records neither overwrites someone else's change made while it was open nor
saves twice when the same page is sent twice (sscb/sending.py)."""

import datetime
from html import unescape

import pytest
from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learning import services
from learning.models import Action, Finding
from learning.tests.factories import ActionFactory, new_finding_form
from reviews.tests.factories import ReviewFactory
from sscb import sending
from sscb.forms import add_service_errors
from sscb.models import SubGroup
from sscb.tests.factories import PASSWORD, AgencyFactory, SubGroupFactory
from sscb.tests.posting import as_posted
from sscb.tests.test_access_matrix import ROLES, URL_NAMES
from sscb.tests.test_accessibility_browser import first_html_page
from sscb.tests.world import build_world

pytestmark = pytest.mark.django_db


def body(response):
    return unescape(response.content.decode())


def shown(client, url, name="form"):
    """The page at ``url`` and what its form ``name`` posts back unchanged."""
    page = client.get(url)
    assert page.status_code == 200
    return as_posted(page.context[name])


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


# Someone else's change ----------------------------------------------------------------------


def edit_page(client, user, action):
    """The action's edit page as ``user`` opens it: its address and what it posts unchanged."""
    url = reverse("learning:action_edit", args=[action.uuid])
    client.force_login(user)
    return url, shown(client, url)


@pytest.fixture
def action(bu_user):
    return ActionFactory(title="Audit supervision records", due_on=in_days(30))


def test_an_edit_keeps_a_change_made_meanwhile_to_a_field_it_left_alone(
    client, bu_user, member_user, action
):
    url, data = edit_page(client, bu_user, action)
    # While the page is open, a colleague moves the due date; this person changes the title.
    services.action_update(action=Action.objects.get(pk=action.pk), due_on=in_days(60))

    saved = client.post(url, {**data, "title": "Audit supervision records monthly"})

    assert saved.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.due_on) == ("Audit supervision records monthly", in_days(60))


def test_an_edit_that_would_undo_someone_elses_change_saves_nothing_and_says_who(
    client, bu_user, member_user, action
):
    url, data = edit_page(client, bu_user, action)
    services.action_update(action=Action.objects.get(pk=action.pk), due_on=in_days(60))
    Action.history.filter(id=action.pk).update(history_user=member_user)

    refused = client.post(
        url, {**data, "title": "Audit supervision records monthly", "due_on": in_days(40)}
    )

    assert refused.status_code == 400
    page = body(refused)
    assert (
        f"{member_user}, at " in page
        and "changed this action after you opened the page, and you changed it too: “Due on”. "
        "Nothing has been saved."
        in page
    )
    assert f"Saved now: {in_days(60):%-d %B %Y}." in page
    # Said once, in the summary above the form: not again in crispy's own box.
    assert page.count("changed this action after you opened the page") == 1
    action.refresh_from_db()
    assert (action.title, action.due_on) == ("Audit supervision records", in_days(60))
    # Sent again as it now stands, it saves what was typed: the person has seen the change.
    again = as_posted(refused.context["form"])
    assert again["title"] == "Audit supervision records monthly"
    assert client.post(url, again).status_code == 302
    action.refresh_from_db()
    assert (action.title, action.due_on) == ("Audit supervision records monthly", in_days(40))


def test_a_refused_edit_shown_again_keeps_what_others_changed_in_fields_it_left_alone(
    client, bu_user, action
):
    url, data = edit_page(client, bu_user, action)
    services.action_update(
        action=Action.objects.get(pk=action.pk), due_on=in_days(60), title="Audit it all"
    )

    refused = client.post(url, {**data, "title": "Audit supervision monthly"})

    assert refused.status_code == 400
    again = as_posted(refused.context["form"])
    assert (again["title"], again["due_on"]) == ("Audit supervision monthly", f"{in_days(60)}")
    assert client.post(url, again).status_code == 302
    action.refresh_from_db()
    assert (action.title, action.due_on) == ("Audit supervision monthly", in_days(60))


def test_a_change_elsewhere_or_to_the_same_value_does_not_stop_a_save(client, bu_user, action):
    url, data = edit_page(client, bu_user, action)
    # A field the form does not show, and a field set to what this person sets it to too.
    services.action_update(
        action=Action.objects.get(pk=action.pk), progress="Started.", due_on=in_days(45)
    )

    saved = client.post(url, {**data, "title": "Audit records", "due_on": in_days(45)})

    assert saved.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.due_on, action.progress) == (
        "Audit records",
        in_days(45),
        "Started.",
    )


def test_a_choice_changed_meanwhile_is_named_only_through_the_forms_own_choices(
    client, bu_user, action
):
    url, data = edit_page(client, bu_user, action)
    council = AgencyFactory(name="Shropshire Council", short_name="Council")
    services.action_update(action=Action.objects.get(pk=action.pk), owner_agency=council)
    police = AgencyFactory(name="West Mercia Police", short_name="Police")

    refused = client.post(url, {**data, "owner_agency": police.pk})

    assert refused.status_code == 400
    assert "Saved now: Shropshire Council." in body(refused)


def test_a_post_without_what_the_page_showed_is_checked_as_before(client, bu_user, action):
    """A script that sends only the fields (as most tests do) is not refused: the guard is for
    a person's page, which always carries it."""
    url, data = edit_page(client, bu_user, action)
    del data[sending.SHOWN]
    services.action_update(action=Action.objects.get(pk=action.pk), due_on=in_days(60))
    assert client.post(url, data).status_code == 302


# The same page sent twice -------------------------------------------------------------------


def test_a_page_that_adds_a_record_sent_twice_saves_it_once(client, bu_user):
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    review = ReviewFactory(subgroup=li)
    url = reverse("learning:finding_new")
    client.force_login(bu_user)
    data = {**shown(client, url), **new_finding_form(li, review, "Supervision was regular")}

    first = client.post(url, data)
    second = client.post(url, data, follow=True)

    finding = Finding.objects.get()
    assert first.status_code == 302 and first.url == finding.get_absolute_url()
    assert second.redirect_chain == [(finding.get_absolute_url(), 302)]
    assert "This page had already been sent and was saved then" in body(second)
    # The page shown afresh (the browser's Back button reloads it) and sent with the same
    # words is the same send; with other words, a new one.
    data[sending.ONCE] = shown(client, url)[sending.ONCE]
    assert client.post(url, data).url == finding.get_absolute_url()
    assert Finding.objects.count() == 1
    data["title"] = "Supervision was monthly"
    assert client.post(url, data).status_code == 302
    assert Finding.objects.count() == 2


class NoteForm(sending.SendingGuardMixin, forms.Form):
    adds_records = True
    text = forms.CharField()


def test_a_send_the_service_refuses_may_be_corrected_and_sent_again():
    form = NoteForm({sending.ONCE: "a-page-key", "text": "A note."})
    assert form.is_valid() and form.cleaned_data == {"text": "A note."}
    claimed = form.claimed
    assert list(cache.get_many(claimed).values()) == [sending.SENT, sending.SENT]
    assert form[sending.ONCE].value() != "a-page-key", "shown again, the page is a new send"

    add_service_errors(form, ValidationError("The review is closed."))

    assert cache.get_many(claimed) == {} and form.claimed is None
    assert NoteForm({sending.ONCE: "a-page-key", "text": "A note."}).is_valid()


def test_a_form_claimed_by_another_send_is_refused_in_words():
    assert NoteForm({sending.ONCE: "a-page-key", "text": "A note."}).is_valid()
    again = NoteForm({sending.ONCE: "a-page-key", "text": "A note."})
    assert not again.is_valid()
    assert again.non_field_errors() == [
        "This page had already been sent and was saved then, so it has not been saved again. "
        "Look for it in the list before adding it again."
    ]


# Every page ---------------------------------------------------------------------------------


class RecordingClient(Client):
    """A client that keeps the last page it was given."""

    def get(self, *args, **kwargs):
        self.last = super().get(*args, **kwargs)
        return self.last


@pytest.mark.parametrize("short", ["bu", "member", "exec", "lead", "reviewer"])
def test_every_guarded_form_a_page_shows_carries_its_guard(settings, tmp_path, monkeypatch, short):
    """A guard the page leaves out guards nothing: each form shown (one of its fields is on the
    page) has its hidden guard on the page too, on every page each role can open."""
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world()
    made = []
    original = sending.SendingGuardMixin.__init__

    def recording(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(sending.SendingGuardMixin, "__init__", recording)
    client = RecordingClient()
    client.force_login(world.users[ROLES[short]])
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    missing, guarded = [], set()
    for name in URL_NAMES:
        made.clear()
        if name.startswith("admin:") or not first_html_page(world, client, name, short):
            continue
        page = client.last.content.decode()
        for form in made:
            shown_fields = [f for f in form.visible_fields() if f'name="{f.html_name}"' in page]
            for guard in (sending.SHOWN, sending.ONCE):
                if shown_fields and guard in form.fields:
                    guarded.add(name)
                    if f'name="{form.add_prefix(guard)}"' not in page:
                        missing.append(f"{name}: {type(form).__name__} without {guard}")
    assert not missing
    # The Business Unit may open every form: if it saw few, the pages were not shown.
    assert short != "bu" or len(guarded) > 30, f"only {sorted(guarded)} show a guarded form"
