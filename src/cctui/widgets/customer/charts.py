"""The charts tab: credit limit against balance over time, payments and days to pay."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widget import Widget

from cctui.domain.charts.customer import CustomerCharts, read_customer_charts
from cctui.widgets.charts.base import ChartView
from cctui.widgets.charts.customer import credit_figures, days_to_pay_figures, payments_figures
from cctui.widgets.charts.grid import ChartGrid
from cctui.widgets.customer.tab import CustomerTab, TabContext

if TYPE_CHECKING:
    from cctui.db.engine import Database


class ChartsTab(CustomerTab):
    """Three charts of the customer; Tab moves between them, ``t`` shows one as a table."""

    DEFAULT_CSS = """
    ChartsTab > ChartGrid {
        height: 1fr;
    }
    """

    TITLE = "Charts"
    TASK = "read the customer's charts"

    def compose(self) -> ComposeResult:
        """The charts, loading."""
        with ChartGrid(id="customer-chart-grid"):
            yield ChartView("Credit limit against balance", id="chart-credit")
            yield ChartView("Payments per month", id="chart-payments")
            yield ChartView("Average days to pay, per month", id="chart-days-to-pay")

    def focus_target(self) -> Widget:
        """The credit chart."""
        return self.query_one("#chart-credit", ChartView)

    def fetch(self, db: Database, context: TabContext) -> CustomerCharts:
        """The customer's chart figures (in a worker thread)."""
        with db.session() as session:
            return read_customer_charts(session, context.customer_id, as_of=context.as_of)

    def show(self, data: object) -> None:
        """Draw the charts."""
        if isinstance(data, CustomerCharts):
            self.query_one("#chart-credit", ChartView).show(credit_figures(data))
            self.query_one("#chart-payments", ChartView).show(payments_figures(data))
            self.query_one("#chart-days-to-pay", ChartView).show(days_to_pay_figures(data))

    def failed(self) -> None:
        """Say the charts could not be read."""
        for view in self.query(ChartView):
            view.failed()
