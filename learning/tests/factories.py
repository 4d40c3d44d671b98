import datetime

import factory
from django.utils import timezone

from learning.models import (
    Action,
    AssuranceEvidence,
    DeliveryActivity,
    Finding,
    LearningOutcome,
    PracticeCheck,
    PriorityTheme,
)
from reviews.models import Review
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, StrategicPriorityFactory, SubGroupFactory


class ReviewFactory(factory.django.DjangoModelFactory):
    """A case review as the learning loop sees it: a source of findings and actions."""

    class Meta:
        model = Review
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"LR-2025-{n:03d}")
    kind = Review.Kind.LEARNING_REVIEW
    title = factory.Sequence(lambda n: f"Learning review {n}")
    pseudonym = factory.Sequence(lambda n: f"Child {chr(65 + n % 26)}")
    subgroup = factory.SubFactory(SubGroupFactory, code=SubGroup.Code.LEARNING_IMPROVEMENT)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Finding {n}")
    detail = "Practitioners did not hear the voice of Child A."
    source = Finding.Source.LEARNING_REVIEW
    review = factory.SubFactory(ReviewFactory)
    subgroup = factory.SubFactory(SubGroupFactory, code=SubGroup.Code.LEARNING_IMPROVEMENT)

    @factory.post_generation
    def agencies(finding, create, extracted, **kwargs):
        if create and extracted:
            finding.agencies.set(extracted)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityTheme
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Theme {n}")
    subgroup = factory.SubFactory(SubGroupFactory, code=SubGroup.Code.LEARNING_IMPROVEMENT)
    status = PriorityTheme.Status.AGREED

    @factory.post_generation
    def priorities(theme, create, extracted, **kwargs):
        if create:
            theme.priorities.set(extracted or [StrategicPriorityFactory()])


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningOutcome

    theme = factory.SubFactory(ThemeFactory)
    title = factory.Sequence(lambda n: f"Outcome {n}")
    schedule = "Briefing in May; module update in June."
    impact_measure = "Multi-agency case file audit in six months."


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryActivity

    outcome = factory.SubFactory(OutcomeFactory)
    way = DeliveryActivity.Way.BRIEFING
    title = factory.Sequence(lambda n: f"Briefing {n}")
    planned_on = datetime.date(2025, 5, 1)


class CheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeCheck

    outcome = factory.SubFactory(OutcomeFactory)
    way = PracticeCheck.Way.SINGLE_AGENCY_AUDIT
    agency = factory.SubFactory(AgencyFactory)


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssuranceEvidence

    outcome = factory.SubFactory(OutcomeFactory)
    way = AssuranceEvidence.Way.AGENCY_REPORT
    agency = factory.SubFactory(AgencyFactory)
    title = factory.Sequence(lambda n: f"Assurance report {n}")
    requested_on = datetime.date(2025, 6, 1)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    review = factory.SubFactory(ReviewFactory)
    plan = factory.LazyAttribute(lambda action: f"review:{action.review.pk}")
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner_agency = factory.SubFactory(AgencyFactory)
    subgroup = factory.SubFactory(SubGroupFactory, code=SubGroup.Code.LEARNING_IMPROVEMENT)
    due_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))

    @factory.post_generation
    def recorded_on(action, create, day, **kwargs):
        """Back-date when the action was recorded (``created_at`` is set on insert)."""
        if create and day:
            moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
            Action.objects.filter(pk=action.pk).update(created_at=moment)
            action.created_at = moment


def new_finding_form(subgroup, review, title) -> dict:
    """What a person fills in on "Record a finding" for a finding from ``review``."""
    return {
        "title": title,
        "detail": "Practice was recorded well.",
        "source": "learning_review",
        "nature": "strength",
        "review": review.pk,
        "subgroup": subgroup.pk,
        "identified_on": "2025-05-01",
    }
