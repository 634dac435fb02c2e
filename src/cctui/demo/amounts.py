"""Rounding of generated amounts to the figures people actually choose."""

from __future__ import annotations


def nice_units(value: float) -> int:
    """``value`` rounded to two significant digits (at least 100): 37,412 -> 37,000."""
    if value < 100:
        return 100
    scale = 10 ** (len(str(int(value))) - 2)
    return int(round(value / scale) * scale)
