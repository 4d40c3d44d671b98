"""The plain-language leaflets (issue 18, item 6): generated from the lifecycle and the clocks the
product runs on, open without signing in, naming no case, readable at a reading age of about 11."""

import dataclasses
import html
import re

import pytest
from django.urls import reverse

from reviews import clocks, lifecycle, process
from reviews.clock import Allowance, Unit
from reviews.models import Review, ReviewClock
from reviews.tests.factories import open_review
from reviews.tests.readability import scores

K = Review.Kind

# A reading age of about 11: a US grade of 6 or less, and "easy" (70 or more) reading ease.
MOST_GRADE = 6
LEAST_EASE = 70


def leaflet_text(response) -> list[str]:
    """The leaflet's text, a sentence per heading, paragraph and list item."""
    body = response.content.decode()
    article = body[body.index("<article") : body.index("</article>")]
    article = re.sub(r"</(h1|h2|h3|p|li)>", ".\n", article)
    text = html.unescape(re.sub(r"<[^>]+>", " ", article))
    return [line.strip() for line in text.splitlines() if line.strip(" .")]


@pytest.mark.parametrize("kind", K.values)
def test_each_leaflet_opens_without_signing_in_and_reads_at_about_11(client, db, kind):
    response = client.get(reverse("process:kind", args=[kind]))
    assert response.status_code == 200
    assert len(response.context["steps"]) == len(lifecycle.stages_for(kind))
    ease, grade = scores(leaflet_text(response))
    assert grade <= MOST_GRADE, (kind, grade)
    assert ease >= LEAST_EASE, (kind, ease)


def test_the_leaflets_name_no_case(client, bu_user, crp):
    review = open_review(
        by=bu_user, kind=K.LCSPR, subgroup=crp, pseudonym="Child Q", title="Injury to Child Q"
    )
    for url in (reverse("process:index"), reverse("process:kind", args=[K.LCSPR])):
        page = client.get(url).content.decode()
        assert review.reference not in page and "Child Q" not in page


def test_a_leaflet_changes_when_the_lifecycle_changes(client, db, monkeypatch):
    url = reverse("process:kind", args=[K.CHILD_DEATH])
    before = client.get(url).content.decode()
    assert "We talk with the family" not in before
    stages = [Review.Stage.REFERRAL, Review.Stage.FAMILY_INVOLVEMENT]
    stages += [Review.Stage.ANALYSIS, Review.Stage.CLOSED]
    monkeypatch.setitem(lifecycle.TRANSITIONS, K.CHILD_DEATH, lifecycle._path(stages))
    response = client.get(url)
    assert "Step 2. We talk with the family" in response.content.decode()
    assert len(response.context["steps"]) == 4


def test_a_leaflet_changes_when_a_clock_changes(client, db, monkeypatch):
    url = reverse("process:kind", args=[K.RAPID_REVIEW])
    assert (
        "within 15 working days after we tell the national Panel"
        in client.get(url).content.decode()
    )
    longer = [
        dataclasses.replace(rule, allowance=Allowance(20, Unit.WORKING_DAYS))
        if rule.kind == ReviewClock.Kind.RAPID_REVIEW
        else rule
        for rule in clocks.CLOCK_RULES
    ]
    monkeypatch.setattr(clocks, "CLOCK_RULES", longer)
    page = client.get(url).content.decode()
    assert "within 20 working days after we tell the national Panel" in page


def test_each_regime_says_who_is_told_of_a_serious_incident(client, db):
    """Under Working Together 2015 the notification went to Ofsted and the Board (the LSCB);
    the national Panel began in June 2018 and is told from then on."""
    scr = " ".join(client.get(reverse("process:kind", args=[K.SCR])).content.decode().split())
    assert "We tell Ofsted and the Board what happened" in scr
    assert "within 1 month after we tell Ofsted and the Board" in scr
    assert "We tell the national Panel what happened" not in scr
    assert "after we tell the national Panel" not in scr
    rapid = " ".join(
        client.get(reverse("process:kind", args=[K.RAPID_REVIEW])).content.decode().split()
    )
    assert "We tell the national Panel what happened" in rapid
    assert "Ofsted and the Board" not in rapid


def test_every_stage_kind_and_clock_has_plain_words():
    assert set(process.STAGES) == set(Review.Stage.values)
    assert set(process.KINDS) == set(K.values)
    assert set(process.CLOCKS) == set(ReviewClock.Kind.values)
    assert {rule.counted_from for rule in clocks.CLOCK_RULES} <= set(process.PLAIN_FROM)
    for regime, (words, plain_from) in process.BY_REGIME.items():
        assert regime in Review.Regime.values
        assert set(words) <= set(process.CLOCKS) and set(plain_from) <= set(process.PLAIN_FROM)


def test_an_unknown_kind_is_not_found(client, db):
    assert client.get(reverse("process:kind", args=["no-such-kind"])).status_code == 404


def test_the_index_lists_every_kind_and_is_linked_from_every_page(client, db):
    page = client.get(reverse("process:index")).content.decode()
    for kind in K.values:
        assert reverse("process:kind", args=[kind]) in page
    login = client.get(reverse("login")).content.decode()
    assert reverse("process:index") in login


@pytest.mark.parametrize("url", [("process:index", []), ("process:kind", [K.LCSPR])])
def test_leaflets_run_no_queries(client, db, django_assert_num_queries, url):
    with django_assert_num_queries(0):
        assert client.get(reverse(url[0], args=url[1])).status_code == 200


def test_a_leaflet_says_a_reviewer_may_be_chosen_only_where_the_review_may_go_on_without_one():
    """A learning review's independent reviewer is "possible" (framework 2.3): its leaflet does
    not promise one; an LCSPR's does."""
    learning = {step.heading for step in process.steps_for(Review.Kind.LEARNING_REVIEW)}
    lcspr = {step.heading for step in process.steps_for(Review.Kind.LCSPR)}
    assert "A reviewer may be chosen" in learning and "A reviewer is chosen" not in learning
    assert "A reviewer is chosen" in lcspr
