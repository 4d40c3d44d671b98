import datetime

import factory
from django.utils import timezone

from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory

from ..models import AgendaItem, Attendance, Meeting


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    body = factory.SubFactory(SubGroupFactory, code=SubGroup.Code.CASE_REVIEW_PANEL)
    held_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    place = "Shirehall, Shrewsbury"


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Item {n}")


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    status = Attendance.Status.PRESENT
