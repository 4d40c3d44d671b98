"""How a statutory clock is written on the register and a review's page (reviews_tags)."""

import datetime

import time_machine

from reviews.models import ReviewClock
from reviews.templatetags.reviews_tags import clock_badge, clock_days

DUE = datetime.date(2026, 3, 10)


def _clock(**fields):
    return ReviewClock(
        started_on=datetime.date(2026, 1, 1),
        due_on=DUE,
        amber_on=datetime.date(2026, 3, 1),
        **fields,
    )


@time_machine.travel("2026-03-09 12:00 +0000", tick=False)
def test_each_day_is_written_in_words():
    for days, words in [
        (-3, "3 days past due"),
        (-1, "1 day past due"),
        (0, "due today"),
        (1, "1 day left"),
        (6, "6 days left"),
    ]:
        clock = _clock()
        clock.due_on = datetime.date(2026, 3, 9) + datetime.timedelta(days=days)
        assert clock_days(clock) == f'<span data-testid="clock-days">{words}</span>'


@time_machine.travel("2026-03-09 12:00 +0000", tick=False)
def test_the_badge_names_the_state_and_a_pause():
    assert clock_badge(_clock()) == (
        '<span class="badge clock-badge clock-amber" data-testid="clock-state">Due soon</span>'
    )
    paused = clock_badge(_clock(paused_on=datetime.date(2026, 2, 1), pause_reason="Police"))
    assert paused == (
        '<span class="badge clock-badge clock-green clock-paused" data-testid="clock-state">'
        "On track · paused</span>"
    )
    met = clock_badge(_clock(paused_on=datetime.date(2026, 2, 1), met_on=DUE))
    assert met == (
        '<span class="badge clock-badge clock-met_on_time" data-testid="clock-state">'
        "Met on time</span>"
    )
