"""In Chromium: a colleague's new finding may reach a kept list up to ``PAGES_MAY_BE_OLD_SECONDS``
late, but a person who reloads the page sees it at once (sscb/figures_cache.py, ``reloaded``)."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from learning.tests.factories import FindingFactory, new_finding_form
from reviews.tests.factories import ReviewFactory
from sscb.tests.factories import SubGroupMembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_colleagues_new_finding_shows_once_the_page_is_reloaded(
    settings, page, live_server, browser_login, li, li_member, make_user
):
    settings.PAGES_MAY_BE_OLD_SECONDS = 30  # as served with Redis
    colleague = make_user(role="subgroup_member", username="colleague")
    SubGroupMembershipFactory(subgroup=li, user=colleague)
    review = ReviewFactory(subgroup=li)
    FindingFactory(review=review, subgroup=li, title="Supervision was regular")
    findings = f"{live_server.url}{reverse('learning:findings')}"
    theirs = Client()
    theirs.force_login(colleague)  # before the list is kept: a sign-in is a hard change
    browser_login(page, "member")
    page.goto(findings)
    expect(page.get_by_role("link", name="Supervision was regular")).to_be_visible()

    new = new_finding_form(li, review, "Fathers seen at home")
    assert theirs.post(reverse("learning:finding_new"), new).status_code == 302

    # Followed from a link, the list kept for them may still be the one from before.
    page.goto(findings)
    expect(page.get_by_role("link", name="Supervision was regular")).to_be_visible()
    expect(page.get_by_role("link", name="Fathers seen at home")).to_have_count(0)
    # Reloaded, it is made afresh.
    page.reload()
    expect(page.get_by_role("link", name="Fathers seen at home")).to_be_visible()
