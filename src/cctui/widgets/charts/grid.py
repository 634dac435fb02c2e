"""A container of charts: stacked (each a screenful, scrolled to) when the terminal is
narrow or short, side by side in a 2x2 grid when there is room for it."""

from __future__ import annotations

from textual import events
from textual.containers import VerticalScroll

WIDE = (120, 36)
"""From this many columns and lines on, the charts sit in a 2x2 grid."""


class ChartGrid(VerticalScroll):
    """Holds :class:`~cctui.widgets.charts.base.ChartView` widgets; see the module."""

    DEFAULT_CSS = """
    ChartGrid {
        layout: grid;
        grid-size: 1;
        grid-rows: 18;
        height: 1fr;
    }
    ChartGrid.-wide {
        grid-size: 2 2;
        grid-rows: 1fr;
    }
    ChartGrid > ChartView {
        height: 100%;
    }
    """

    def on_resize(self, event: events.Resize) -> None:
        """Switch between stacked and the grid as the terminal changes size."""
        self._arrange()

    def on_mount(self) -> None:
        """Arrange for the size at the start."""
        self._arrange()

    def _arrange(self) -> None:
        width, height = self.app.size
        self.set_class(width >= WIDE[0] and height >= WIDE[1], "-wide")
