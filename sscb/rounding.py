"""How every figure shown is rounded: half up, as a spreadsheet or a reader would (12.5% is
13%, an average of 2.5 is 3), never Python's round-half-to-even (12.5 to 12, 2.5 to 2)."""

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value, places: int = 0):
    """``value`` rounded half away from zero to ``places`` decimals: an int for none, else a
    float; None stays None."""
    if value is None:
        return None
    # Through its shortest decimal form, so 0.125 (0.12499999... as a float) rounds to 0.13.
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return int(rounded) if places == 0 else float(rounded)


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole percentage, half up; None of nothing."""
    return round_half_up(100 * part / whole) if whole else None
