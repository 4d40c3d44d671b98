from decimal import Decimal

import pytest

from ..models import Indicator, Rag

D = Decimal


def indicator(polarity, target="80", tolerance="5"):
    return Indicator(polarity=polarity, target=D(target), tolerance=D(tolerance))


@pytest.mark.parametrize(
    "value, rag",
    [
        ("80.01", Rag.GREEN),
        ("80", Rag.GREEN),  # on target: green
        ("79.99", Rag.AMBER),
        ("75", Rag.AMBER),  # exactly at the tolerance: still amber
        ("74.99", Rag.RED),  # just beyond it: red
        ("0", Rag.RED),
    ],
)
def test_higher_is_better_rag_on_the_boundaries(value, rag):
    assert indicator(Indicator.Polarity.HIGHER).rag(D(value)) == rag


@pytest.mark.parametrize(
    "value, rag",
    [
        ("79.99", Rag.GREEN),
        ("80", Rag.GREEN),  # on target: green
        ("80.01", Rag.AMBER),
        ("85", Rag.AMBER),  # exactly at the tolerance: still amber
        ("85.01", Rag.RED),  # just beyond it: red
        ("100", Rag.RED),
    ],
)
def test_lower_is_better_rag_on_the_boundaries(value, rag):
    assert indicator(Indicator.Polarity.LOWER).rag(D(value)) == rag


def test_no_tolerance_means_anything_off_target_is_red():
    higher = indicator(Indicator.Polarity.HIGHER, tolerance="0")
    assert higher.rag(D("80")) == Rag.GREEN
    assert higher.rag(D("79.99")) == Rag.RED


def test_no_value_has_no_rag():
    assert indicator(Indicator.Polarity.HIGHER).rag(None) is None


@pytest.mark.parametrize(
    "frequency, due",
    [
        (Indicator.Frequency.QUARTERLY, [1, 2, 3, 4]),
        (Indicator.Frequency.HALF_YEARLY, [2, 4]),
        (Indicator.Frequency.ANNUALLY, [4]),
    ],
)
def test_frequency_says_which_quarters_ask_for_a_value(frequency, due):
    made = Indicator(frequency=frequency)
    assert [q for q in (1, 2, 3, 4) if made.is_due_in(q)] == due
