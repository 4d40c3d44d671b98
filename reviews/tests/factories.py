import datetime

import factory

from reviews import services
from reviews.models import Review, ReviewAgency
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory, UserFactory


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review row as stored; use ``open_review`` for one opened through the services."""

    class Meta:
        model = Review
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"LR-2025-{n + 500:03d}")
    kind = Review.Kind.LEARNING_REVIEW
    regime = Review.Regime.WT2018
    title = factory.Sequence(lambda n: f"Review {n}")
    pseudonym = factory.Sequence(lambda n: f"Child {chr(65 + n % 26)}")
    subgroup = factory.SubFactory(SubGroupFactory, code=SubGroup.Code.CASE_REVIEW_PANEL)
    referred_on = datetime.date(2025, 5, 1)


class ReviewAgencyFactory(factory.django.DjangoModelFactory):
    """An agency involved in a review."""

    class Meta:
        model = ReviewAgency

    review = factory.SubFactory(ReviewFactory)
    agency = factory.SubFactory(AgencyFactory)


def open_review(*, by=None, kind=Review.Kind.SCR, subgroup=None, **fields):
    """Open a review as a person would, so it has its reference, first stage and clocks."""
    by = by or UserFactory(role="business_unit", username="opener")
    subgroup = subgroup or SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL)
    fields.setdefault("title", "Serious injury to a baby")
    if kind == Review.Kind.SCR:
        # Most tests open an SCR dated around today, after the last day a Board could start one
        # (reviews.clocks.REGIME_PERIODS): it is recorded outside its regime, with the reason.
        fields.setdefault("regime_reason", "Recorded for a test of the WT2015 clocks.")
    return services.review_create(by=by, kind=kind, subgroup=subgroup, **fields)


def panel_reviewed(review, on=None):
    """CDOP's record of ``review``'s death, reviewed at a panel meeting: it may close."""
    from reviews.child_death_data import install
    from reviews.models import AgeBand, ChildDeathDetails, DeathCategory

    install(DeathCategory, AgeBand)
    meeting = ChildDeathDetails._meta.get_field("meeting").related_model
    panel = meeting.objects.create(
        body=SubGroupFactory(code=SubGroup.Code.CDOP), held_on=on or review.referred_on
    )
    return ChildDeathDetails.objects.create(
        review=review, meeting=panel, category=DeathCategory.objects.get(number=10)
    )


def at_decision(review, by=None, on=None):
    """Move ``review`` along its kind's path to its Decision stage, where its decision is
    recorded: each move on ``on`` (its referral day unless given)."""
    from reviews import lifecycle

    by = by or review.stage_changes.order_by("pk").first().moved_by
    path = lifecycle.stages_for(review.kind)
    while review.stage != Review.Stage.DECISION:
        following = path[path.index(review.stage) + 1]
        services.review_move(review=review, to_stage=following, by=by, on=on or review.referred_on)
        review.refresh_from_db()
    return review


def signed_off(review, on, **fields):
    """``review`` at Board sign-off, completed on ``on`` (as its move there records), with
    ``fields`` stored as they are: a publication or a final report needs a completed review."""
    Review.objects.filter(pk=review.pk).update(
        stage=Review.Stage.BOARD_SIGNOFF, completed_on=on, **fields
    )
    review.refresh_from_db()
    return review
