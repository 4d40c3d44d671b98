import datetime

import factory

from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory

from ..models import Inspection, Recommendation


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"JTAI-2025-{n + 1}")
    kind = Inspection.Kind.JTAI
    title = factory.Sequence(lambda n: f"JTAI: the response to neglect {n}")
    carried_out_by = "Ofsted, CQC, HMICFRS and HMIP"
    started_on = datetime.date(2025, 5, 12)
    reported_on = datetime.date(2025, 7, 1)
    scope = "The multi-agency response to children living with neglect."
    judgement = "Not graded: findings and areas for improvement"
    subgroup = factory.SubFactory(SubGroupFactory, code=SubGroup.Code.LEARNING_IMPROVEMENT)


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    inspection = factory.SubFactory(InspectionFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Partners should strengthen the front door, point {n}.")
