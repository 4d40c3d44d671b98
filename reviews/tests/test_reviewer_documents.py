"""What the lead reviewer may upload: the report they write (draft and final), never the
Board's written response (the Board's document, shown beyond the case file once published) nor
an agency's report under that agency's name (found by a finder as the reviewer)."""

import pytest
from django.core.exceptions import ValidationError

from reviews import casefile
from reviews.models import Review
from reviews.tests.test_casefile import review, text_file, three  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_the_lead_reviewer_uploads_their_report_alone(review, reviewer_user, bu_user):  # noqa: F811
    Review.objects.filter(pk=review.pk).update(lead_reviewer=reviewer_user)
    review.refresh_from_db()
    assert casefile.document_kinds_for(reviewer_user, review) == ["draft_report", "final_report"]
    assert "board_response" in casefile.document_kinds_for(bu_user, review)
    for kind in ("board_response", "agency_report"):
        with pytest.raises(ValidationError):
            casefile.document_add(
                review=review,
                by=reviewer_user,
                kind=kind,
                title="Not theirs to send",
                agency=review.agencies.first() if kind == "agency_report" else None,
                file=text_file(),
            )
    draft = casefile.document_add(
        review=review, by=reviewer_user, kind="draft_report", title="Draft 1", file=text_file()
    )
    assert draft.kind == "draft_report"
