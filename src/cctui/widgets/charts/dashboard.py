"""The dashboard's charts pane: four charts of the book, in one currency at a time."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from cctui.domain.charts.book import BookCharts
from cctui.widgets.charts.base import ChartView
from cctui.widgets.charts.book import bands_figures, held_figures, trend_figures, weekly_figures
from cctui.widgets.charts.grid import ChartGrid


class BookChartsPane(ChartGrid):
    """Overdue by band, the overdue trend, collected against new overdue, held by reason.

    Money charts show one currency (the one with most customers first); ``c`` shows the
    next currency.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "c",
            "next_currency",
            "Currency",
            tooltip="Show the money charts in the next currency of the book.",
            id="chart.currency",
        ),
    ]

    charts: BookCharts | None = None
    currency: str | None = None

    def compose(self) -> ComposeResult:
        """The four charts, loading."""
        yield ChartView("Overdue by aging band", id="chart-bands")
        yield ChartView("Total overdue, last 90 days", id="chart-trend")
        yield ChartView("Collected against new overdue, per week", id="chart-weekly")
        yield ChartView("Held documents by reason", id="chart-held")

    def show(self, charts: BookCharts) -> None:
        """Draw the figures read (keeping the currency shown, if the book still has it)."""
        self.charts = charts
        if self.currency not in charts.currencies:
            self.currency = charts.currencies[0] if charts.currencies else None
        self._draw()

    def failed(self) -> None:
        """Say in every chart that the figures could not be read."""
        for view in self.query(ChartView):
            view.failed()

    def _draw(self) -> None:
        charts = self.charts
        if charts is None:
            return
        currency = self.currency or "EUR"
        self.query_one("#chart-bands", ChartView).show(bands_figures(charts, currency))
        self.query_one("#chart-trend", ChartView).show(trend_figures(charts, currency))
        self.query_one("#chart-weekly", ChartView).show(weekly_figures(charts, currency))
        self.query_one("#chart-held", ChartView).show(held_figures(charts))

    def action_next_currency(self) -> None:
        """Show the money charts in the book's next currency."""
        if self.charts is None or not self.charts.currencies:
            self.notify("The book has no amounts in any currency yet.", timeout=4)
            return
        codes = self.charts.currencies
        index = codes.index(self.currency) if self.currency in codes else -1
        self.currency = codes[(index + 1) % len(codes)]
        self._draw()
        self.notify(f"Charts in {self.currency}.", timeout=2, markup=False)
