from sscb.rounding import percent, round_half_up


def test_figures_round_half_up_as_a_reader_would():
    """fr #7: 1 of 8 is 13%, 5 of 8 63%; an average of 2.5 is 3 like 3.5 is 4."""
    assert [percent(1, 8), percent(5, 8), percent(3, 8), percent(1, 3)] == [13, 63, 38, 33]
    assert percent(0, 8) == 0 and percent(1, 0) is None
    assert [round_half_up(x) for x in (1.5, 2.5, 3.5, 2.49)] == [2, 3, 4, 2]
    assert [round_half_up(x, 1) for x in (0.25, 0.35, 2.45, -0.25)] == [0.3, 0.4, 2.5, -0.3]
    assert round_half_up(None) is None
