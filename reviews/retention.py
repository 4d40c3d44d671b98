"""What the retention schedule may dispose of in case reviews: closed reviews (sscb.retention)."""

from django.db.models import F
from django.urls import reverse

from sscb.retention import Disposable, disposable, empty_rows, remove_files

from .models import (
    CaseDocument,
    ChronologyEntry,
    ClockPause,
    DocumentVersion,
    ParallelProcess,
    Review,
    ReviewAct,
    ReviewAgency,
    ReviewClock,
    ReviewStageChange,
    ReviewTeamMember,
    TermsOfReference,
)


@disposable("review")
class ReviewDisposal(Disposable):
    """A closed review: its text, pseudonym and the notes of its stage moves, agencies, parallel
    processes, clocks and case file are emptied (the case file's documents removed); its
    reference, kind, stages and dates stay, so the years' figures (started, completed,
    published) do not change."""

    label = "Case reviews (closed)"
    events = {
        "review_closed": "the review was closed",
        "review_published": "the review's report was published",
    }
    FIELDS = {"review_closed": "closed_on", "review_published": "published_on"}

    def due(self, event, cutoff, today):
        # A published report stays on the website for at least its minimum window.
        return (
            Review.objects.filter(stage=Review.Stage.CLOSED)
            .exclude(publication_window_ends_on__gt=today)
            .annotate(event_on=F(self.FIELDS[event]))
            .filter(event_on__lte=cutoff)
        )

    def reference(self, review):
        return review.reference

    def url(self, review):
        return reverse("reviews:detail", args=[review.uuid])

    def dispose(self, review, *, marker):
        empty_rows(Review.objects.filter(pk=review.pk), marker)
        empty_rows(ReviewStageChange.objects.filter(review=review), marker)
        empty_rows(ReviewAct.objects.filter(review=review), marker)
        empty_rows(ReviewAgency.objects.filter(review=review), marker)
        empty_rows(ParallelProcess.objects.filter(review=review), marker)
        empty_rows(ReviewClock.objects.filter(review=review), marker)
        empty_rows(ClockPause.objects.filter(clock__review=review), marker)
        # The case file: its text is emptied and its files removed.
        empty_rows(ChronologyEntry.objects.filter(review=review), marker)
        empty_rows(TermsOfReference.objects.filter(review=review), marker)
        empty_rows(ReviewTeamMember.objects.filter(review=review), marker)
        empty_rows(CaseDocument.objects.filter(review=review), marker)
        remove_files(DocumentVersion.objects.filter(document__review=review), marker)
