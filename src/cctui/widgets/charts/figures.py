"""What a chart shows, independent of how: titles, categories, series and the number format.

Chart builders turn the domain's read models into :class:`ChartFigures`; the
:class:`~cctui.widgets.charts.base.ChartView` draws them as a plot or as a table. Amounts
stay Decimal here (the table shows them exactly); only the plot turns them into floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from cctui.widgets.money import format_money

Number = Decimal | int
"""A figure of a chart: money as Decimal, counts as int."""

BAR_MARKERS = ("sd", "▒", "░")
"""Fill of the first, second and third bar series: told apart without colour."""
BAR_LEGEND = ("█", "▒", "░")
"""How each bar fill looks, for the table's key."""


@dataclass(frozen=True)
class Series:
    """One named row of figures, one per category, drawn as bars or as a line."""

    label: str
    values: tuple[Number | None, ...]
    """One per category; None where there is no figure (the line has a gap)."""
    style: Literal["bar", "line"] = "bar"
    marker: str = "sd"
    """plotext's marker: "sd" (a full block), "braille", "dot", or any one character."""
    colour: str = "blue+"


@dataclass(frozen=True)
class ChartFigures:
    """Everything one chart shows."""

    title: str
    x_title: str
    y_title: str
    categories: tuple[str, ...]
    """The x axis: one label per position (a date, a band, a reason)."""
    series: tuple[Series, ...] = ()
    currency: str | None = None
    """Amounts are money of this currency; None: they are counts."""
    empty: str = "No data yet."
    """What to say when there are no figures."""
    horizontal: bool = False
    """Bars run left to right (long category labels read better)."""
    notes: tuple[str, ...] = field(default=())
    """Lines shown under the table (which currency, what is left out)."""

    @property
    def has_data(self) -> bool:
        """True when there is at least one category and some figure is not zero."""
        return bool(self.categories) and any(
            value for series in self.series for value in series.values if value is not None
        )

    def format_value(self, value: Number | None) -> str:
        """One figure as the table shows it: money exactly, counts with separators."""
        if value is None:
            return "-"
        if self.currency is not None:
            return format_money(Decimal(value), self.currency)
        return f"{value:,}"


def compact(value: float) -> str:
    """An axis label: ``950``, ``12k``, ``1.5M``, ``2.1B`` (one decimal below ten)."""
    size = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            scaled = value / limit
            text = f"{scaled:.1f}" if abs(scaled) < 10 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    if size and size < 10 and value != int(value):
        return f"{value:.1f}"
    return f"{value:.0f}"


def nice_ticks(top: float, count: int = 4, *, whole: bool = False) -> list[float]:
    """Round tick values from zero to at least ``top``: 0, 2.5k, 5k, 7.5k, 10k (``whole``:
    whole numbers only, for counts)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10)
    width = next(step * magnitude for step in steps if step * magnitude * count >= top)
    if whole:
        width = max(1.0, float(math.ceil(width)))
    return [width * n for n in range(count + 1)]


def spread_labels(labels: tuple[str, ...], room: int) -> list[int]:
    """Positions of the labels to print under an axis ``room`` cells wide, evenly spread,
    always the first and the last."""
    if not labels:
        return []
    widest = max(len(label) for label in labels) + 4
    fits = max(2, room // widest)
    if len(labels) <= fits:
        return list(range(len(labels)))
    step = (len(labels) - 1) / (fits - 1)
    return sorted({round(n * step) for n in range(fits)})
