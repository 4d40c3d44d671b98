import datetime

import factory

from audits.frameworks import install
from audits.models import (
    Audit,
    AuditCycle,
    CaseAuditEntry,
    Framework,
    SelfAssessment,
    Standard,
)
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory


def _framework(code):
    # Transactional (browser) tests flush the rows the data migration installed.
    install(Framework, Standard)
    return Framework.objects.get(code=code)


def section_11():
    return _framework(Framework.Code.SECTION_11)


def section_175():
    return _framework(Framework.Code.SECTION_175)


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"MATA-2025-{n:03d}")
    kind = Audit.Kind.THEMED
    title = factory.Sequence(lambda n: f"Themed audit {n}")
    lead_subgroup = factory.SubFactory(SubGroupFactory, code=SubGroup.Code.QUALITY_ASSURANCE)
    reports_to = factory.SelfAttribute("lead_subgroup")
    scope = "How agencies respond to neglect."
    period_start = datetime.date(2025, 4, 1)
    period_end = datetime.date(2025, 9, 30)

    @factory.post_generation
    def agencies(audit, create, extracted, **kwargs):
        if create and extracted:
            audit.agencies.set(extracted)


class CaseAuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseAuditEntry

    audit = factory.SubFactory(AuditFactory, kind=Audit.Kind.CASE_FILE)
    pseudonym = factory.Sequence(lambda n: f"Child {n}")
    agency = factory.SubFactory(AgencyFactory)
    grade = CaseAuditEntry.Grade.GOOD


class AuditCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditCycle

    framework = factory.LazyFunction(section_11)
    title = factory.Sequence(lambda n: f"Section 11 audit {n}")
    financial_year = factory.Sequence(lambda n: 2000 + n)
    opened_on = datetime.date(2025, 5, 1)
    deadline = datetime.date(2025, 7, 31)


class SelfAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfAssessment

    cycle = factory.SubFactory(AuditCycleFactory)
    agency = factory.SubFactory(AgencyFactory)
