"""A briefing written from a restricted review never starts with the review's reference or
title, and is not published while its words still name one: everyone reads a published briefing,
and a restricted review is open only to its panel."""

from html import unescape

import pytest
from django.urls import reverse

from learning.tests.factories import FindingFactory, ReviewFactory

from .. import services
from ..models import Briefing
from .factories import TEXT

pytestmark = pytest.mark.django_db

REFERENCE = "LCSPR-2026-001"
TITLE = "Child exploitation and going missing from care"


@pytest.fixture
def restricted(li, writer, outcome):
    """A restricted review whose panel the writer sits on, with a finding in the outcome's theme."""
    review = ReviewFactory(subgroup=li, is_restricted=True, reference=REFERENCE, title=TITLE)
    review.panel_members.add(writer)
    FindingFactory(
        review=review,
        theme=outcome.theme,
        subgroup=li,
        title="Going missing was not linked to exploitation",
        detail="Young person D went missing nine times before anyone asked why.",
    )
    return review


def _approved(briefing, *, by, chair):
    services.briefing_submit(briefing=briefing, by=by)
    return services.briefing_approve(briefing=briefing, by=chair)


def test_a_briefing_from_a_restricted_review_starts_without_its_reference_or_title(
    client, writer, restricted
):
    client.force_login(writer)
    page = client.get(reverse("briefings:write_from_review", args=[restricted.uuid]))
    form = page.context["form"]
    assert form.initial["title"] == "Learning from a review"
    assert "Young person D went missing" in form.initial["what_happened"]
    title_input = unescape(str(form["title"]))
    assert REFERENCE not in title_input and TITLE not in title_input


def test_a_briefing_from_an_open_review_still_names_it(client, writer, li):
    review = ReviewFactory(subgroup=li, reference="LR-2026-004", title="Fathers unseen")
    client.force_login(writer)
    page = client.get(reverse("briefings:write_from_review", args=[review.uuid]))
    assert page.context["form"].initial["title"] == "Learning from LR-2026-004: Fathers unseen"


def test_a_briefing_naming_its_restricted_review_is_not_published_until_it_is_taken_out(
    client, writer, chair, outcome, restricted, agencies, executive_user
):
    client.force_login(writer)
    url = reverse("briefings:write_from_review", args=[restricted.uuid])
    client.post(
        url,
        {
            **TEXT,
            "outcome": outcome.pk,
            "title": f"Learning from {REFERENCE}: {TITLE}",
            "what_happened": f"In {TITLE.lower()}, Young person D went missing nine times.",
        },
    )
    briefing = Briefing.objects.get()
    # Said to the writer while it is a draft, not first when it is published.
    warning = client.get(briefing.get_absolute_url()).context["names_restricted"]
    assert REFERENCE in warning and "What happened" in warning

    _approved(briefing, by=writer, chair=chair)
    page = client.get(briefing.get_absolute_url())
    said = unescape(page.content.decode())
    assert (
        "edit it to take out" in said
        and reverse("briefings:publish", args=[briefing.uuid]) not in said
    )
    response = client.post(reverse("briefings:publish", args=[briefing.uuid]), follow=True)
    assert "restricted review" in unescape(response.content.decode())
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.APPROVED and briefing.activity is None

    services.briefing_edit(
        briefing=briefing,
        by=writer,
        outcome=outcome,
        title="Learning from a review: exploitation and going missing",
        what_happened="Young person D went missing nine times before anyone asked why.",
    )
    _approved(briefing, by=writer, chair=chair)
    services.briefing_publish(briefing=briefing, by=writer)

    client.force_login(executive_user)
    for url in (
        briefing.get_absolute_url(),
        reverse("briefings:list"),
        reverse("briefings:print", args=[briefing.uuid]),
    ):
        assert REFERENCE not in client.get(url).content.decode()
    pdf = client.get(reverse("briefings:pdf", args=[briefing.uuid]))
    assert pdf["Content-Disposition"] == (
        'inline; filename="learning-from-a-review-exploitation-and-going-missing-v2.pdf"'
    )


def test_a_restricted_reviews_name_carried_in_from_its_theme_is_refused_too(
    client, writer, chair, li, outcome, restricted
):
    """Written from the theme, the briefing starts with the theme's findings, one of which names
    the restricted review."""
    FindingFactory(
        review=restricted,
        theme=outcome.theme,
        subgroup=li,
        title=f"{REFERENCE}: agencies did not share what they knew",
    )
    client.force_login(writer)
    url = reverse("briefings:write_from_theme", args=[outcome.theme.uuid])
    start = client.get(url).context["form"].initial
    assert REFERENCE in start["what_happened"]
    briefing = services.briefing_write(
        by=writer,
        subgroup=li,
        theme=outcome.theme,
        outcome=outcome,
        **(TEXT | {"what_happened": start["what_happened"]}),
    )
    _approved(briefing, by=writer, chair=chair)
    refusal = services.publish_refusal(briefing)
    assert refusal and f"“{REFERENCE}” (in “What happened”)" in refusal
    assert TITLE not in refusal  # only what the words still carry is named


def test_a_briefing_that_does_not_name_it_is_published(writer, chair, li, outcome, restricted):
    briefing = services.briefing_write(
        by=writer, subgroup=li, review=restricted, outcome=outcome, **TEXT
    )
    _approved(briefing, by=writer, chair=chair)
    assert services.publish_refusal(briefing) is None
    services.briefing_publish(briefing=briefing, by=writer)
    assert briefing.status == Briefing.Status.PUBLISHED
