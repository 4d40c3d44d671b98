"""A review's history and timeline say what changed and who did it, and give the case file's
words only to those who read the case file (README, "History"; ``reviews.history``)."""

import datetime
from html import unescape
from importlib import import_module

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from reviews import casefile, services
from reviews.models import Review
from reviews.tests.factories import open_review
from sscb.tests.factories import UserFactory
from sscb.tests.reading import history_entries
from sscb.tests.reading import said as _said

D = datetime.date
REASON = "Police found 3 further contacts with Mother of Child B in 2024 about the injuries"


@pytest.fixture
def review(bu_user, crp):
    """An LCSPR: its six months to publication may be paused."""
    return open_review(
        by=bu_user,
        kind=Review.Kind.LCSPR,
        subgroup=crp,
        title="Serious injury to a baby",
        pseudonym="Young person D",
        referred_on=D(2025, 10, 20),
        decision=Review.Decision.INITIATE,
        decided_on=D(2025, 10, 20),
        decision_reasons="The rapid review recommended it.",
    )


def _page(client, review):
    return client.get(reverse("reviews:detail", args=[review.uuid]))


def _history(client, review) -> list[str]:
    return history_entries(_page(client, review), "review-history")


def _timeline(client, review) -> str:
    page = unescape(_page(client, review).content.decode())
    start = page.index('data-testid="timeline"')
    return " ".join(strip_tags(page[start : page.index("</ol>", start)]).split())


def test_why_a_chronology_was_reopened_is_read_only_by_readers_of_the_case_file(
    client, review, bu_user, crp_member, executive_user
):
    """The executive, refused the case file, reads that the chronology was reopened, by whom
    and when, never why; a reader of the case file reads why in full on the timeline."""
    client.force_login(bu_user)
    assert client.post(reverse("reviews:chronology-close", args=[review.uuid])).status_code == 302
    reopen = reverse("reviews:chronology-reopen", args=[review.uuid])
    assert client.post(reopen, {"reason": REASON}).status_code == 302

    client.force_login(executive_user)
    assert client.get(reverse("reviews:chronology", args=[review.uuid])).status_code == 403
    page = unescape(_page(client, review).content.decode())
    assert "Police found" not in page and "further contacts" not in page
    assert _said(_history(client, review), "(Chronology reopened)")
    assert f"chronology reopened, recorded by {bu_user}" in _timeline(client, review)

    for reader in (bu_user, crp_member):
        client.force_login(reader)
        assert f"chronology reopened: {REASON}, recorded by {bu_user}" in _timeline(client, review)
        # Never cut mid-word, nor a copy of the case file's words in the history.
        assert "injuri)" not in " ".join(_history(client, review))
        assert "Police found" not in " ".join(_history(client, review))


def test_one_save_of_the_register_is_one_entry_naming_who_joined_or_left_the_panel(
    client, review, bu_user
):
    services.review_update(review=review, by=bu_user, is_restricted=True)
    dan = UserFactory(first_name="Dan", last_name="Roberts")
    chris = UserFactory(first_name="Chris", last_name="Evans")
    services.review_update(review=review, by=bu_user, panel_members=[dan])
    url = reverse("reviews:section", args=[review.uuid, "register"])
    data = {
        "title": review.title,
        "pseudonym": "Young person E",
        "summary": review.summary,
        "subgroup": review.subgroup_id,
        "referred_on": "2025-10-19",
        "is_restricted": "on",
        "panel_members": [dan.pk, chris.pk],
    }
    client.force_login(bu_user)
    versions = review.history.count()
    assert client.post(url, data).status_code == 302
    assert review.history.count() == versions + 1
    entries = _history(client, review)
    assert entries[0].endswith(
        f"{bu_user}: child or family pseudonym Young person D → Young person E; "
        "referred on 20 Oct 2025 → 19 Oct 2025; "
        "panel members Dan Roberts → Chris Evans, Dan Roberts (Business Unit: panel changed)"
    )
    assert client.post(url, data | {"panel_members": [chris.pk]}).status_code == 302
    assert review.history.count() == versions + 2
    entries = _history(client, review)
    assert entries[0].endswith(
        f"{bu_user}: panel members Chris Evans, Dan Roberts → Chris Evans "
        "(Business Unit: panel changed)"
    )


def test_a_new_terms_of_reference_version_says_what_differs_from_the_one_before(
    client, review, bu_user
):
    terms = reverse("reviews:terms", args=[review.uuid])
    client.force_login(bu_user)
    first = {"scope_from": "2025-06-30", "scope_to": "2025-10-20", "lines_of_enquiry": "Voice?"}
    assert client.post(terms, first).status_code == 302
    second = first | {"scope_from": "2025-01-01", "lines_of_enquiry": "Voice?\nSchool?"}
    assert client.post(terms, second).status_code == 302
    assert client.post(terms, second).status_code == 302
    entries = _history(client, review)
    assert _said(entries, f"{bu_user}: terms of reference version (1): recorded it")
    assert _said(
        entries,
        f"{bu_user}: terms of reference version (2): recorded it in place of version 1; "
        "scope period from 30 Jun 2025 → 1 Jan 2025; changed the key lines of enquiry",
    )
    assert _said(
        entries, f"{bu_user}: terms of reference version (3): recorded it, the same as version 2"
    )


def test_a_clock_pause_names_its_clock(client, review, bu_user):
    clock = review.clocks.get(kind="lcspr_publication")
    client.force_login(bu_user)
    pause = reverse("reviews:clock-pause", args=[review.uuid, clock.uuid])
    reason = "Family asked for time after the inquest"
    assert client.post(pause, {"reason": reason, "on": "2025-10-27"}).status_code == 302
    assert _said(
        _history(client, review),
        f"{bu_user}: clock pause of “Publish the LCSPR” ({reason}): recorded it",
    )


def test_panel_changes_and_terms_versions_add_no_query_for_each_version(
    client, review, bu_user, count_queries, django_assert_num_queries
):
    people = [UserFactory() for _ in range(12)]
    client.force_login(bu_user)
    url = reverse("reviews:detail", args=[review.uuid])
    client.get(url)  # the session's first save and the content types read once, not counted

    def grow(rounds):
        for n in range(rounds):
            services.review_update(review=review, by=bu_user, panel_members=people[: n + 1])
            casefile.terms_of_reference_add(
                review=review,
                by=bu_user,
                scope_from=D(2025, 1, 1) + datetime.timedelta(days=n),
                scope_to=D(2025, 10, 1),
                lines_of_enquiry=f"Line {n}",
            )

    grow(2)
    few = count_queries(url)
    grow(10)
    with django_assert_num_queries(few):
        entries = _history(client, review)
    said = " ".join(entries)
    assert "panel members" in said and "recorded it in place of version 11" in said


def test_reasons_kept_before_say_only_that_the_chronology_was_reopened(review):
    """Versions saved before kept why in their reason; the migration leaves only the act."""
    from django.apps import apps

    migration = import_module("reviews.migrations.0017_chronology_reopened_reason_unsaid")
    review.history.update(history_change_reason=f"Chronology reopened: {REASON}"[:100])
    migration.forwards(apps, None)
    reasons = set(review.history.values_list("history_change_reason", flat=True))
    assert reasons == {"Chronology reopened"}
