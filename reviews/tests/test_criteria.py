"""The SCR rule (reg. 5 LSCB Regulations 2006, WT2015) for every combination of criteria."""

import itertools

import pytest

from reviews.criteria import scr_criteria, serious_child_safeguarding_case

NAMES = [
    "abuse_or_neglect",
    "child_died",
    "seriously_harmed",
    "concern_working_together",
    "died_in_custody",
    "suspected_suicide",
]


def _expected(flags):
    """The regulation, read route by route."""
    routes = [
        flags["died_in_custody"],
        flags["suspected_suicide"],
        flags["abuse_or_neglect"] and flags["child_died"],
        flags["abuse_or_neglect"]
        and flags["seriously_harmed"]
        and flags["concern_working_together"],
    ]
    return any(routes)


@pytest.mark.parametrize("values", list(itertools.product([False, True], repeat=6)))
def test_every_combination_of_criteria(values):
    flags = dict(zip(NAMES, values, strict=True))
    result = scr_criteria(**flags)
    assert result.met is _expected(flags)
    assert result.because.startswith("Criteria met because" if result.met else "Criteria not met")


def test_death_with_abuse_is_explained():
    result = scr_criteria(
        abuse_or_neglect=True,
        child_died=True,
        seriously_harmed=False,
        concern_working_together=False,
        died_in_custody=False,
        suspected_suicide=False,
    )
    assert result.because == (
        "Criteria met because abuse or neglect is known or suspected and the child died (after "
        "a death, regulation 5(2)(b)(i) does not ask for concern about how agencies worked "
        "together)."
    )


def test_death_with_concern_needs_no_reminder_of_the_regulation():
    result = scr_criteria(
        abuse_or_neglect=True,
        child_died=True,
        seriously_harmed=False,
        concern_working_together=True,
        died_in_custody=False,
        suspected_suicide=False,
    )
    assert result.because == (
        "Criteria met because abuse or neglect is known or suspected and the child died."
    )


def test_serious_harm_without_concern_about_working_together_is_not_enough():
    result = scr_criteria(
        abuse_or_neglect=True,
        child_died=False,
        seriously_harmed=True,
        concern_working_together=False,
        died_in_custody=False,
        suspected_suicide=False,
    )
    assert not result.met
    assert "no cause for concern about how agencies worked together" in result.because
    assert "learning review" in result.because


def test_death_in_custody_always_meets_the_criteria_and_says_so():
    result = scr_criteria(
        abuse_or_neglect=False,
        child_died=True,
        seriously_harmed=False,
        concern_working_together=False,
        died_in_custody=True,
        suspected_suicide=False,
    )
    assert result.met
    assert "died in custody" in result.because
    assert "always carried out" in result.because


@pytest.mark.parametrize("values", list(itertools.product([False, True], repeat=3)))
def test_serious_child_safeguarding_case(values):
    abuse, died, harmed = values
    result = serious_child_safeguarding_case(
        abuse_or_neglect=abuse, child_died=died, seriously_harmed=harmed
    )
    assert result.met is (abuse and (died or harmed))
