from decimal import Decimal

import factory

from sscb.tests.factories import AgencyFactory, UserFactory

from ..models import Indicator, IndicatorSet, IndicatorValue


class IndicatorSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorSet
        django_get_or_create = ["name"]

    name = "QAP core dataset"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    indicator_set = factory.SubFactory(IndicatorSetFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    agency = factory.SubFactory(AgencyFactory)
    unit = Indicator.Unit.PERCENT
    polarity = Indicator.Polarity.HIGHER
    target = Decimal("90")
    tolerance = Decimal("5")


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    """A value stored as it is (the service checks quarters against today; tests set any)."""

    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2024
    quarter = 1
    value = Decimal("88")
    submitted_by = factory.SubFactory(UserFactory)
