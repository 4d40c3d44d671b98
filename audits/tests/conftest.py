import datetime

import pytest

from audits import services
from audits.tests.factories import section_11, section_175
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory, SubGroupMembershipFactory


@pytest.fixture
def qap(db):
    return SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE)


@pytest.fixture
def qap_user(make_user, qap):
    """A member of the Quality Assurance and Performance sub-group, who moderates returns."""
    user = make_user(role="subgroup_member", username="qapmember")
    SubGroupMembershipFactory(subgroup=qap, user=user)
    return user


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="Children's Social Care", short_name="CSC", kind="csc")


@pytest.fixture
def other_lead(make_user, other_agency):
    return make_user(role="agency_lead", agency=other_agency, username="csclead")


@pytest.fixture
def cycle(db, agency, other_agency, bu_user):
    """A Section 11 cycle for 2025/26 with returns for the police and social care."""
    return services.audit_cycle_open(
        framework=section_11(),
        title="Section 11 audit 2025/26",
        financial_year=2025,
        opened_on=datetime.date(2025, 5, 1),
        deadline=datetime.date(2025, 7, 31),
        agencies=[agency, other_agency],
        by=bu_user,
    )


@pytest.fixture
def school_cycle(db, bu_user):
    school = AgencyFactory(name="Meole Brace School", short_name="Meole Brace", kind="school")
    return services.audit_cycle_open(
        framework=section_175(),
        title="Section 175/157 audit 2025/26",
        financial_year=2025,
        opened_on=datetime.date(2025, 5, 1),
        deadline=datetime.date(2025, 7, 31),
        agencies=[school],
        by=bu_user,
    )


@pytest.fixture
def police_return(cycle, agency):
    return cycle.returns.get(agency=agency)


@pytest.fixture
def csc_return(cycle, other_agency):
    return cycle.returns.get(agency=other_agency)


def full_answers(self_assessment, score=3, **overrides):
    """Every standard answered with ``score``; ``overrides`` maps a number to a score."""
    answers = {}
    for answer in self_assessment.answers.select_related("standard"):
        number = answer.standard.number
        answers[answer.standard_id] = {
            "self_score": overrides.get(f"s{number}", score),
            "narrative": f"We meet standard {number} through supervision and audit.",
            "evidence": "Safeguarding policy 2025.",
            "confirmed": True,
        }
    return answers


@pytest.fixture
def submit(bu_user):
    """Fill in and submit a return (as its agency would), returning it fresh."""

    def do(self_assessment, by=None, score=3, sign_off=None, **overrides):
        by = by or bu_user
        services.self_assessment_save_draft(
            self_assessment=self_assessment,
            answers=full_answers(self_assessment, score, **overrides),
            sign_off=sign_off,
            by=by,
        )
        return services.self_assessment_submit(self_assessment=self_assessment, by=by)

    return do
