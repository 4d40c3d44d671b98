"""Soft changes (sscb/figures_cache.py, ``visibility_unchanged``): a new finding or progress on
an action may show on another person's kept page up to half a minute late
(``PAGES_MAY_BE_OLD_SECONDS``); anything that may change who sees what, and a person's own
change, shows at once."""

import datetime
import importlib
import re
import time
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.test import override_settings
from django.urls import reverse

from learning.models import Action, Finding
from learning.tests.factories import ActionFactory, FindingFactory, new_finding_form
from reviews.tests.factories import ReviewFactory
from sscb import figures_cache

pytestmark = pytest.mark.django_db

HARD = figures_cache.HARD_STEP


def _change(do) -> int:
    """How much ``do()`` moved the generation on: under ``HARD`` for a soft change."""
    before = figures_cache.generation()
    do()
    return figures_cache.generation() - before


def test_a_new_finding_and_progress_are_soft_and_everything_else_is_hard(
    client, li, li_member, agency_user
):
    review = ReviewFactory(subgroup=li)
    client.force_login(li_member)
    # With the agencies it concerns: added to its many-to-many field, still soft.
    new = {
        **new_finding_form(li, review, "Fathers seen at home"),
        "agencies": [agency_user.agency.pk],
    }

    def record():
        assert client.post(reverse("learning:finding_new"), new).status_code == 302

    assert 0 < _change(record) < HARD
    finding = Finding.objects.get(title="Fathers seen at home")
    assert list(finding.agencies.all()) == [agency_user.agency]

    def edit():  # an edit may move it to another review: who may see it changes
        url = reverse("learning:finding_edit", args=[finding.uuid])
        assert client.post(url, {**new, "title": "Fathers seen"}).status_code == 302

    assert _change(edit) >= HARD

    action = ActionFactory(owner_agency=agency_user.agency)
    client.force_login(agency_user)

    def progress():
        url = reverse("learning:action_progress", args=[action.uuid])
        assert client.post(url, {"progress": "Training booked"}).status_code == 302

    assert 0 < _change(progress) < HARD
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS

    # Inside the block, any other model, a deletion, or a many-to-many removal is hard.
    with figures_cache.visibility_unchanged(Finding):
        assert _change(lambda: ReviewFactory(subgroup=li)) >= HARD
        assert 0 < _change(lambda: FindingFactory(review=review)) < HARD
        assert _change(lambda: finding.agencies.add(agency_user.agency)) < HARD
        assert _change(lambda: finding.agencies.remove(agency_user.agency)) >= HARD
        assert _change(finding.delete) >= HARD
    assert _change(lambda: FindingFactory(review=review)) >= HARD  # outside it, as ever


def test_a_readers_page_may_be_a_few_seconds_old_after_anothers_soft_change_never_a_hard_one(
    li, li_member, make_user, monkeypatch
):
    from django.test import Client

    from sscb.tests.factories import SubGroupMembershipFactory

    colleague = make_user(role="subgroup_member", username="colleague")
    SubGroupMembershipFactory(subgroup=li, user=colleague)
    review = ReviewFactory(subgroup=li, reference="LR-2025-001")
    FindingFactory(review=review, subgroup=li, title="Supervision was regular")
    findings = reverse("learning:findings")
    member, theirs = Client(), Client()  # each signed in once: a sign-in is a hard change
    member.force_login(li_member)
    theirs.force_login(colleague)

    def seen_by(client):
        return client.get(findings).content.decode()

    def record(title, source):
        new = new_finding_form(li, source, title)
        assert theirs.post(reverse("learning:finding_new"), new).status_code == 302

    with override_settings(PAGES_MAY_BE_OLD_SECONDS=10):
        assert "Supervision was regular" in seen_by(member)
        record("Fathers seen at home", review)
        # Their own change shows to them at once; to their colleague within ten seconds.
        assert "Fathers seen at home" in seen_by(theirs)
        assert "Fathers seen at home" not in seen_by(member)
        # Unless the colleague reloads the page (their browser asks for it afresh).
        for reload in ("max-age=0", "no-cache"):
            assert (
                "Fathers seen at home"
                in member.get(findings, headers={"Cache-Control": reload}).content.decode()
            )
        later = time.time() + 11
        monkeypatch.setattr(
            figures_cache, "time", SimpleNamespace(time=lambda: later, time_ns=time.time_ns)
        )
        assert "Fathers seen at home" in seen_by(member)

        # A review restricted (a hard change) closes it to those off its panel at once.
        record("Records shared promptly", review)
        review.is_restricted = True
        review.save()
        assert "Supervision was regular" not in seen_by(member)

    # With the setting at 0 (as in every other test), another's new finding shows at once.
    open_review = ReviewFactory(subgroup=li)
    assert "Information shared" not in seen_by(member)
    record("Information shared", open_review)
    assert "Information shared" in seen_by(member)


# What progress on an action saves (services.action_report_progress): no visibility rule may read
# it, or a page kept across it could show an action to someone who may no longer see it.
PROGRESS_COLUMNS = ("progress", "at_risk", "status", "completed_on", "completion_evidence")


def _visibility_rules():
    """Every ``*_visible_to(user)`` in our apps' selectors: the visibility rules."""
    for app in settings.PROJECT_APPS:
        try:
            module = importlib.import_module(f"{app}.selectors")
        except ModuleNotFoundError:
            continue
        for name, rule in vars(module).items():
            if (
                name.endswith("_visible_to")
                and callable(rule)
                and rule.__module__ == module.__name__
            ):
                yield f"{app}.{name}", rule


def test_no_visibility_rule_reads_what_progress_on_an_action_saves(users_by_role, li, agency):
    """What makes progress a soft change: whatever it saves, no one's access changes. (A new
    finding only adds rows, and every rule grants by what exists, but for a restricted review's
    panel, which a finding is not.)"""
    rules = dict(_visibility_rules())
    assert {"learning.actions_visible_to", "reviews.reviews_visible_to"} <= set(rules)
    table = Action._meta.db_table
    columns = "|".join(PROGRESS_COLUMNS)
    for role, user in users_by_role.items():
        for name, rule in rules.items():
            try:
                # Its keys alone: the columns it reads to choose, not those it selects.
                sql = str(rule(user).values("pk").order_by().query)
            except EmptyResultSet:  # none: reads nothing
                continue
            # The action table by its name, or by an alias a subquery gives it.
            names = [f'"{table}"', *re.findall(rf'"{table}" (\w+)', sql)]
            for alias in names:
                found = re.search(rf'{re.escape(alias)}\."({columns})"', sql)
                assert not found, f"{name} for {role} reads {found[0]}"


def test_a_readers_own_new_finding_is_in_their_golden_thread_at_once(client, li, li_member):
    """The golden thread, a page kept for its reader, after their own new finding."""
    review = ReviewFactory(subgroup=li, referred_on=datetime.date(2025, 1, 1))
    thread = reverse("learning:thread_review", args=[review.uuid])
    client.force_login(li_member)
    with override_settings(PAGES_MAY_BE_OLD_SECONDS=10):
        assert "Fathers seen at home" not in client.get(thread).content.decode()
        new = new_finding_form(li, review, "Fathers seen at home")
        assert client.post(reverse("learning:finding_new"), new).status_code == 302
        assert "Fathers seen at home" in client.get(thread).content.decode()


@pytest.mark.django_db(transaction=True)  # commits for real
def test_a_transaction_with_a_hard_change_in_it_ends_hard_when_it_commits(li):
    """Each change bumps at once, and once more when its transaction commits (a page made from
    the data before the commit is not kept under the new generation): as hard as the hardest."""
    from django.db import transaction

    review = ReviewFactory(subgroup=li)
    with transaction.atomic(), figures_cache.visibility_unchanged(Finding):
        FindingFactory(review=review)
        FindingFactory(review=review)
        soft = figures_cache.generation()
    assert 0 < figures_cache.generation() - soft < HARD  # committed: soft again
    with transaction.atomic(), figures_cache.visibility_unchanged(Finding):
        FindingFactory(review=review)
        review.save()
        FindingFactory(review=review)
        during = figures_cache.generation()
    assert figures_cache.generation() - during >= HARD
