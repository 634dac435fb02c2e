"""The chart widget every chart of cctui is: a plot, or the same figures as a table.

:class:`ChartView` shows a :class:`~cctui.widgets.charts.figures.ChartFigures`: a title,
labelled axes with amounts in a compact money form (12k, 1.5M), series told apart by their
marker and a legend as well as by colour (so ``NO_COLOR`` reads the same), and "No data yet"
in words when there are no figures. ``t`` switches between the plot and a table of the same
figures (exact amounts; for screen readers and copying). The plot is drawn again at every
size the widget gets, so it follows the terminal.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static
from textual_plotext import PlotextPlot

from cctui.widgets.charts.figures import (
    BAR_LEGEND,
    ChartFigures,
    compact,
    nice_ticks,
    spread_labels,
)
from cctui.widgets.safe_text import plain

LABEL_ROOM = 20
"""The most characters a category label takes beside horizontal bars."""
BAR_GAP = 0.2
"""Room left between the bar groups of neighbouring categories."""


def _shorten(label: str, room: int) -> str:
    label = plain(label)
    return label if len(label) <= room else label[: room - 1] + "…"


class ChartPlot(PlotextPlot):
    """The plot of a :class:`ChartView`: draws its figures at the size it has now."""

    figures: ChartFigures | None = None

    def render(self) -> RenderResult:
        """Draw the figures into a fresh plot, then let textual-plotext build it."""
        plt = self.plt
        plt.clear_figure()
        if self.figures is not None and self.figures.has_data:
            self._draw(self.figures, max(10, self.size.width))
        return super().render()

    def _draw(self, figures: ChartFigures, width: int) -> None:
        plt = self.plt
        count = len(figures.categories)
        positions = [float(n) for n in range(1, count + 1)]
        bars = [series for series in figures.series if series.style == "bar"]
        slot = (1 - BAR_GAP) / max(1, len(bars))
        top = 0.0
        for series in figures.series:
            values = [float(value) if value is not None else None for value in series.values]
            top = max([top, *(value for value in values if value is not None)])
            # One series needs no legend (the title names it); several are told apart by it.
            label = plain(series.label) if len(figures.series) > 1 else None
            if series.style == "bar":
                n = bars.index(series)
                offset = -((1 - BAR_GAP) / 2) + slot * (n + 0.5) if len(bars) > 1 else 0.0
                plt.bar(
                    [p + offset for p in positions],
                    [value or 0.0 for value in values],
                    marker=series.marker,
                    color=series.colour,
                    width=slot if len(bars) > 1 else 0.6,
                    label=label,
                    orientation="horizontal" if figures.horizontal else "vertical",
                )
            else:
                points = [(p, v) for p, v in zip(positions, values, strict=True) if v is not None]
                plt.plot(
                    [p for p, _ in points],
                    [v for _, v in points],
                    marker=series.marker,
                    color=series.colour,
                    label=label,
                )
        ticks = nice_ticks(top, whole=figures.currency is None)
        labels = [compact(tick) for tick in ticks]
        shown = spread_labels(figures.categories, width - 10)
        names = [figures.categories[n] for n in shown]
        where = [positions[n] for n in shown]
        if figures.horizontal:
            plt.xticks(ticks, labels)
            plt.xlim(0, ticks[-1])
            plt.yticks(positions, [_shorten(label, LABEL_ROOM) for label in figures.categories])
            plt.xlabel(plain(figures.y_title))
        else:
            plt.yticks(ticks, labels)
            plt.ylim(0, ticks[-1])
            plt.xticks(where, [_shorten(name, 12) for name in names])
            plt.xlim(0.5, count + 0.5)
            plt.xlabel(plain(figures.x_title))
            plt.ylabel(plain(figures.y_title))


def _text(value: object, style: str = "") -> Text:
    """Database or label text shown literally, as a line of its own."""
    return Text(plain(value), style=style)


def figures_table(figures: ChartFigures) -> Group:
    """The chart's figures as a table: one row per category, one column per series, with
    the chart's title above and its notes below."""
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False, expand=False)
    table.add_column(_text(figures.x_title, style="bold"), overflow="fold")
    bars = 0
    for series in figures.series:
        heading = _text(series.label, style="bold")
        if series.style == "bar" and len(figures.series) > 1:
            heading = Text.assemble(f"{BAR_LEGEND[bars % len(BAR_LEGEND)]} ", heading)
            bars += 1
        table.add_column(heading, justify="right", no_wrap=True)
    for n, category in enumerate(figures.categories):
        table.add_row(
            _text(category),
            *(Text(figures.format_value(series.values[n])) for series in figures.series),
        )
    parts: list[RenderableType] = [_text(figures.title, style="bold"), table]
    parts.extend(_text(note, style="italic") for note in figures.notes)
    return Group(*parts)


class ChartView(Vertical, can_focus=True):
    """A chart: its plot, or (``t``) a table of the same figures; "No data yet" when empty.

    Call :meth:`show` with new figures (from a worker's result) at any time.
    """

    DEFAULT_CSS = """
    ChartView {
        height: 1fr;
        min-height: 10;
        border: blank;
    }
    ChartView:focus-within, ChartView:focus {
        border: round $accent;
    }
    ChartView > ChartPlot {
        height: 1fr;
    }
    ChartView > .chart-table {
        height: 1fr;
        display: none;
    }
    ChartView > .chart-empty {
        height: 1fr;
        padding: 1 2;
        display: none;
    }
    ChartView.-table > ChartPlot {
        display: none;
    }
    ChartView.-table > .chart-table {
        display: block;
    }
    ChartView.-empty > ChartPlot, ChartView.-empty > .chart-table {
        display: none;
    }
    ChartView.-empty > .chart-empty {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "t",
            "toggle_table",
            "Table/chart",
            tooltip="Show this chart's figures as a table, or the chart again.",
            id="chart.toggle_table",
        ),
    ]

    def __init__(self, title: str, *, id: str | None = None) -> None:
        """A chart titled ``title`` that says it is loading until :meth:`show` is called."""
        super().__init__(id=id)
        self.figures = ChartFigures(title=title, x_title="", y_title="", categories=())
        self.border_title = title

    def compose(self) -> ComposeResult:
        """The plot, the table (hidden) and the empty line (hidden)."""
        yield ChartPlot()
        with VerticalScroll(classes="chart-table"):
            yield Static(Text(""), classes="chart-table-body")
        yield Static(Text("Loading…"), classes="chart-empty")

    def on_mount(self) -> None:
        """Say it is loading until the figures arrive."""
        self.add_class("-empty")

    @property
    def showing_table(self) -> bool:
        """True while the table is shown instead of the plot."""
        return self.has_class("-table")

    def show(self, figures: ChartFigures) -> None:
        """Draw ``figures`` (keeps whether the table or the plot is shown)."""
        self.figures = figures
        self.border_title = plain(figures.title)
        plot = self.query_one(ChartPlot)
        plot.figures = figures
        self.query_one(".chart-table-body", Static).update(figures_table(figures))
        empty = Text(figures.title + "\n\n", style="bold")
        empty.append(Text(plain(figures.empty), style="not bold"))
        self.query_one(".chart-empty", Static).update(empty)
        self.set_class(not figures.has_data, "-empty")
        plot.refresh()

    def failed(self) -> None:
        """The figures could not be read: say so."""
        self.query_one(".chart-empty", Static).update(
            Text("The figures could not be read. Press r to try again.")
        )
        self.add_class("-empty")

    def action_toggle_table(self) -> None:
        """Switch between the plot and the table."""
        self.toggle_class("-table")
