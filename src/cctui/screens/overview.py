"""The start screen: who you are, which database, and the figures of the whole book."""

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
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from cctui.domain.overview import BookOverview, book_overview
from cctui.messages import DailyCheckFinished
from cctui.screens.base import CctuiScreen
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import safe_text

LABEL_WIDTH = 18
"""Width of the label column of every block, so the values line up."""

WORKER_GROUP = "overview"
"""The group of the worker that reads the figures (only one runs at a time)."""


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


def figures_block(overview: BookOverview, today: date) -> Group:
    """The figures: counts, open and overdue amounts per currency, the last daily check."""
    counts = _two_columns()
    for label, value in (
        ("Customers", overview.customers),
        ("Active staff", overview.staff),
        ("Open invoices", overview.open_invoices),
        ("Overdue debtors", overview.overdue_debtors),
    ):
        counts.add_row(Text(label), Text(format_count(value)))
    counts.add_row(
        Text("Last daily check"), Text(describe_daily_check(overview.last_daily_check, today))
    )
    return Group(counts, Text(""), amounts_table(overview))


def amounts_table(overview: BookOverview) -> Table | Text:
    """Open and overdue amounts side by side, one row per currency."""
    if not overview.open_amount:
        return Text("Nothing is open: no customer owes anything.")
    table = Table(box=None, padding=(0, 1), pad_edge=False, expand=False, show_edge=False)
    table.add_column(Text("Currency"), no_wrap=True, min_width=LABEL_WIDTH)
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


class OverviewScreen(CctuiScreen):
    """Book overview: the signed-in person, the database, and figures about the whole book.

    The figures are read in a thread worker; a loading indicator shows meanwhile and
    ``r`` (or F5) reads them again.
    """

    HELP_TITLE = "Book overview"
    SCREEN_NAME = "overview"

    BINDINGS = [
        Binding(
            "r,f5",
            "refresh",
            "Refresh",
            tooltip="Read the figures from the database again.",
            id="refresh",
        ),
    ]

    def compose_body(self) -> ComposeResult:
        """The title, the identity block and the figures."""
        app = self.cctui
        user = app.user
        with VerticalScroll(id="overview-body"):
            yield Static(Text("Book overview", style="bold"), id="overview-title")
            identity = _two_columns()
            who = safe_text(user.name, style="bold")
            who.append(" (")
            who.append(safe_text(user.login))
            who.append(")")
            identity.add_row(Text("You"), who)
            identity.add_row(Text("Role"), safe_text(user.role))
            identity.add_row(Text("Database"), safe_text(app.db.label))
            identity.add_row(Text("Today"), Text(app.today().isoformat()))
            yield Static(identity, id="overview-identity")
            yield Static(Text(""), id="overview-figures")

    def on_mount(self) -> None:
        """Start reading the figures."""
        self.action_refresh()

    def on_daily_check_finished(self, message: DailyCheckFinished) -> None:
        """The last daily check changed: read the figures again."""
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the figures again (the loading indicator shows until they arrive)."""
        self.query_one("#overview-figures", Static).loading = True
        self._read_figures()

    @work(
        thread=True,
        exclusive=True,
        group=WORKER_GROUP,
        name="read the book overview",
        exit_on_error=False,
    )
    def _read_figures(self) -> BookOverview:
        """Read the overview from the database (runs in a thread)."""
        app = self.cctui
        with app.db.session() as session:
            return book_overview(session, as_of=app.today())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the figures when they arrive, or say they could not be read."""
        if event.worker.group != WORKER_GROUP:
            return
        figures = self.query_one("#overview-figures", Static)
        if event.state is WorkerState.SUCCESS:
            overview = event.worker.result
            if isinstance(overview, BookOverview):
                figures.update(figures_block(overview, self.cctui.today()))
            figures.loading = False
        elif event.state is WorkerState.ERROR:
            figures.update(
                Text("The figures could not be read. Press r to try again.", style="italic")
            )
            figures.loading = False
