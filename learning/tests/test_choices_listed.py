"""A choice of records lists at most ``sscb.forms.CHOICES_LISTED`` of them, and the one chosen,
so that a form does not grow with the data (a finding's review, an action's finding, a theme's
findings); any record the person may choose is still accepted. And the collate page shows the
findings not yet in a theme a page at a time. At scale 1 these pages took 1 to 20 seconds."""

import datetime
import re

import pytest
from django.urls import reverse

from learning.models import Finding
from learning.tests.factories import ActionFactory, FindingFactory, ThemeFactory
from reviews.tests.factories import ReviewFactory
from sscb.tests.factories import StrategicPriorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_listed(monkeypatch):
    monkeypatch.setattr("sscb.forms.CHOICES_LISTED", 2)


def _options(response, name):
    """The values of the options (or boxes) offered for the field ``name``."""
    field = response.context["form"][name]
    return [str(value) for value, _label in field.field.widget.choices if value != ""]


def _reviews(subgroup, count):
    """``count`` reviews, the oldest first."""
    return [
        ReviewFactory(subgroup=subgroup, referred_on=datetime.date(2025, 1, 1 + day))
        for day in range(count)
    ]


def test_a_findings_review_lists_the_most_recent_and_the_chosen_and_accepts_any(
    client, li_member, li
):
    oldest, older, newer, newest = _reviews(li, 4)
    client.force_login(li_member)
    page = client.get(reverse("learning:finding_new"))
    assert _options(page, "review") == [str(newest.pk), str(newer.pk)]
    assert "The 2 most recent are listed." in page.content.decode()
    assert "open its golden thread and choose “Record a finding”" in page.content.decode()

    # From the oldest review's thread: listed, and chosen.
    page = client.get(reverse("learning:finding_new") + f"?review={oldest.uuid}")
    assert _options(page, "review") == [str(newest.pk), str(newer.pk), str(oldest.pk)]
    assert f'<option value="{oldest.pk}" selected>' in page.content.decode()

    data = {
        "title": "Fathers not seen",
        "detail": "Child B's father was not assessed.",
        "source": "learning_review",
        "nature": "improvement",
        "review": older.pk,  # not listed, still accepted
        "subgroup": li.pk,
        "identified_on": "2025-05-01",
    }
    refused = client.post(reverse("learning:finding_new"), {**data, "title": ""})
    assert refused.status_code == 400
    assert str(older.pk) in _options(refused, "review")  # the choice made is kept
    assert client.post(reverse("learning:finding_new"), data).status_code == 302
    assert Finding.objects.get().review == older
    assert client.post(reverse("learning:finding_new"), {**data, "review": "x"}).status_code == 400


def test_a_short_choice_lists_every_record_and_says_nothing_more(client, li_member, li):
    first, second = _reviews(li, 2)
    client.force_login(li_member)
    page = client.get(reverse("learning:finding_new"))
    assert _options(page, "review") == [str(second.pk), str(first.pk)]
    assert "most recent are listed" not in page.content.decode()


def test_an_actions_finding_lists_the_findings_of_its_plan(client, bu_user, li):
    review, other = _reviews(li, 2)
    own = [FindingFactory(review=review, subgroup=li) for _ in range(3)]
    FindingFactory(review=other, subgroup=li)
    action = ActionFactory(review=review, finding=own[0])
    client.force_login(bu_user)
    page = client.get(reverse("learning:action_new") + f"?review={review.uuid}")
    listed = _options(page, "finding")
    assert len(listed) == 2 and set(listed) <= {str(finding.pk) for finding in own}
    assert f"The findings from {review.reference}." in page.content.decode()
    page = client.get(reverse("learning:action_edit", args=[action.uuid]))
    assert str(own[0].pk) in _options(page, "finding")  # the one it answers, listed or not


def test_a_new_theme_lists_the_most_recent_findings_and_the_one_it_starts_from(
    client, li_member, li
):
    findings = [
        FindingFactory(subgroup=li, identified_on=datetime.date(2025, 3, day)) for day in (1, 2, 3)
    ]
    client.force_login(li_member)
    page = client.get(reverse("learning:theme_new"))
    assert _options(page, "findings") == [str(findings[2].uuid), str(findings[1].uuid)]
    assert "Add older ones to the theme from “Collate findings”." in page.content.decode()
    page = client.get(reverse("learning:theme_new") + f"?finding={findings[0].uuid}")
    assert str(findings[0].uuid) in _options(page, "findings")
    response = client.post(
        reverse("learning:theme_new"),
        {
            "title": "Neglect",
            "subgroup": li.pk,
            "priorities": [StrategicPriorityFactory().pk],
            "findings": [str(findings[0].uuid)],  # not listed, still accepted
        },
    )
    assert response.status_code == 302
    findings[0].refresh_from_db()
    assert findings[0].theme.title == "Neglect"


def test_the_collate_page_shows_findings_a_page_at_a_time_and_collates_from_any_page(
    client, li_member, li
):
    theme = ThemeFactory(subgroup=li)
    findings = [FindingFactory(subgroup=li) for _ in range(30)]
    client.force_login(li_member)
    first = client.get(reverse("learning:collate")).content.decode()
    second = client.get(reverse("learning:collate") + "?page=2").content.decode()
    ticked = [re.findall(r'name="findings" value="(\d+)"', page) for page in (first, second)]
    assert [len(boxes) for boxes in ticked] == [25, 5]
    assert {int(pk) for boxes in ticked for pk in boxes} == {finding.pk for finding in findings}
    assert "30 findings, 25 to a page" in first and "Page 1 of 2" in first
    response = client.post(
        reverse("learning:collate") + "?page=2", {"theme": theme.pk, "findings": ticked[1]}
    )
    assert response.status_code == 302
    assert theme.findings.count() == 5
