"""The start screen, the dashboard: the book's totals, its aged balance, and today's work."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from cctui.domain.charts.book import BookCharts, read_book_charts
from cctui.domain.dashboard import Dashboard, read_dashboard
from cctui.domain.overview import BookOverview
from cctui.messages import DailyCheckFinished
from cctui.screens.base import CctuiScreen
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import plain, safe_text

LABEL_WIDTH = 18
"""Width of the label column of every block, so the values line up."""

WORKER_GROUP = "overview"
"""The group of the worker that reads the figures (only one runs at a time)."""
CHARTS_GROUP = "overview-charts"
"""The group of the worker that reads the charts' figures."""


def format_count(value: int) -> str:
    """A whole number with thousands separators: ``12,345``."""
    return f"{value:,}"


def describe_daily_check(last: date | None, today: date) -> str:
    """When the daily check last completed, in words a person reads at a glance."""
    if last is None:
        return "never run"
    days = (today - last).days
    if days == 0:
        return f"{last.isoformat()} (today)"
    if days == 1:
        return f"{last.isoformat()} (yesterday, not yet run today)"
    if days > 1:
        return f"{last.isoformat()} ({days} days ago, not yet run today)"
    return last.isoformat()


def _two_columns() -> Table:
    """A borderless label/value table whose labels line up with the other blocks."""
    table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False, expand=False)
    table.add_column("label", no_wrap=True, min_width=LABEL_WIDTH)
    table.add_column("value", overflow="fold")
    return table


def _counts(board: Dashboard, today: date) -> Table:
    """The counts in two label/value pairs per line, so they fit 24 lines."""
    overview = board.overview
    table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False, expand=False)
    table.add_column("label", no_wrap=True, min_width=LABEL_WIDTH)
    table.add_column("value", no_wrap=True, justify="right")
    table.add_column("gap", width=2)
    table.add_column("label2", no_wrap=True)
    table.add_column("value2", no_wrap=True, justify="right")
    todos = format_count(board.my_open_todos)
    if board.my_overdue_todos:
        todos += f" ({format_count(board.my_overdue_todos)} overdue)"
    pairs = [
        ("Customers", format_count(overview.customers), "Held documents",
         format_count(board.held_documents)),
        ("Overdue debtors", format_count(overview.overdue_debtors), "Letters queued",
         format_count(board.letters_queued)),
        ("Open invoices", format_count(overview.open_invoices), "Promises due today",
         format_count(board.promises_due_today)),
        ("Active staff", format_count(overview.staff), "My to-dos", todos),
    ]  # fmt: skip
    for label, value, label2, value2 in pairs:
        table.add_row(Text(label), Text(value), Text(""), Text(label2), Text(value2))
    return table


def _last_check(board: Dashboard, today: date) -> Table:
    """When the daily check last ran, and who started it."""
    last = describe_daily_check(board.overview.last_daily_check, today)
    if board.last_run is not None and board.last_run.started_by:
        last += f" by {plain(board.last_run.started_by)}"
    table = _two_columns()
    table.add_row(Text("Last daily check"), Text(last))
    return table


def figures_block(board: Dashboard, today: date) -> Group:
    """The dashboard: counts, open and overdue per currency, the aged balance per currency."""
    return Group(
        _counts(board, today),
        _last_check(board, today),
        Text(""),
        amounts_table(board.overview),
        Text(""),
        aging_table(board),
    )


def amounts_table(overview: BookOverview) -> Table | Text:
    """Open and overdue amounts side by side, one row per currency."""
    if not overview.open_amount:
        return Text("Nothing is open: no customer owes anything.")
    table = Table(box=None, padding=(0, 1), pad_edge=False, expand=False, show_edge=False)
    table.add_column(Text("Receivables"), no_wrap=True, min_width=LABEL_WIDTH)
    table.add_column(Text("Open"), justify="right", no_wrap=True)
    table.add_column(Text("Overdue"), justify="right", no_wrap=True)
    for currency, amount in overview.open_amount.items():
        overdue = overview.overdue_amount.get(currency, Decimal(0))
        table.add_row(
            safe_text(currency),
            Text(format_money(amount, currency)),
            Text(format_money(overdue, currency)),
        )
    return table


def aging_table(board: Dashboard) -> Table | Text:
    """The aged balance of the last daily check, one row per currency, a column per band."""
    if board.aging_as_of is None:
        return Text("No aged balance yet: the daily check writes one.")
    table = Table(
        box=None,
        padding=(0, 1),
        pad_edge=False,
        expand=False,
        show_edge=False,
        title=Text(f"Aged balance on {board.aging_as_of.isoformat()}", style="bold"),
        title_justify="left",
    )
    table.add_column(Text("Cur"), no_wrap=True)
    for label in board.band_labels:
        table.add_column(safe_text(label), justify="right", no_wrap=True)
    for totals in board.aging:
        table.add_row(
            safe_text(totals.currency),
            *(Text(format_money(amount, totals.currency)) for amount in totals.bands),
        )
    return table


class OverviewScreen(CctuiScreen):
    """The dashboard: who is signed in, the book's totals and aged balance, today's work.

    The figures are read in a thread worker; a loading indicator shows meanwhile and
    ``r`` (or F5) reads them again, as does any change in the book (:meth:`reload`).
    ``1`` shows the figures, ``2`` the charts (another worker reads them, the first time
    they are shown and then with the figures).
    """

    HELP_TITLE = "Dashboard"
    SCREEN_NAME = "dashboard"

    DEFAULT_CSS = """
    OverviewScreen #overview-tabs {
        height: 1fr;
    }
    OverviewScreen #overview-tabs TabPane {
        padding: 0;
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding(
            "r,f5",
            "refresh",
            "Refresh",
            tooltip="Read the figures from the database again.",
            id="refresh",
        ),
        Binding(
            "1",
            "show_pane('figures')",
            "Figures",
            tooltip="Show the dashboard's figures.",
            id="dashboard.figures",
        ),
        Binding(
            "2",
            "show_pane('charts')",
            "Charts",
            tooltip="Show the dashboard's charts (t: the same figures as a table).",
            id="dashboard.charts",
        ),
    ]

    _charts_read = False
    """The charts were shown once: they are read again with the figures from then on."""

    def compose_body(self) -> ComposeResult:
        """Who is signed in and the figures; the charts in a second tab."""
        app = self.cctui
        user = app.user
        with TabbedContent(id="overview-tabs"):
            with (
                TabPane("1 Dashboard", id="overview-pane-figures"),
                VerticalScroll(id="overview-body"),
            ):
                identity = _two_columns()
                who = safe_text(user.name, style="bold")
                who.append(" (")
                who.append(safe_text(user.login))
                who.append(f"), {user.role}")
                identity.add_row(Text("You"), who)
                yield Static(identity, id="overview-identity")
                yield Static(Text(""), id="overview-figures")
            # The charts (and plotext) are mounted when the tab is first shown, so that
            # every start does not pay for four plots nobody may look at.
            yield TabPane("2 Charts", id="overview-pane-charts")

    def on_mount(self) -> None:
        """Start reading the figures."""
        self.action_refresh()

    def on_daily_check_finished(self, message: DailyCheckFinished) -> None:
        """The last daily check changed: read the figures again."""
        self.action_refresh()

    def reload(self) -> None:
        """Read the figures again (the book changed)."""
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the figures again (the loading indicator shows until they arrive)."""
        self.query_one("#overview-figures", Static).loading = True
        self._read_figures()
        if self._charts_read:
            self._read_charts()

    def action_show_pane(self, name: str) -> None:
        """Show the figures or the charts, and put the focus in them."""
        self.query_one("#overview-tabs", TabbedContent).active = f"overview-pane-{name}"

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Mount and read the charts the first time they are shown; put the focus in the
        pane."""
        if event.pane.id == "overview-pane-charts":
            if not self._charts_read:
                from cctui.widgets.charts.dashboard import BookChartsPane

                self._charts_read = True
                await event.pane.mount(BookChartsPane(id="overview-charts"))
                self._read_charts()
            self.query_one("#chart-bands").focus()
        else:
            self.query_one("#overview-body").focus()

    @work(
        thread=True,
        exclusive=True,
        group=CHARTS_GROUP,
        name="read the dashboard's charts",
        exit_on_error=False,
    )
    def _read_charts(self) -> BookCharts:
        """Read the charts' figures from the database (runs in a thread)."""
        app = self.cctui
        with app.db.session() as session:
            return read_book_charts(session, as_of=app.today())

    @work(
        thread=True,
        exclusive=True,
        group=WORKER_GROUP,
        name="read the dashboard",
        exit_on_error=False,
    )
    def _read_figures(self) -> Dashboard:
        """Read the dashboard from the database (runs in a thread)."""
        app = self.cctui
        with app.db.session() as session:
            return read_dashboard(session, app.user, as_of=app.today())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the figures when they arrive, or say they could not be read."""
        if event.worker.group == CHARTS_GROUP:
            from cctui.widgets.charts.dashboard import BookChartsPane  # mounted with the tab

            charts = self.query_one("#overview-charts", BookChartsPane)
            if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, BookCharts):
                charts.show(event.worker.result)
            elif event.state is WorkerState.ERROR:
                charts.failed()
            return
        if event.worker.group != WORKER_GROUP:
            return
        figures = self.query_one("#overview-figures", Static)
        if event.state is WorkerState.SUCCESS:
            overview = event.worker.result
            if isinstance(overview, Dashboard):
                figures.update(figures_block(overview, self.cctui.today()))
            figures.loading = False
        elif event.state is WorkerState.ERROR:
            figures.update(
                Text("The figures could not be read. Press r to try again.", style="italic")
            )
            figures.loading = False
