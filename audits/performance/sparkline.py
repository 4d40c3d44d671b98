"""A small trend chart drawn on the server as inline SVG: no script, and a text alternative that
says every value, so that a screen reader (and a printout) loses nothing."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT, PAD = 120, 30, 3


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    segments: list  # polylines' "x,y x,y" strings: a quarter with no value breaks the line
    dots: list  # (x, y) of each value
    target_y: float | None
    description: str


def show(indicator, value: Decimal | None) -> str:
    if value is None:
        return "no value"
    text = f"{value.normalize():f}"
    return f"{text}%" if indicator.unit == indicator.Unit.PERCENT else text


def sparkline(indicator, points: list[tuple[str, Decimal | None]]) -> Sparkline:
    """``points`` are (quarter label, value or None), oldest first; the target is drawn as a
    dashed line so that the reader sees which side of it the trend runs."""
    known = [value for _, value in points if value is not None]
    low = min([*known, indicator.target])
    high = max([*known, indicator.target])
    span = (high - low) or Decimal(1)
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)

    def y(value):
        return round(HEIGHT - PAD - float((value - low) / span) * (HEIGHT - 2 * PAD), 1)

    segments, current, dots = [], [], []
    for index, (_, value) in enumerate(points):
        if value is None:
            if current:
                segments.append(" ".join(current))
            current = []
            continue
        x = round(PAD + index * step, 1)
        current.append(f"{x},{y(value)}")
        dots.append((x, y(value)))
    if current:
        segments.append(" ".join(current))
    said = "; ".join(f"{label}: {show(indicator, value)}" for label, value in points)
    description = (
        f"Trend of {indicator.name} over {len(points)} quarters ({said}). "
        f"Target {show(indicator, indicator.target)}, "
        f"{indicator.get_polarity_display().lower()}."
    )
    return Sparkline(WIDTH, HEIGHT, segments, dots, y(indicator.target), description)
