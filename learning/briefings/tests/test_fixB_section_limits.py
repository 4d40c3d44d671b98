"""A 7-minute briefing is short: each section has a most it may hold, said in words when a
longer one is refused, and a briefing at every limit still prints as a PDF."""

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML
from weasyprint.formatting_structure.boxes import TextBox

from .. import services, views
from ..models import SECTION_LIMITS, Briefing
from .factories import TEXT, published

pytestmark = pytest.mark.django_db


def test_a_section_longer_than_its_limit_is_refused_in_words_and_nothing_is_saved(
    client, writer, theme, outcome
):
    client.force_login(writer)
    url = reverse("briefings:write_from_theme", args=[theme.uuid])
    response = client.post(url, {**TEXT, "outcome": outcome.pk, "questions": "?" * 300_000})
    assert response.status_code == 400
    assert response.context["form"].errors["questions"] == [
        "Keep this section to at most 1,500 characters (about 250 words): a 7-minute briefing "
        "is read in seven minutes. It has 300000 characters now."
    ]
    assert not Briefing.objects.exists()
    assert "At most 1,500 characters." in client.get(url).content.decode()


def test_the_services_refuse_a_section_over_its_limit_too(writer, li, outcome):
    briefing = services.briefing_write(
        by=writer, subgroup=li, theme=outcome.theme, outcome=outcome, **TEXT
    )
    with pytest.raises(ValidationError) as refused:
        services.briefing_edit(briefing=briefing, by=writer, outcome=outcome, what_to_do="x" * 2401)
    assert "2,400 characters" in str(refused.value)


def test_a_briefing_with_every_section_at_its_limit_prints_as_a_pdf(
    client, writer, chair, li, outcome, agency_user
):
    words = "Ask what the child said, and write it down in their words. " * 60
    unbroken = " " + "0123456789" * 15  # no space, no hyphen, no slash: nowhere to break a line
    full = {
        name: words[: limit - len(unbroken)] + unbroken for name, limit in SECTION_LIMITS.items()
    }
    assert all(len(full[name]) == limit for name, limit in SECTION_LIMITS.items())
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome, **full)
    client.force_login(agency_user)
    response = client.get(reverse("briefings:pdf", args=[briefing.uuid]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    # The same page laid out as the PDF is: over more than one A4 page, no line wider than it.
    html = render_to_string(
        "briefings/briefing_pdf.html", {"briefing": briefing, "css": views._print_css()}
    )
    pages = HTML(string=html).render().pages
    assert len(pages) >= 2
    for page in pages:
        area = page._page_box
        right = area.content_box_x() + area.width
        lines = [box for box in area.descendants() if isinstance(box, TextBox)]
        assert lines and all(line.position_x + line.width <= right + 1 for line in lines)
