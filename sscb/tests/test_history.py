"""Every change to a case record is in its history, also what Django changes without a save:
links between records, and what a deletion empties (sscb/history.py)."""

import datetime

import pytest
from django.apps import apps
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from learning.meetings.tests.factories import ItemFactory
from learning.models import Finding
from learning.tests.factories import ActionFactory, FindingFactory, ThemeFactory
from sscb.history import (
    Change,
    Part,
    _shown,
    history_of,
    naming_links,
    record_links_in_newest_versions,
    versions_of,
    versions_with_changes,
)
from sscb.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

# Django's own permission links on a person: not a case record, and no role uses them.
NOT_RECORDS = {("sscb.User", "groups"), ("sscb.User", "user_permissions")}


def test_every_link_between_records_is_in_their_history():
    """A many-to-many field of a record with a history is kept in it, or goes through a model
    with a history of its own (a sub-group's memberships)."""
    untracked = []
    for model in apps.get_models():
        versions = versions_of(model)
        if versions is None:
            continue
        tracked = {field.name for field in versions.model._history_m2m_fields}
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            if field.name in tracked or (model._meta.label, field.name) in NOT_RECORDS:
                continue
            if not through._meta.auto_created and versions_of(through) is not None:
                continue
            untracked.append(f"{model._meta.label}.{field.name}")
    assert untracked == []


def test_a_link_emptied_by_a_deletion_is_known_for_every_kind_that_has_one():
    """Every record Django changes when another is deleted, without a signal, is followed."""
    from learning.meetings.models import AgendaItem
    from learning.models import Action

    assert (Action, "finding") in naming_links(Finding)
    assert (Finding, "theme") in naming_links(apps.get_model("learning", "PriorityTheme"))
    assert (AgendaItem, "actions_arising") in naming_links(Action)
    assert (Finding, "agencies") in naming_links(apps.get_model("sscb", "Agency"))


def deleted_by(user, record):
    """``record`` deleted in a request of ``user``'s (the admin deletes no finding or action:
    sscb/admin_records.py; a set-up record it deletes may be named by one)."""
    request = RequestFactory().post("/")
    request.user = user
    HistoricalRecords.context.request = request
    try:
        record.delete()
    finally:
        del HistoricalRecords.context.request


def test_a_finding_deleted_leaves_a_version_of_each_action_it_had(client, bu_user):
    finding = FindingFactory()
    action = ActionFactory(finding=finding)
    client.force_login(bu_user)
    deleted_by(bu_user, finding)

    action.refresh_from_db()
    newest = action.history.first()
    assert action.finding is None and action.history.count() == 2
    assert (newest.finding_id, newest.history_type, newest.history_user) == (None, "~", bu_user)
    assert newest.history_change_reason == "Linked finding deleted"
    assert [change.field for change in newest.diff_against(newest.prev_record).changes] == [
        "finding"
    ]
    # Its page gives the reason, not the finding (which has its own visibility rule, and is
    # gone): the link is said to be emptied.
    page = client.get(reverse("learning:action", args=[action.uuid])).content.decode()
    said = f"{bu_user}: no longer linked to its finding (Linked finding deleted)</li>"
    assert said in " ".join(page.split())


def test_an_action_deleted_leaves_a_version_of_each_agenda_item_it_arose_from(bu_user):
    kept, deleted = ActionFactory(), ActionFactory()
    item = ItemFactory()
    item.actions_arising.add(kept, deleted)
    deleted_by(bu_user, deleted)

    newest = item.history.first()
    assert newest.history_user == bu_user
    assert list(newest.actions_arising.values_list("action_id", flat=True)) == [kept.pk]
    change = newest.diff_against(newest.prev_record).changes[0]
    assert (change.field, len(change.old), len(change.new)) == ("actions_arising", 2, 1)


def test_a_theme_deleted_leaves_its_findings_untouched_but_for_a_version_saying_so():
    theme = ThemeFactory()
    finding = FindingFactory(theme=theme)
    before = finding.history.count()
    theme.delete()
    finding.refresh_from_db()
    assert finding.theme is None
    assert finding.history.count() == before + 1
    assert finding.history.first().theme_id is None


def test_a_findings_agencies_are_in_its_history():
    finding = FindingFactory()
    police, health = AgencyFactory(), AgencyFactory()
    finding.agencies.set([police, health])
    newest = finding.history.first()
    assert set(newest.agencies.values_list("agency_id", flat=True)) == {police.pk, health.pk}


def test_links_from_before_their_history_are_given_to_each_records_newest_version():
    """What the migration that starts keeping a field's history does (learning 0016)."""
    finding = FindingFactory()
    police = AgencyFactory()
    finding.agencies.add(police)
    kept = apps.get_model("learning", "HistoricalFinding_agencies")
    kept.objects.all().delete()  # as before the migration

    record_links_in_newest_versions(apps, "learning", "Finding", "agencies")

    newest = finding.history.first()
    assert list(newest.agencies.values_list("agency_id", flat=True)) == [police.pk]
    assert kept.objects.count() == 1


def test_the_newest_versions_shown_each_say_what_changed_since_the_one_before():
    from learning.models import Action

    action = ActionFactory(title="First")
    for title in ("Second", "Third", "Fourth"):
        action.title = title
        action.save()
    shown = versions_with_changes(Action.history.filter(id=action.pk), ["title", "due_on"], shown=2)
    assert [(version.title, changes) for version, changes in shown] == [
        ("Fourth", [Change("title", "Third", "Fourth")]),
        ("Third", [Change("title", "Second", "Third")]),
    ]
    first = versions_with_changes(Action.history.filter(id=action.pk), ["title"], shown=9)[-1]
    assert (first[0].history_type, first[1]) == ("+", [])


def test_a_changed_link_is_named_with_one_query_for_its_kind(django_assert_num_queries):
    from learning.models import Action

    police, health = AgencyFactory(), AgencyFactory()
    action = ActionFactory(owner_agency=police)
    for _ in range(3):
        action.owner_agency = health if action.owner_agency == police else police
        action.save()
    with django_assert_num_queries(3):  # the versions, those before them, the agencies named
        shown = versions_with_changes(
            Action.history.filter(id=action.pk), ["owner_agency"], shown=9
        )
    assert [changes for _version, changes in shown[:3]] == [
        [Change("owner agency", str(police), str(health))],
        [Change("owner agency", str(health), str(police))],
        [Change("owner agency", str(police), str(health))],
    ]


def test_a_records_history_holds_its_parts_each_named_and_compared_with_its_own_last_version(
    django_assert_num_queries,
):
    """A review's history with its agencies: each agency's versions are compared with that
    agency's own, not with the version before it in the list, and say which agency they are."""
    from reviews.models import Review, ReviewAgency
    from reviews.tests.factories import ReviewFactory

    police, health = AgencyFactory(name="Police"), AgencyFactory(name="Health")
    review = ReviewFactory()
    first = ReviewAgency.objects.create(review=review, agency=police)
    ReviewAgency.objects.create(review=review, agency=health)
    first.chronology_requested_on = datetime.date.today()
    first.save()
    review.title = "A new title"
    review.save()
    parts = [
        Part(
            "agency taking part",
            ReviewAgency.history.filter(review_id=review.pk),
            ["chronology_requested_on"],
            name="agency",
        )
    ]
    with django_assert_num_queries(5):  # each: versions, those before; the agencies named
        shown = history_of(Review.history.filter(id=review.pk), ["title"], parts, shown=9)
    said = [
        (getattr(version, "part", None), version.history_type, [c.label for c in changes])
        for version, changes in shown
    ]
    assert said == [
        (None, "~", ["title"]),
        ("agency taking part (Police)", "~", ["chronology requested on"]),
        ("agency taking part (Health)", "+", []),
        ("agency taking part (Police)", "+", []),
        (None, "+", []),
    ]
    assert len(history_of(Review.history.filter(id=review.pk), ["title"], parts, shown=2)) == 2


def test_an_address_is_said_to_have_changed_and_times_are_read_as_people_write_them():
    from learning.meetings.models import Meeting
    from learning.meetings.tests.factories import MeetingFactory
    from sscb.models import User
    from sscb.tests.factories import UserFactory

    person = UserFactory(email="first@agency.example.org")
    person.email = "second@agency.example.org"
    person.save()
    (_version, changes), *_ = versions_with_changes(User.history.filter(id=person.pk), ["email"])
    assert changes == [Change("email address")]

    meeting = MeetingFactory(starts_at=datetime.time(9, 30))
    meeting.starts_at = datetime.time(10, 0)
    meeting.save()
    (_version, changes), *_ = versions_with_changes(
        Meeting.history.filter(id=meeting.pk), ["starts_at"]
    )
    assert changes == [Change("starts at", "09:30", "10:00")]

    moment = timezone.make_aware(datetime.datetime(2026, 6, 30, 23, 30), datetime.UTC)
    submitted = models.DateTimeField("submitted at")
    assert _shown(submitted, moment, {}) == "1 Jul 2026 00:30"  # London summer time


def test_a_long_reason_is_cut_at_a_words_end_never_mid_word():
    from sscb.history import REASON_LENGTH, reason_of

    text = "Returns sent to agencies added since it opened: " + ", ".join(
        f"Agency number {n}" for n in range(12)
    )
    reason = reason_of(text)
    assert len(reason) <= REASON_LENGTH and reason.endswith("…")
    kept = reason.removesuffix("…")
    assert text.startswith(kept) and text[len(kept)] in " ,"
    assert reason_of("Chronology reopened") == "Chronology reopened"
